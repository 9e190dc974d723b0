import Glibc

/// Reads peer frames (`length u32 LE`, then the body) from a non-blocking socket through one buffer:
/// a `recv` takes whatever has arrived, often many frames, and `take` finds them one by one, to be
/// read where they lie (no copy per frame).
struct PeerFrameReader {
    /// Bytes asked of the kernel per `recv` at least; the buffer grows past it only for a frame
    /// longer than it, up to `frameBytesMax`.
    static let readBytes = 64 << 10
    let fd: Int32
    let frameBytesMax: Int
    /// Bytes `start..<end` are received and not yet taken; the rest is room for the next `recv`.
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    init(fd: Int32, frameBytesMax: Int) {
        self.fd = fd
        self.frameBytesMax = frameBytesMax
        buffer = [UInt8](repeating: 0, count: Self.readBytes)
    }

    /// Where the next whole frame (length prefix included) lies in the buffer, or nil when more bytes
    /// are needed; `withFrame` reads it in place until the next `fill`. Throws when a frame's length
    /// is out of bounds (the stream cannot be trusted).
    mutating func take() throws(NetError) -> Range<Int>? {
        guard end - start >= 4 else { return nil }
        let length = try frameLength()
        guard end - start >= 4 + length else { return nil }
        defer { start += 4 + length }
        return start..<(start + 4 + length)
    }

    /// Calls `body` with frames `take` returned, in the order it returned them, as they lie in the
    /// buffer; valid only during the call.
    func withFrames<Result>(_ frames: [Range<Int>], _ body: (PeerFrames) -> Result) -> Result {
        precondition((frames.last?.upperBound ?? 0) <= start, "frames \(frames) not taken")
        return buffer.withUnsafeBytes { body(PeerFrames(buffer: $0, ranges: frames)) }
    }

    /// One `recv` of what the socket has: false when it has nothing yet (`EAGAIN`). Throws when the
    /// peer has closed or the socket failed.
    mutating func fill() throws(NetError) -> Bool {
        try makeRoom()
        let room = buffer.count - end
        let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, room, 0) }
        if received > 0 {
            end += received
            return true
        }
        if received == 0 { throw .closed }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return false }
        throw .system("recv", errno)
    }

    private func frameLength() throws(NetError) -> Int {
        let length = Int(UInt32(buffer[start]) | UInt32(buffer[start + 1]) << 8
                         | UInt32(buffer[start + 2]) << 16 | UInt32(buffer[start + 3]) << 24)
        guard length >= 1, length <= frameBytesMax else {
            throw .protocolError("frame of \(length) bytes (1...\(frameBytesMax))")
        }
        return length
    }

    /// Starts over when every frame was taken (dropping a buffer grown for one long frame: it is not
    /// kept for a connection's lifetime), moves a partial frame to the front, and grows the buffer when
    /// that frame is longer than it.
    private mutating func makeRoom() throws(NetError) {
        if start == end {
            (start, end) = (0, 0)
            if buffer.count > 4 * Self.readBytes { buffer = [UInt8](repeating: 0, count: Self.readBytes) }
        }
        if start > 0 && buffer.count - end < Self.readBytes / 2 {
            buffer.withUnsafeMutableBytes { bytes in
                _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, end - start)
            }
            (start, end) = (0, end - start)
        }
        let needed = end - start >= 4 ? 4 + (try frameLength()) : 0
        if needed > buffer.count - start {
            buffer.append(contentsOf: repeatElement(0, count: needed - (buffer.count - start)))
        }
    }
}
