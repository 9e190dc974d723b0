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
        let (fd, bound) = try BoundSocket.make(host: host, port: port, nonBlocking: true)
        guard listen(fd, 4096) == 0 else { let code = errno; close(fd); throw .system("listen", code) }
        return (fd, bound)
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
                           message: "the server is at its limit of open connections (\(core.configuration.connectionsMax))")
            .serialize(into: &bytes, keepAlive: false, includeBody: true)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        close(client)
        core.counters.add(.closed)
        core.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }
}
