import Glibc

/// Reads peer frames (`length u32 LE`, then the body) from a blocking socket through one buffer: a
/// `recv` takes whatever has arrived, often many frames, instead of two reads per frame (header,
/// body), which were a third of a cluster request's system calls.
struct PeerFrameReader {
    /// Bytes asked of the kernel per `recv` at least.
    static let readBytes = 64 << 10
    let fd: Int32
    let frameBytesMax: Int
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32, frameBytesMax: Int) {
        self.fd = fd
        self.frameBytesMax = frameBytesMax
        buffer.reserveCapacity(Self.readBytes)
    }

    /// The next whole frame (length prefix included). Throws when the peer closes, the socket fails,
    /// or a frame's length is out of bounds (a protocol error: the stream cannot be trusted).
    mutating func next() throws(NetError) -> [UInt8] {
        while true {
            let available = buffer.count - start
            if available >= 4 {
                let length = Int(UInt32(buffer[start]) | UInt32(buffer[start + 1]) << 8
                                 | UInt32(buffer[start + 2]) << 16 | UInt32(buffer[start + 3]) << 24)
                guard length >= 1, length <= frameBytesMax else {
                    throw .protocolError("frame of \(length) bytes (1...\(frameBytesMax))")
                }
                if available >= 4 + length {
                    let frame = Array(buffer[start..<(start + 4 + length)])
                    start += 4 + length
                    return frame
                }
            }
            try fill()
        }
    }

    /// Moves what is left to the front, then appends what the socket has (waiting for at least a byte).
    private mutating func fill() throws(NetError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.readBytes))
        let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + old, Self.readBytes, 0) }
        buffer.removeLast(Self.readBytes - max(0, received))
        if received == 0 { throw .closed }
        if received < 0 {
            if errno == EINTR { return }
            throw .system("recv", errno)
        }
    }
}
