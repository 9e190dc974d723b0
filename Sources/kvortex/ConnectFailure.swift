import Glibc
import KVortexNet

/// A node `kvortex` could not open a connection to, in the words its messages use:
/// "could not connect to 127.0.0.1:1: Connection refused".
struct ConnectFailure: Error, CustomStringConvertible {
    let address: String
    let reason: String

    /// The reason is the system's for a failed call ("Connection refused"), else the error's own words.
    init(host: String, port: Int, _ error: NetError) {
        address = "\(host):\(port)"
        switch error {
        case .system(_, let code): reason = String(cString: strerror(code))
        case .invalidAddress, .timeout, .closed, .protocolError: reason = error.description
        }
    }

    var description: String { "could not connect to \(address): \(reason)" }
}
