/// Why the load generator could not use a connection.
public enum BenchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case system(String, Int32)
    case invalidAddress(String)
    /// The connection to `address` could not be opened: refused, unroutable, or no answer in time.
    case unreachable(address: String, reason: String)
    /// The server closed the connection.
    case closed
    /// No answer (or no connection) within the timeout.
    case timeout(String)
    /// The response could not be read (see `ResponseHead`).
    case protocolError(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed with errno \(code)"
        case .invalidAddress(let host): "invalid IPv4 address '\(host)'"
        case .unreachable(let address, let reason): "could not connect to \(address): \(reason)"
        case .closed: "connection closed by the server"
        case .timeout(let what): "timed out \(what)"
        case .protocolError(let reason): "unreadable response: \(reason)"
        }
    }
}
