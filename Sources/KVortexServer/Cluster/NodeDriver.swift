import Dispatch
import Glibc
import KVortexCore
import KVortexNet
import Synchronization

/// The real driver of a core `Node` (DESIGN.md "The shape"): client operations from the HTTP routes,
/// peer frames from the `PeerTransport` and timers ticking on an event loop go in; sends, replies, timers
/// and log lines come out and are performed here. The simulator drives the very same `Node`.
///
/// One lock around the node: inputs are handled one at a time (the node is a value with no internal
/// locking), effects are performed after the lock is released. Storage work inside `handle` is the
/// bounded local call the design allows; with group commit it does not wait for the fsync: the
/// input's effects wait instead (`DurabilityGate`). Nothing else blocks.
///
/// Peers are reached by the peer address their gossip carries (`PeerRouting`), so node IDs need not be
/// addresses. Seeds are addresses: until gossip reveals who answers there, this node sends its own
/// gossip to each seed, which makes the seed learn it and gossip back.
public final class NodeDriver: Sendable {
    public typealias ReadCompletion = @Sendable (Result<ReadOutcome, KVError>) -> Void
    public typealias WriteCompletion = @Sendable (Result<WriteOutcome, KVError>) -> Void

    private enum Waiter {
        case read(ReadCompletion)
        case write(WriteCompletion)
    }

    public let nodeID: NodeID
    public let transport: PeerTransport
    public let routing: PeerRouting
    private let node: NodeLock<Node>
    /// In front of an engine with group commit: holds an input's effects until its writes are durable.
    private let durability: DurabilityGate?
    private let waiters = Mutex(WaiterSlab<Waiter>())
    private let timers = DispatchQueue(label: "kvortex.node.timers")
    private let pendingTimers = Mutex(TimerQueue(nowMs: NodeDriver.monotonicMs()))
    private let clockMs: @Sendable () -> UInt64
    private let stopped = Atomic<Bool>(false)
    private let joined: Atomic<Bool>
    private let ringSize = Atomic<Int>(1)
    /// Why each peer address last failed, as logged: a new reason is logged once, not every retry.
    private let loggedFailures = Mutex<[String: String]>([:])
    /// Frames from peers that did not decode (the connection is not closed: framing is intact).
    public let malformedFrames = Atomic<UInt64>(0)
    /// How often seeds not yet known as members are contacted.
    public static let seedContactIntervalMs = 500
    /// How often due timers are fired: a deadline or repair window ends up to this late.
    public static let timerTickMs = 5
    /// Effects reserved up front per batch of inputs: what a client read makes (two sends, a timer and
    /// its reply); a batch of timers usually makes none.
    static let effectsTypical = 4
    /// Largest emptied effects array kept for the next input (a larger one, after a burst, is freed).
    static let spareEffectsMax = 64
    /// An emptied effects array, reused by the next input instead of allocating one per input.
    private let spareEffects = Mutex<[NodeEffect]>([])

    /// Builds the node and its transport, whose incoming connections are read on `loops` (the
    /// HTTP server's, so replies complete on the loop that reads them) or on a loop of its own;
    /// `start` begins listening and ticking.
    public init(settings: NodeSettings, epoch: UInt64, storage: any StorageEngine, hints: any HintStore,
                seeds: [String], transport configuration: PeerTransportConfiguration, loops: EventLoopGroup? = nil,
                randomSeed: UInt64, clockMs: @escaping @Sendable () -> UInt64) throws(NetError) {
        nodeID = settings.nodeID
        self.clockMs = clockMs
        let ring = Ring.initial(members: [RingMember(settings.nodeID)], partitioning: settings.partitioning,
                                replicaCount: settings.replicaCount)
        durability = storage.defersDurability ? DurabilityGate(base: storage) : nil
        node = NodeLock(Node(settings: settings, epoch: epoch, storage: durability ?? storage, hints: hints, placement: ring,
                          seeds: [], randomSeed: randomSeed, nowMs: clockMs()))
        routing = PeerRouting(ownAddress: settings.peerAddress, seeds: seeds)
        joined = Atomic(seeds.isEmpty)
        let inbox = DriverInbox()
        transport = try PeerTransport(configuration: configuration, loops: loops,
                                      receive: { peer, frames in inbox.driver?.received(frames, from: peer) })
        inbox.driver = self
    }

