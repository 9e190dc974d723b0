import Glibc
import Synchronization

/// The outgoing connection to one peer, owned by its own thread: connects, handshakes, then writes
/// queued frames, several per write; reconnects with capped exponential backoff and jitter.
///
/// Frames that were being written when the connection failed are lost, like packets: the core's
/// requests have deadlines and its hints are acknowledged, so it never relies on a frame arriving.
///
/// Fast paths, which save waking this link's thread (a context switch each way, the largest cost of a
/// cluster request on a busy core):
/// - on an event loop, `send` queues the frame and the loop writes everything queued for the link in
///   one non-blocking `send` before it waits again (`flushGathered`): the frames of all the requests
///   one loop iteration handled go out together, one system call and TCP segment instead of many;
/// - on another thread, when the link is connected, idle and nothing is queued, `send` writes the
///   frame itself with a non-blocking `send`.
/// Whoever writes holds `writing`, so frames keep their order; what a non-blocking write leaves over
/// goes to the head of the queue, for the link's thread.
final class PeerLink: EventLoopFlushable, @unchecked Sendable {
    enum Phase: Equatable {
        case connecting
        case connected
        /// The last attempt failed; frames are refused until the next attempt.
        case backingOff
        case stopped
    }

    struct State {
        /// Whole frames not yet written, back to back, in order.
        var pending: [UInt8] = []
        var pendingFrames = 0
        /// Bytes at the head of `pending` that finish a frame partly written before (counted in
        /// `pendingFrames`); 0 when `pending` starts with a whole frame.
        var pendingHeadPartial = 0
        /// An emptied buffer of a batch written, kept (up to `keptBufferBytesMax`) for the next batch.
        var spare: [UInt8] = []
        var phase = Phase.connecting
        /// A caller of `send` or the link's thread is writing to the socket; the other one queues.
        var writing = false
        /// The connected socket, for the fast path; -1 when not connected.
        var socket: Int32 = -1
        /// A fast-path write failed (reset, broken pipe): the link's thread reconnects.
        var failedWrite: NetError?
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
        startDetachedThread { self.run() }
    }

    private enum Admission {
        case refused(PeerSendResult)
        case queued
        case gathered(EventLoop)
        case writeNow(Int32, Batch)
    }

    /// Queues one frame, which `encode` appends to the bytes it is given (whole, as `WireFrame`
    /// writes it), under this link's lock.
    func send(encodedBy encode: (inout [UInt8]) -> Void) -> PeerSendResult {
        let loop = EventLoop.current
        let admission: Admission = state.withLock { state in
            switch state.phase {
            case .backingOff, .stopped: return .refused(.unreachable)
            case .connecting, .connected: break
            }
            guard state.pendingFrames < configuration.queueFramesMax else { return .refused(.queueFull) }
            let start = state.pending.count
            encode(&state.pending)
            let length = state.pending.count - start
            precondition(length >= 5 && length <= configuration.frameBytesMax, "frame of \(length) bytes")
            guard state.pending.count <= configuration.queueBytesMax else {
                state.pending.removeSubrange(start...)
                return .refused(.queueFull)
            }
            state.pendingFrames += 1
            if loop == nil && state.phase == .connected && !state.writing && state.pendingFrames == 1 {
                state.writing = true
                return .writeNow(state.socket, takeBatch(&state))
            }
            return loop.map { .gathered($0) } ?? .queued
        }
        switch admission {
        case .refused(let result):
            if result == .queueFull { counters.add(1, at: PeerCounter.queueFull.rawValue) }
            return result
        case .queued:
            wake()
        case .gathered(let loop):
            loop.flushBeforeWaiting(self)
        case .writeNow(let socket, let batch):
            writeNow(batch, to: socket)
        }
        return .queued
    }

    /// An event loop is about to wait: writes what is queued now, unless the link is not connected
    /// (its thread writes the queue once it is) or someone is writing (who then takes the rest).
    func flushGathered() {
        let batch: (socket: Int32, batch: Batch)? = state.withLock { state in
            guard state.phase == .connected, !state.writing, state.failedWrite == nil, state.pendingFrames > 0
            else { return nil }
            state.writing = true
            return (state.socket, takeBatch(&state))
        }
        if let batch { writeNow(batch.batch, to: batch.socket) }
    }

    /// Frames taken from the queue to write in one go.
    struct Batch {
        var bytes: [UInt8]
        var frames: Int
        /// Bytes at the start that finish a frame partly written by an earlier batch.
        var headPartial: Int

        /// How many frames end within the first `sent` bytes, and how many bytes of the frame that
        /// `sent` cuts (if any) come after it: what is left is the next batch's `headPartial`.
        func framesEnded(within sent: Int) -> (frames: Int, restPartial: Int) {
            var ended = headPartial > 0 && sent >= headPartial ? 1 : 0
            if headPartial > sent { return (0, headPartial - sent) }
            var offset = headPartial
            while offset < sent {
                let length = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
                let end = offset + 4 + length
                guard end <= sent else { return (ended, end - sent) }
                ended += 1
                offset = end
            }
            return (ended, 0)
        }
    }

    /// Takes every queued frame: the queue's buffer as it is, the spare buffer becoming the queue's.
    private func takeBatch(_ state: inout State) -> Batch {
        var bytes: [UInt8] = []
        swap(&bytes, &state.spare)
        swap(&bytes, &state.pending)
        defer { state.pendingFrames = 0; state.pendingHeadPartial = 0 }
        return Batch(bytes: bytes, frames: state.pendingFrames, headPartial: state.pendingHeadPartial)
    }

