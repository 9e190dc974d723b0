import Glibc

/// Opens the load generator's sockets: IPv4, TCP_NODELAY, non-blocking once connected.
enum NonBlockingSocket {
    /// Connects to `host:port` (an IPv4 address or `localhost`), waiting at most `timeoutMs`.
    static func connect(host: String, port: Int, timeoutMs: Int) throws(BenchError) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw .invalidAddress(host)
        }
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, kind, 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return fd }
        guard errno == EINPROGRESS else { let code = errno; close(fd); throw .unreachable(address: "\(host):\(port)", reason: reason(code)) }
        do throws(BenchError) {
            try awaitConnected(fd, timeoutMs: timeoutMs, what: "\(host):\(port)")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func awaitConnected(_ fd: Int32, timeoutMs: Int, what: String) throws(BenchError) {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&entry, 1, Int32(timeoutMs)) } while ready < 0 && errno == EINTR
        guard ready > 0 else { throw ready == 0 ? .unreachable(address: what, reason: "no answer within \(timeoutMs) ms") : .system("poll", errno) }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        guard code == 0 else { throw .unreachable(address: what, reason: reason(code)) }
    }

    /// The system's words for `code` ("Connection refused").
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
