import Dispatch
import KVortexCore
import KVortexNet
import Synchronization

/// The real driver of a core `Node` (DESIGN.md "The shape"): client operations from the HTTP routes,
/// peer frames from the `PeerTransport` and timers from a dispatch queue go in; sends, replies, timers
/// and log lines come out and are performed here. The simulator drives the very same `Node`.
///
/// One lock around the node: inputs are handled one at a time (the node is a value with no internal
/// locking), effects are performed after the lock is released. Storage work inside `handle` is the
/// bounded local call the design allows; nothing else blocks.
public final class NodeDriver: Sendable {
    public typealias ReadCompletion = @Sendable (Result<ReadOutcome, KVError>) -> Void
    public typealias WriteCompletion = @Sendable (Result<WriteOutcome, KVError>) -> Void

    private enum Waiter {
        case read(ReadCompletion)
        case write(WriteCompletion)
    }

    public let nodeID: NodeID
    public let transport: PeerTransport
    private let node: Mutex<Node>
    private let waiters = Mutex<[RequestID: Waiter]>([:])
    private let nextRequest = Atomic<UInt64>(1)
    private let timers = DispatchQueue(label: "kvortex.node.timers")
    private let clockMs: @Sendable () -> UInt64
    private let stopped = Atomic<Bool>(false)
    /// Frames from peers that did not decode (the connection is not closed: framing is intact).
    public let malformedFrames = Atomic<UInt64>(0)

    /// Builds the node and its transport; `start` begins listening and ticking.
    public init(settings: NodeSettings, epoch: UInt64, storage: any StorageEngine, hints: any HintStore,
                members: [NodeID], transport configuration: PeerTransportConfiguration,
                randomSeed: UInt64, clockMs: @escaping @Sendable () -> UInt64) throws(NetError) {
        nodeID = settings.nodeID
        self.clockMs = clockMs
        let allMembers = Array(Set(members + [settings.nodeID])).sorted()
        let ring = Ring.initial(members: allMembers.map { RingMember($0) }, partitioning: settings.partitioning,
                                replicaCount: min(settings.replicaCount, allMembers.count))
        node = Mutex(Node(settings: settings, epoch: epoch, storage: storage, hints: hints, placement: ring,
                          seeds: allMembers.filter { $0 != settings.nodeID }, randomSeed: randomSeed, nowMs: clockMs()))
        let inbox = DriverInbox()
        transport = try PeerTransport(configuration: configuration, receive: { peer, frame in inbox.driver?.received(frame, from: peer) })
        inbox.driver = self
    }

    public func start() {
        transport.start()
        perform(node.withLock { $0.start() })
    }

    /// Stops taking inputs and closes the peer links. Operations still waiting are answered with
    /// `overloaded` (503), so no caller waits for a reply that will never come.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        transport.stop()
        let orphans = waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        let error = KVError.overloaded(reason: "the node is stopping")
        for waiter in orphans {
            switch waiter {
            case .read(let completion): completion(.failure(error))
            case .write(let completion): completion(.failure(error))
            }
        }
    }

    /// A snapshot of the node (membership, counters) for status pages and tests.
    public var snapshot: Node { node.withLock { $0 } }

    public func read(_ key: [UInt8], options: QuorumOptions, completion: @escaping ReadCompletion) {
        guard !stopped.load(ordering: .relaxed) else { return completion(.failure(.overloaded(reason: "the node is stopping"))) }
        let request = allocateRequest(.read(completion))
        feed(.get(request, key: key, options))
    }

    public func write(_ key: [UInt8], _ write: ClientWrite, options: QuorumOptions, completion: @escaping WriteCompletion) {
        guard !stopped.load(ordering: .relaxed) else { return completion(.failure(.overloaded(reason: "the node is stopping"))) }
        let request = allocateRequest(.write(completion))
        feed(.put(request, key: key, write, options))
    }

    private func allocateRequest(_ waiter: Waiter) -> RequestID {
        let request = RequestID(nextRequest.wrappingAdd(1, ordering: .relaxed).oldValue)
        waiters.withLock { $0[request] = waiter }
        return request
    }

    private func received(_ frame: [UInt8], from peer: String) {
        switch Result(catching: { () throws(DecodeError) in try WireFrame.decode(frame) }) {
        case .success(.message(let message, _)):
            feed(.peer(from: NodeID(peer), message))
        case .success(.incomplete), .failure:
            malformedFrames.wrappingAdd(1, ordering: .relaxed)
        }
    }

    private func feed(_ input: NodeInput) {
        guard !stopped.load(ordering: .relaxed) else { return }
        let now = clockMs()
        perform(node.withLock { $0.handle(input, nowMs: now) })
    }

    private func perform(_ effects: [NodeEffect]) {
        for effect in effects {
            switch effect {
            case .send(let target, let message):
                let result = transport.send(WireFrame.encode(message), to: target.rawValue)
                if result != .queued {
                    // Like a refused connection: the node learns at once, outside this call.
                    timers.async { [self] in feed(.undeliverable(to: target, message)) }
                }
            case .replyRead(let request, let result):
                if case .read(let completion) = waiters.withLock({ $0.removeValue(forKey: request) }) { completion(result) }
            case .replyWrite(let request, let result):
                if case .write(let completion) = waiters.withLock({ $0.removeValue(forKey: request) }) { completion(result) }
            case .startTimer(let timer, let afterMs):
                timers.asyncAfter(deadline: .now() + .milliseconds(Int(afterMs))) { [self] in feed(.timer(timer)) }
            case .log(let line):
                Log.line(line)
            }
        }
    }
}

/// Lets the transport's reader threads reach the driver created after it.
private final class DriverInbox: @unchecked Sendable {
    weak var driver: NodeDriver?
}