    public func start() throws(NetError) {
        try transport.start()
        // Timers fire on an event loop, so what they send is gathered with the loop's other frames.
        let loop = transport.loops.loops[0]
        loop.execute { [weak self] in
            loop.scheduleRepeating(everyMs: UInt64(Self.timerTickMs)) { [weak self] _ in self?.fireDueTimers() }
        }
        perform(node.withLock { $0.start() })
        contactSeeds()
    }

    /// Stops taking inputs and closes the peer links. Operations still waiting are answered with
    /// `overloaded` (503), so no caller waits for a reply that will never come.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        transport.stop()
        let orphans = waiters.withLock { $0.removeAll() }
        let error = KVError.overloaded(reason: "the node is stopping")
        for waiter in orphans {
            switch waiter {
            case .read(let completion): completion(.failure(error))
            case .write(let completion): completion(.failure(error))
            }
        }
    }

    /// A snapshot of the node (membership, ring, counters) for status pages and tests.
    public var snapshot: Node { node.withLock { $0 } }

    /// True once this node has heard from a peer (or has no seeds: a cluster of one). `/ready`.
    public var hasJoined: Bool { joined.load(ordering: .relaxed) }

    /// Members in the ring this node routes by: 1 while it is alone.
    public var clusterSize: Int { ringSize.load(ordering: .relaxed) }

    /// Waits, up to `timeoutMs`, until no hint this node holds is for a member it believes healthy.
    /// Returns true when none is left. Part of a graceful stop (API.md "Command line").
    public func deliverHints(timeoutMs: Int) -> Bool {
        let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
        while node.withLock({ $0.holdsDeliverableHints }) {
            guard DispatchTime.now() < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

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

    /// Starts a graceful leave (`POST /cluster/leave`; ignored when already leaving). `leaveProgress`
    /// says when every partition has been handed off.
    public func leave() {
        feed(.leave)
    }

    public var leaveProgress: LeaveProgress { node.withLock { $0.leaveProgress } }

    /// Adds a seed address to contact (`POST /cluster/join`).
    public func join(seed: String) {
        routing.addSeed(seed)
        contactSeeds(reschedule: false)
    }

    private func allocateRequest(_ waiter: Waiter) -> RequestID {
        RequestID(waiters.withLock { $0.insert(waiter) })
    }

    /// The frames one read from `peer` brought, decoded where they lie in the connection's buffer and
    /// handed to the node in one go (one lock, one pass over their effects); each message is moved,
    /// not copied, into the node (each copy of a message retains and releases every part of it).
    private func received(_ frames: PeerFrames, from peer: String) {
        let sender = NodeID(peer)
        guard !routing.isIsolated(sender, frames: frames.count) else { return }
        var messages: [PeerMessage] = []
        messages.reserveCapacity(frames.count)
        for frame in frames {
            let message: PeerMessage
            do throws(DecodeError) {
                message = try WireFrame.message(inFrame: frame)
            } catch {
                malformedFrames.wrappingAdd(1, ordering: .relaxed)
                continue
            }
            if case .gossip(let digests) = message {
                routing.learn(digests)
                joined.store(true, ordering: .relaxed)
                // It lives: a link to it still backing off from before it started connects now.
                transport.retryNow(routing.address(of: sender))
            }
            messages.append(message)
        }
        guard !messages.isEmpty else { return }
        // Taken from the end of the reversed array: each message is moved out, not copied.
        messages.withUnsafeMutableBufferPointer { $0.reverse() }
        feed { node, now, effects in
            while let message = messages.popLast() { node.receive(message, from: sender, nowMs: now, into: &effects) }
        }
    }

    /// Sends this node's gossip to every seed address no known member listens on, then again later.
    private func contactSeeds(reschedule: Bool = true) {
        guard !stopped.load(ordering: .relaxed) else { return }
        let strangers = routing.unknownSeeds()
        if !strangers.isEmpty {
            let frame = WireFrame.encode(.gossip(node.withLock { $0.membership.gossip() }))
            for address in strangers { _ = transport.send(frame, to: address) }
        }
        if reschedule {
            timers.asyncAfter(deadline: .now() + .milliseconds(Self.seedContactIntervalMs)) { [self] in contactSeeds() }
        }
    }

    /// Logs why `address` cannot be reached (refused handshake, wrong secret, connection refused)
    /// when the reason changed since it was last logged.
    private func logFailure(to address: String) {
        guard let failure = transport.lastFailure(to: address).map({ "\($0)" }) else { return }
        let isNew = loggedFailures.withLock { logged in
            defer { logged[address] = failure }
            return logged[address] != failure
        }
        if isNew { Log.line("peer \(address) unreachable: \(failure)") }
    }

    /// Timers run on the monotonic clock: a wall clock stepped back must not hold deadlines up.
    private static func monotonicMs() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    /// Feeds every due timer under one hold of the node lock (most are deadlines of operations that
    /// have long been answered, and cost a lookup each).
    private func fireDueTimers() {
        let due = pendingTimers.withLock { $0.popDue(nowMs: Self.monotonicMs()) }
        if !due.isEmpty { feed(due.lazy.map { .timer($0) }) }
    }

    /// One input, handled where it lies (through a collection, each input was copied out first).
    private func feed(_ input: NodeInput) {
        feed { node, now, effects in node.handle(input, nowMs: now, into: &effects) }
    }

    private func feed(_ inputs: some Collection<NodeInput>) {
        feed { node, now, effects in
            for input in inputs { node.handle(input, nowMs: now, into: &effects) }
        }
    }

    /// Runs `handle` on the node under its lock, then performs the effects (or hands them to the
    /// durability gate).
    private func feed(_ handle: (inout Node, UInt64, inout [NodeEffect]) -> Void) {
        guard !stopped.load(ordering: .relaxed) else { return }
        let now = clockMs()
        var effects = spareEffects.withLock { spare in
            var taken: [NodeEffect] = []
            swap(&taken, &spare)
            return taken
        }
        if effects.capacity == 0 { effects.reserveCapacity(Self.effectsTypical) }  // one allocation, not three
        let (members, batch) = node.withLock { node in
            handle(&node, now, &effects)
            return (node.ring.members.count, durability?.takeBatch())
        }
        ringSize.store(members, ordering: .relaxed)
        if let batch {
            batch.seal(effects) { [weak self] effects in self?.perform(effects) }
        } else {
            perform(consume effects)
        }
    }

    private func perform(_ effects: consuming [NodeEffect]) {
        // A write replicates one message to several replicas: one with an object still to encode is
        // encoded once (comparing is cheap, the messages share their object's storage); any other is
        // encoded straight onto the end of its link's queue.
        var lastEncoded: (message: PeerMessage, frame: [UInt8])?
        // Taken from the end of the reversed array: each effect is moved out, not copied (a copy
        // retains, and its destruction releases, every part of its message). Reversed through a
        // buffer pointer, whose swaps move; the array's own swaps copy.
        effects.withUnsafeMutableBufferPointer { $0.reverse() }
        while let effect = effects.popLast() {
            switch consume effect {
            case .send(let target, let message):
                let result: PeerSendResult
                if routing.isIsolated(target) {
                    result = .unreachable
                } else if let channel = routing.channel(to: target, open: transport.channel(to:)) {
                    if message.carriesDecodedObject {
                        let frame = lastEncoded.flatMap { $0.message == message ? $0.frame : nil } ?? WireFrame.encode(message)
                        lastEncoded = (message, frame)
                        result = channel.send(frame)
                    } else {
                        result = channel.send { WireFrame.encode(message, appendingTo: &$0) }
                    }
                } else {
                    result = .unreachable
                }
                if result == .unreachable { logFailure(to: routing.address(of: target)) }
                if result != .queued {
                    // Like a refused connection: the node learns at once, outside this call.
                    timers.async { [self] in feed(.undeliverable(to: target, message)) }
                }
            case .replyRead(let request, let result):
                if case .read(let completion) = waiters.withLock({ $0.remove(request.rawValue) }) { completion(result) }
            case .replyWrite(let request, let result):
                if case .write(let completion) = waiters.withLock({ $0.remove(request.rawValue) }) { completion(result) }
            case .startTimer(let timer, let afterMs):
                let due = Self.monotonicMs() &+ afterMs
                pendingTimers.withLock { $0.schedule(timer, dueMs: due) }
            case .log(let line):
                Log.line(line)
            case .forgetPeer(let node):
                if let address = routing.forget(node) { transport.forget(address) }
            }
        }
        if effects.capacity <= Self.spareEffectsMax {
            spareEffects.withLock { spare in if spare.capacity < effects.capacity { swap(&spare, &effects) } }
        }
    }
}

/// Lets the transport's receiver (on the event loops) reach the driver created after it.
private final class DriverInbox: @unchecked Sendable {
    weak var driver: NodeDriver?
}
