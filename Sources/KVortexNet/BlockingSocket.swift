import Glibc

/// Blocking socket calls for the HTTP client and the peer transport's threads: connect with a timeout,
/// whole-buffer send, exact reads. Each throws `NetError` on failure (`.closed` when the other side
/// reset or closed the connection); the caller closes the socket.
enum BlockingSocket {
    /// Connects to `host:port`; send and receive time out after `timeoutMs`.
    static func connect(host: String, port: Int, timeoutMs: Int) throws(NetError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            close(fd)
            throw .invalidAddress(host)
        }
        setTimeouts(fd, ms: timeoutMs)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { let code = errno; close(fd); throw .system("connect to \(host):\(port)", code) }
        return fd
    }

    static func setTimeouts(_ fd: Int32, ms: Int) {
        var timeout = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws(NetError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { offset += sent; continue }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EPIPE || errno == ECONNRESET) { throw .closed }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timeout("send") }
            throw sent < 0 ? .system("send", errno) : .closed
        }
    }

    /// Reads exactly `count` bytes; `.closed` at end of stream, `.timeout` when the receive timeout hits.
    static func read(_ fd: Int32, count: Int) throws(NetError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let received = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + done, count - done, 0) }
            if received > 0 { done += received; continue }
            if received == 0 { throw .closed }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout("receive") }
            throw .system("recv", errno)
        }
        return bytes
    }

    /// Reads one frame: `length u32 LE` then `length` bytes; returns the whole frame, length included.
    static func readFrame(_ fd: Int32, frameBytesMax: Int) throws(NetError) -> [UInt8] {
        let header = try read(fd, count: 4)
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        guard length >= 1, length <= frameBytesMax else { throw .protocolError("frame of \(length) bytes (1...\(frameBytesMax))") }
        return header + (try read(fd, count: length))
    }
}
