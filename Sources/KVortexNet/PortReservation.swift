import Glibc

/// Holds a TCP port without listening on it, so a node asked for port 0 can know its address (its
/// node ID, the address it gossips) before its listeners exist.
///
/// The socket is bound with `SO_REUSEPORT` and never listens: our own listeners (also `SO_REUSEPORT`,
/// same user) bind the same port afterwards, no connection is ever queued on the reservation, and no
/// other user's process can take the port meanwhile. A port already in use is refused (`EADDRINUSE`),
/// even by a listener of another node of ours. Release it once the listeners are bound.
public final class PortReservation: @unchecked Sendable {
    public let port: Int
    private var fd: Int32

    /// Reserves `port` on `host`, or a free port when `port` is 0.
    public init(host: String, port: Int) throws(NetError) {
        // A plain bind first: it fails when anything holds the port, even another process's
        // SO_REUSEPORT listener, which the reserving bind below would silently share traffic with.
        let (probe, free) = try BoundSocket.make(host: host, port: port, nonBlocking: false, reusePort: false)
        close(probe)
        (fd, self.port) = try BoundSocket.make(host: host, port: free, nonBlocking: false)
    }

    /// Gives the port up (the listeners bound to it keep it). Idempotent.
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit {
        release()
    }
}
