/// The tokens of `--auth-token-file` (API.md "Authentication"): client tokens, accepted on the client
/// endpoints, and admin tokens, accepted everywhere and the only ones that open the admin endpoints
/// (`/cluster/join`, `/cluster/leave`, `/admin/partition`).
///
/// The file (docs/decisions.md "Client authentication: the token file"): one token per line, as
/// `client TOKEN` and `admin TOKEN`, or one bare `TOKEN` alone, which is then both; blank lines and lines
/// starting with `#` are skipped. A role may have several lines, each token accepted alike, so that an
/// operator can overlap an old and a new token while rotating them (SIGHUP reloads the file). A file
/// naming only one role leaves the other without tokens of its own: with `admin` alone the admin tokens
/// are also the only client tokens; with `client` alone no token opens the admin endpoints. Its
/// description never shows the tokens, only how many there are.
public struct AccessTokens: Sendable, Equatable {
    /// Each opens the client endpoints (and, with `--protect-metrics`, the operational ones); empty:
    /// only the admin tokens do.
    public let client: [[UInt8]]
    /// Each opens every endpoint; empty: no token opens the admin endpoints.
    public let admin: [[UInt8]]

    /// Shortest token accepted: a token is a random string (`openssl rand -hex 32`), not a password.
    public static let tokenBytesMin = 16
    /// Most token lines in one file, client and admin together: room for the tokens of many applications,
    /// old and new side by side during a rotation, and a bound on the check of each request, which
    /// compares the token sent with every token of its role.
    public static let tokensMax = 64
    /// Longest token file: `tokensMax` lines of `client` and a 64-hex-digit token (72 bytes each) fit,
    /// with room for comments. (Other secret files keep `SecretFile.fileBytesMax`.)
    public static let fileBytesMax = 8192

    public enum Role: String, Sendable, CaseIterable {
        case client, admin
    }

    public init(client: [[UInt8]], admin: [[UInt8]]) {
        precondition(!client.isEmpty || !admin.isEmpty, "access tokens without any token")
        precondition(client.count + admin.count <= Self.tokensMax,
                     "\(client.count) client and \(admin.count) admin tokens: over \(Self.tokensMax)")
        self.client = client
        self.admin = admin
    }

    /// One token for everything: the bare-token form of the file.
    public init(token: [UInt8]) {
        self.init(client: [token], admin: [token])
    }

    /// Why a token file was refused, in words that name lines, never tokens.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads and parses `path`; refusals name the flag and the file. Logs a warning (without the
    /// tokens) when users other than the owner may access the file, as ssh does; does not refuse it.
    /// The same at start and on every reload (SIGHUP).
    public static func read(_ path: String) throws(ConfigurationError) -> AccessTokens {
        let flag = "--auth-token-file"
        let file = try SecretFile.read(path, flag: flag, bytesMax: fileBytesMax)
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
    /// How many tokens of each role, never their bytes.
    public var description: String {
        "AccessTokens(client: \(client.count), admin: \(admin.count))"
    }

    public var debugDescription: String { description }

    /// No children: `dump` and the debugger show the description only, never the token bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
