/// What reading `--auth-token-file` again did (SIGHUP; docs/operations.md "Rotating tokens"), as the
/// serve command logs it. No case holds a token: the reason of a refusal names the file and the line.
public enum AccessTokenReload: Equatable, Sendable, CustomStringConvertible {
    /// The node was started without the file: it stays open (a reload never turns tokens on).
    case noTokenFile
    /// The file's tokens are in use for every request checked from now on.
    case reloaded(clientCount: Int, adminCount: Int, path: String)
    /// The file was refused as it would be at start; the tokens in use were kept.
    case failed(reason: String)

    /// The log line, without the `kvortex: ` prefix.
    public var description: String {
        switch self {
        case .noTokenFile: "SIGHUP: no --auth-token-file to reload"
        case .reloaded(let clientCount, let adminCount, let path):
            "reloaded \(clientCount) client and \(adminCount) admin tokens from \(path)"
        case .failed(let reason): "\(reason); kept the tokens in use"
        }
    }
}

extension AccessControl {
    /// Reads and parses `path` with the rules of the start (`AccessTokens.read`); puts the tokens in use
    /// when the file is accepted, keeps those in use when it is refused, and counts the result. Leaves
    /// `protectsOperationalRoutes` unchanged.
    func reload(from path: String) -> AccessTokenReload {
        do throws(ConfigurationError) {
            let tokens = try AccessTokens.read(path)
            replace(tokens)
            countReload(.ok)
            return .reloaded(clientCount: tokens.client.count, adminCount: tokens.admin.count, path: path)
        } catch {
            countReload(.failed)
            return .failed(reason: error.description)
        }
    }
}
