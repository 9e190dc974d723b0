import Glibc
import Synchronization

/// The outgoing connection to one peer, owned by its own thread: connects, handshakes, then writes
/// queued frames, several per write; reconnects with capped exponential backoff and jitter.
///
/// Frames that were being written when the connection failed are lost, like packets: the core's
/// requests have deadlines and its hints are acknowledged, so it never relies on a frame arriving.
final class PeerLink: @unchecked Sendable {
    enum Phase: Equatable {
        case connecting
        case connected
        /// The last attempt failed; frames are refused until the next attempt.
        case backingOff
        case stopped
    }

    private struct State {
        var queue: [[UInt8]] = []
        var queueHead = 0
        var queuedBytes = 0
        var phase = Phase.connecting
        /// Why the last attempt to connect, or the last connection, failed; nil once connected again.
        var lastFailure: NetError?
    }

    let peer: String
    private let host: String
    private let port: Int
    private let configuration: PeerTransportConfiguration
    private let counters: CounterArray
    private let onConnected: @Sendable (String, Bool) -> Void
    private let state = Mutex(State())
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var fd: Int32 = -1
    private var random: UInt64

    init(peer: String, host: String, port: Int, configuration: PeerTransportConfiguration, counters: CounterArray,
         seed: UInt64, onConnected: @escaping @Sendable (String, Bool) -> Void) {
        self.peer = peer
        self.host = host
        self.port = port
        self.configuration = configuration
        self.counters = counters
        self.onConnected = onConnected
        self.random = seed | 1
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func start() {
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        pthread_create(&handle, nil, { raw in
            Unmanaged<PeerLink>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box.toOpaque())
        pthread_detach(handle)
    }

    func send(_ frame: [UInt8]) -> PeerSendResult {
        let result: PeerSendResult = state.withLock { state in
            switch state.phase {
            case .backingOff, .stopped: return .unreachable
            case .connecting, .connected: break
            }
            guard state.queue.count - state.queueHead < configuration.queueFramesMax,
                state.queuedBytes + frame.count <= configuration.queueBytesMax
            else { return .queueFull }
            state.queue.append(frame)
            state.queuedBytes += frame.count
            return .queued
        }
        if result == .queueFull { counters.add(1, at: PeerCounter.queueFull.rawValue) }
        if result == .queued { wake() }
        return result
    }

    func stop() {
        state.withLock { $0.phase = .stopped }
        wake()
    }

    var phase: Phase { state.withLock { $0.phase } }

    var lastFailure: NetError? { state.withLock { $0.lastFailure } }

    private func wake() {
        pthread_mutex_lock(mutex)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits up to `ms` for a wake-up (a frame queued or a stop) unless `stillIdle` is already false.
    /// `stillIdle` is checked under the condition's mutex, which `wake` also takes, so no wake-up is lost.
    private func wait(ms: Int, while stillIdle: () -> Bool) {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanos = Int(deadline.tv_nsec) + (ms % 1000) * 1_000_000
        deadline.tv_sec += ms / 1000 + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        pthread_mutex_lock(mutex)
        if stillIdle() { pthread_cond_timedwait(condition, mutex, &deadline) }
        pthread_mutex_unlock(mutex)
    }

    private func run() {
        var backoffMs = configuration.reconnectBackoffFirstMs
        while phase != .stopped {
            do throws(NetError) {
                try connectAndHandshake()
                backoffMs = configuration.reconnectBackoffFirstMs
                try writeUntilFailure()
            } catch {
                if fd >= 0 { close(fd); fd = -1 }
                let wasConnected = state.withLock { state in
                    state.lastFailure = error
                    let was = state.phase == .connected
                    if state.phase != .stopped { state.phase = .backingOff }
                    return was
                }
                counters.add(1, at: (wasConnected ? PeerCounter.disconnects : .connectFailures).rawValue)
                if wasConnected { onConnected(peer, false) }
                guard phase != .stopped else { break }
                wait(ms: jittered(backoffMs)) { phase != .stopped }
                backoffMs = min(backoffMs * 2, configuration.reconnectBackoffMaxMs)
                state.withLock { if $0.phase == .backingOff { $0.phase = .connecting } }
            }
        }
        if fd >= 0 { close(fd); fd = -1 }
    }

    private func jittered(_ ms: Int) -> Int {
        random ^= random << 13; random ^= random >> 7; random ^= random << 17
        return ms / 2 + Int(random % UInt64(ms / 2 + 1))
    }

    /// Connects and handshakes; with a cluster secret, checks the peer's proof of it and proves it back.
    /// Throws why the peer was not reached, refusals included.
    private func connectAndHandshake() throws(NetError) {
        fd = try BlockingSocket.connect(host: host, port: port, timeoutMs: configuration.ioTimeoutMs)
        let secret = configuration.clusterSecret
        let hello = PeerHandshake(clusterName: configuration.clusterName, nodeID: configuration.nodeID,
                                  nonce: secret == nil ? [] : PeerAuthentication.freshNonce())
        try BlockingSocket.send(fd, hello.encode())
        if let secret {
            try expectAnswer(.challenge)
            try answerChallenge(hello, secret: secret)
        }
        try expectAnswer(.accepted)
        counters.add(1, at: PeerCounter.connects.rawValue)
        state.withLock { state in
            if state.phase != .stopped { state.phase = .connected }
            state.lastFailure = nil
        }
        onConnected(peer, true)
    }

    /// Reads the acceptor's one-byte answer; throws, saying why, unless it is `expected`.
    private func expectAnswer(_ expected: PeerHandshake.Answer) throws(NetError) {
        let code = try BlockingSocket.read(fd, count: 1)[0]
        guard let answer = PeerHandshake.Answer(rawValue: code) else {
            throw .protocolError("\(peer) refused the handshake (code \(code))")
        }
        guard answer != expected else { return }
        switch answer {
        case .accepted, .challenge:
            // One side has a cluster secret and the other none, or the peer skipped a step.
            counters.add(1, at: PeerCounter.authenticationFailures.rawValue)
            throw .protocolError("\(peer) answered \(answer) where \(expected) was due (a cluster secret on one side only?)")
        case .wrongCluster, .wrongVersion, .malformed, .secretRequired, .secretUnexpected, .unauthenticated:
            if answer.isAboutSecret { counters.add(1, at: PeerCounter.authenticationFailures.rawValue) }
            throw .protocolError("\(peer) refused the handshake (\(answer))")
        }
    }

    /// Checks the acceptor's proof of `secret`, then sends this node's. On a wrong proof it throws
    /// before sending anything, and the connection is closed: a peer without the secret gets no proof.
    private func answerChallenge(_ hello: PeerHandshake, secret: [UInt8]) throws(NetError) {
        let frame = try BlockingSocket.readFrame(fd, frameBytesMax: PeerHandshake.frameBytesMax)
        guard let challenge = PeerChallenge.decode(frame) else { throw .protocolError("\(peer) sent a malformed challenge") }
        let exchange = PeerAuthentication(hello: hello, acceptorNodeID: challenge.nodeID, acceptorNonce: challenge.nonce)
        guard exchange.verifies(challenge.proof, by: .acceptor, secret: secret) else {
            counters.add(1, at: PeerCounter.authenticationFailures.rawValue)
            throw .protocolError("\(peer) did not prove the cluster secret (another secret, or a replayed challenge)")
        }
        try BlockingSocket.send(fd, PeerChallenge.encodeResponse(proof: exchange.proof(by: .connector, secret: secret)))
    }

    /// Sends queued frames, as many per write as fit `batchBytesMax`, until the connection fails or
    /// the link stops.
    private func writeUntilFailure() throws(NetError) {
        while true {
            let batch: [[UInt8]]? = state.withLock { state in
                guard state.phase != .stopped else { return nil }
                var batch: [[UInt8]] = []
                var bytes = 0
                while state.queueHead < state.queue.count
                    && (batch.isEmpty || bytes + state.queue[state.queueHead].count <= configuration.batchBytesMax) {
                    let frame = state.queue[state.queueHead]
                    state.queueHead += 1
                    bytes += frame.count
                    batch.append(frame)
                }
                state.queuedBytes -= bytes
                if state.queueHead == state.queue.count {
                    state.queue.removeAll(keepingCapacity: true)
                    state.queueHead = 0
                }
                return batch
            }
            guard let batch else { return }
            if batch.isEmpty {
                wait(ms: 1_000) { state.withLock { $0.queueHead == $0.queue.count && $0.phase != .stopped } }
                continue
            }
            let bytes = batch.count == 1 ? batch[0] : Array(batch.joined())
            try BlockingSocket.send(fd, bytes)
            counters.add(UInt64(batch.count), at: PeerCounter.framesSent.rawValue)
            counters.add(UInt64(bytes.count), at: PeerCounter.bytesSent.rawValue)
            counters.add(1, at: PeerCounter.writes.rawValue)
        }
    }
}