    /// Gives a written batch's buffer back, emptied, as the spare for the next batch (unless it grew
    /// past `keptBufferBytesMax` for a long frame: that memory is returned).
    private func keep(_ buffer: inout [UInt8], in state: inout State) {
        guard buffer.capacity <= configuration.keptBufferBytesMax, state.spare.capacity < buffer.capacity else { return }
        buffer.removeAll(keepingCapacity: true)
        swap(&buffer, &state.spare)
    }

    /// A write without this link's thread: one non-blocking `send`; the rest (if the socket buffer is
    /// full) is queued first in line, and the link's thread takes over for whatever is queued then.
    private func writeNow(_ taken: consuming Batch, to socket: Int32) {
        var batch = taken
        var written = batch.bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { written = 0 }
        let sent = max(0, written)
        // Partly written (or not at all): count the frames that left whole, and queue the rest first.
        let (ended, restPartial) = sent == batch.bytes.count ? (batch.frames, 0) : batch.framesEnded(within: sent)
        if sent > 0 {
            counters.add(UInt64(ended), at: PeerCounter.framesSent.rawValue)
            counters.add(UInt64(sent), at: PeerCounter.bytesSent.rawValue)
            counters.add(1, at: PeerCounter.writes.rawValue)
        }
        let failure: NetError? = written < 0 ? .system("send to \(peer)", errno) : nil
        let handOver = state.withLock { state in
            state.writing = false
            if let failure { state.failedWrite = failure }
            if written >= 0 && sent < batch.bytes.count {
                precondition(state.pendingHeadPartial == 0, "a partial frame behind whole ones")
                state.pending.insert(contentsOf: batch.bytes[sent...], at: 0)
                state.pendingFrames += batch.frames - ended
                state.pendingHeadPartial = restPartial
            }
            keep(&batch.bytes, in: &state)
            return state.pendingFrames > 0 || written < 0
        }
        // A failed write (reset, broken pipe) is left to the link's thread to notice on its next write.
        if handOver { wake() }
    }

    func stop() {
        state.withLock { $0.phase = .stopped }
        wake()
    }

    /// Ends a backoff wait early: the peer is known to be up again (it just spoke to this node).
    func retryNow() {
        if state.withLock({ $0.phase == .backingOff }) { wake() }
    }

    var phase: Phase { state.withLock { $0.phase } }

    var frameBytesMax: Int { configuration.frameBytesMax }

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
                let wasConnected = state.withLock { state in
                    state.lastFailure = error
                    state.socket = -1
                    let was = state.phase == .connected
                    if state.phase != .stopped { state.phase = .backingOff }
                    return was
                }
                closeSocket()
                state.withLock { $0.dropCutFrame() }
                counters.add(1, at: (wasConnected ? PeerCounter.disconnects : .connectFailures).rawValue)
                if wasConnected { onConnected(peer, false) }
                guard phase != .stopped else { break }
                wait(ms: jittered(backoffMs)) { phase != .stopped }
                backoffMs = min(backoffMs * 2, configuration.reconnectBackoffMaxMs)
                state.withLock { if $0.phase == .backingOff { $0.phase = .connecting } }
            }
        }
        state.withLock { $0.socket = -1 }
        closeSocket()
    }

    /// Closes the socket once no caller is writing to it directly (a write takes microseconds), so a
    /// descriptor number is never reused under a writer's feet.
    private func closeSocket() {
        guard fd >= 0 else { return }
        while state.withLock({ $0.writing }) { usleep(100) }
        close(fd)
        fd = -1
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
            if state.phase != .stopped {
                state.phase = .connected
                state.socket = fd
            }
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
            let taken: Batch? = state.withLock { state in
                guard state.phase != .stopped, state.failedWrite == nil else { return nil }
                guard !state.writing, state.pendingFrames > 0 else { return Batch(bytes: [], frames: 0, headPartial: 0) }
                state.writing = true
                return takeBatch(&state)
            }
            guard var batch = taken else {
                if let failure = state.withLock({ state in defer { state.failedWrite = nil }; return state.failedWrite }) { throw failure }
                return
            }
            if batch.frames == 0 {
                wait(ms: 1_000) {
                    state.withLock { ($0.pendingFrames == 0 || $0.writing) && $0.phase != .stopped && $0.failedWrite == nil }
                }
                continue
            }
            defer { state.withLock { state in
                state.writing = false
                keep(&batch.bytes, in: &state)
            } }
            try BlockingSocket.send(fd, batch.bytes)
            counters.add(UInt64(batch.frames), at: PeerCounter.framesSent.rawValue)
            counters.add(UInt64(batch.bytes.count), at: PeerCounter.bytesSent.rawValue)
            counters.add(1, at: PeerCounter.writes.rawValue)
        }
    }
}

extension PeerLink.State {
    /// The rest of a frame whose start went out on the connection that just failed cannot follow on the
    /// next one, where the peer would read it as a frame of its own: it is dropped, and the frame is lost
    /// like those of the failed write. (A fast-path write can cut a frame between the failing write and
    /// the link's thread taking the `backingOff` phase.) Called once no one writes: phase is not
    /// `connected` and `closeSocket` has waited for the writer.
    mutating func dropCutFrame() {
        guard pendingHeadPartial > 0 else { return }
        precondition(!writing && phase != .connected, "dropping a cut frame under a writer")
        pending.removeSubrange(0..<pendingHeadPartial)
        pendingFrames -= 1
        pendingHeadPartial = 0
    }
}
