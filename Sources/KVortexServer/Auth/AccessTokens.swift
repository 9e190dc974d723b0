/// The tokens of `--auth-token-file` (API.md "Authentication"): a client token, accepted on the client
/// endpoints, and an admin token, accepted everywhere and the only one that opens the admin endpoints
/// (`/cluster/join`, `/cluster/leave`, `/admin/partition`).
///
/// The file (docs/decisions.md "Client authentication: the token file"): one token per line, as
/// `client TOKEN` and `admin TOKEN`, or one bare `TOKEN` alone, which is then both; blank lines and lines
/// starting with `#` are skipped. A file naming only one role leaves the other without a token of its
/// own: with `admin` alone the admin token is also the only client token; with `client` alone no token
/// opens the admin endpoints. Its description never shows the tokens.
public struct AccessTokens: Sendable, Equatable {
    /// Opens the client endpoints (and, with `--protect-metrics`, the operational ones); nil: only the
    /// admin token does.
    public let client: [UInt8]?
    /// Opens every endpoint; nil: no token opens the admin endpoints.
    public let admin: [UInt8]?

    /// Shortest token accepted: a token is a random string (`openssl rand -hex 32`), not a password.
    public static let tokenBytesMin = 16

    public enum Role: String, Sendable, CaseIterable {
        case client, admin
    }

    public init(client: [UInt8]?, admin: [UInt8]?) {
        precondition(client != nil || admin != nil, "access tokens without any token")
        self.client = client
        self.admin = admin
    }

    /// One token for everything: the bare-token form of the file.
    public init(token: [UInt8]) {
        self.init(client: token, admin: token)
    }

    /// Why a token file was refused, in words that name lines, never tokens.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads and parses `path`; refusals name the flag and the file. Logs a warning (without the
    /// tokens) when users other than the owner may access the file, as ssh does; does not refuse it.
    public static func read(_ path: String) throws(ConfigurationError) -> AccessTokens {
        let flag = "--auth-token-file"
        let file = try SecretFile.read(path, flag: flag)
        let tokens: AccessTokens
        do throws(Refusal) {
            tokens = try parse(file.bytes)
        } catch {
            throw .invalid("\(flag) \(path): \(error)")
        }
        if file.isAccessibleByOthers { Log.line(SecretFile.sharedFileWarning(flag: flag, path: path)) }
        return tokens
    }
}

extension AccessTokens: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "AccessTokens(client: \(client == nil ? "none" : "set"), admin: \(admin == nil ? "none" : "set"))"
    }

    public var debugDescription: String { description }

    /// No children: `dump` and the debugger show the description only, never the token bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
