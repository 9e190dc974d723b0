import CEpoll
import Glibc

/// One loop's listening socket (`SO_REUSEPORT`, so the kernel spreads connections over the loops).
/// Loop-confined like a connection.
final class HTTPListener: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    unowned let loop: EventLoop
    let core: HTTPServerCore
    /// Connections accepted per readiness event before yielding to other work.
    static let acceptsPerEventMax = 64

    init(fd: Int32, loop: EventLoop, core: HTTPServerCore) {
        self.fd = fd
        self.loop = loop
        self.core = core
    }

    /// Binds a non-blocking listening socket; returns it with the bound port.
    static func bind(host: String, port: Int) throws(NetError) -> (fd: Int32, port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw .invalidAddress(host)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let code = errno; close(fd); throw .system("bind \(host):\(port)", code) }
        guard listen(fd, 4096) == 0 else { let code = errno; close(fd); throw .system("listen", code) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    func handleEvents(_ events: UInt32) {
        for _ in 0..<Self.acceptsPerEventMax {
            let client = kvortex_accept_nonblocking(fd)
            guard client >= 0 else { return }  // EAGAIN: no more; other errors: try at the next event
            core.counters.add(.accepted)
            let open = core.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            guard open <= core.configuration.connectionsMax, !core.isStopping else {
                refuse(client)
                continue
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = core.adopt(fd: client, loop: loop)
            do {
                try loop.register(client, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: connection)
            } catch {
                connection.close()
            }
        }
    }

    /// Over the connection bound (or stopping): a best-effort 503, then close.
    private func refuse(_ client: Int32) {
        core.counters.hit(.connections)
        var bytes: [UInt8] = []
        HTTPResponse.error(status: 503, code: "too_many_connections",
                           message: "the server holds \(core.configuration.connectionsMax) connections, its limit")
            .serialize(into: &bytes, keepAlive: false, includeBody: true)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        close(client)
        core.counters.add(.closed)
        core.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }
}
