import Glibc

/// One non-blocking keep-alive connection of an open-loop run, with at most one request in flight.
///
/// The driver polls `fd`; this type writes the request bytes, reads and frames the response (the body
/// is counted, not kept), and remembers when the request was due. Memory is fixed: one read buffer of
/// `readBufferBytes` and one request buffer, both reused.
final class OpenLoopConnection {
    /// Largest response head accepted; also the size of the read buffer.
    static let readBufferBytes = 16 << 10

    enum State {
        /// No request in flight since `freeSinceNs`.
        case idle(freeSinceNs: UInt64)
        /// The request due at `dueNs` went out at `sendNs`; its response has not arrived.
        case inFlight(dueNs: UInt64, sendNs: UInt64)
    }

    let target: BenchTarget
    private(set) var fd: Int32 = -1
    private(set) var state: State = .idle(freeSinceNs: 0)
    /// The next of this connection's own requests (0, 1, ...) to send.
    var nextTurn = 0
    var picker: KeyPicker
    /// The request being sent; reused.
    var requestBytes: [UInt8] = []
    private var writtenCount = 0
    private var readBuffer = [UInt8](repeating: 0, count: OpenLoopConnection.readBufferBytes)
    private var readCount = 0
    /// Once the head has arrived: the head and the body bytes still to come.
    private var head: ResponseHead?
    private var bodyMissingBytes = 0

    init(target: BenchTarget, picker: KeyPicker) {
        self.target = target
        self.picker = picker
        requestBytes.reserveCapacity(256)
    }

    deinit { close() }

    /// Whether the poller also watches the socket for writing.
    var isWatchingWrite = false

    var isIdle: Bool { if case .idle = state { true } else { false } }
    var wantsWrite: Bool { isOpen && writtenCount < requestBytes.count && !isIdle }
    var isOpen: Bool { fd >= 0 }

    func open(timeoutMs: Int) throws(BenchError) {
        close()
        fd = try NonBlockingSocket.connect(host: target.host, port: target.port, timeoutMs: timeoutMs)
    }

    /// Closes the socket (if open); an in-flight request is forgotten: the caller counts it.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        isWatchingWrite = false
        readCount = 0
        head = nil
    }

    /// Marks the connection free from `nowNs` on (after an answer, a failure or opening).
    func becomeIdle(nowNs: UInt64) {
        state = .idle(freeSinceNs: nowNs)
        writtenCount = 0
        requestBytes.removeAll(keepingCapacity: true)
    }

    /// Starts sending `requestBytes` (already written), due at `dueNs`, on the open socket.
    func send(dueNs: UInt64, sendNs: UInt64) throws(BenchError) {
        precondition(isIdle, "a second request on a busy connection")
        precondition(isOpen, "a request on a closed connection")
        state = .inFlight(dueNs: dueNs, sendNs: sendNs)
        writtenCount = 0
        try flush()
    }

    /// Writes what the socket takes of the rest of the request.
    func flush() throws(BenchError) {
        while writtenCount < requestBytes.count {
            let sent = requestBytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + writtenCount, $0.count - writtenCount, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 { writtenCount += sent; continue }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            throw sent < 0 && errno != EPIPE && errno != ECONNRESET ? .system("send", errno) : .closed
        }
    }

    /// Reads what has arrived; returns the head of the response once the whole response is in.
    /// Throws `.closed` at end of stream (also on an idle connection: the caller closes it quietly).
    func readResponse() throws(BenchError) -> ResponseHead? {
        let received = readBuffer.withUnsafeMutableBytes {
            recv(fd, $0.baseAddress! + readCount, $0.count - readCount, 0)
        }
        if received == 0 { throw .closed }
        if received < 0 {
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw errno == ECONNRESET ? .closed : .system("recv", errno)
        }
        guard !isIdle else { throw .protocolError("\(received) bytes arrived with no request in flight") }
        if head != nil { return try consumeBody(received) }
        readCount += received
        return try parseHead()
    }

    private func parseHead() throws(BenchError) -> ResponseHead? {
        let parsed = readBuffer.withUnsafeBytes { ResponseHead.parse(UnsafeRawBufferPointer(rebasing: $0[0..<readCount])) }
        switch parsed {
        case .incomplete:
            guard readCount < readBuffer.count else { throw .protocolError("head longer than \(readBuffer.count) bytes") }
            return nil
        case .invalid(let reason):
            throw .protocolError(reason)
        case .complete(let parsedHead):
            head = parsedHead
            bodyMissingBytes = parsedHead.bodyBytes
            let bodyArrived = readCount - parsedHead.headBytes
            readCount = 0
            return try consumeBody(bodyArrived)
        }
    }

    /// Counts `count` body bytes just read (they are not kept); the head once the body is complete.
    private func consumeBody(_ count: Int) throws(BenchError) -> ResponseHead? {
        guard count <= bodyMissingBytes else { throw .protocolError("\(count - bodyMissingBytes) bytes past the response") }
        bodyMissingBytes -= count
        guard bodyMissingBytes == 0, let done = head else { return nil }
        head = nil
        return done
    }
}
