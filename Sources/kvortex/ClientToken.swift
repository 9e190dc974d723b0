import Glibc
import KVortexServer

/// The bearer token a client command (`get`, `set`, `delete`, `cluster`, `bench`) sends to a node
/// started with `--auth-token-file`: read from `--token-file F`, else taken from the environment
/// variable `KVORTEX_TOKEN`, else none. The flag wins over the variable.
///
/// The file holds the token alone: its first line that is neither blank nor a `#` comment, without
/// the blanks around it (so `openssl rand -hex 32 > F` works). The token is never printed.
struct ClientToken {
    static let environmentVariable = "KVORTEX_TOKEN"
    /// The flag every client command accepts, without its dashes.
    static let flag = "token-file"

    enum Source: Equatable {
        case file(String)
        case environment
    }

    let value: String
    let source: Source

    /// `Authorization: Bearer TOKEN`, built once per command and sent on each of its requests.
    var header: (String, String) { ("Authorization", "Bearer " + value) }

    /// The token of `--token-file` or of `KVORTEX_TOKEN` (an empty variable counts as unset); nil when
    /// neither is given. A file that cannot be read or holds no usable token is bad usage (exit 2).
    static func resolve(_ arguments: Arguments) throws(Arguments.Failure) -> ClientToken? {
        if let path = arguments.string(flag) {
            let bytes: [UInt8]
            do throws(ConfigurationError) {
                bytes = try SecretFile.read(path, flag: "--\(flag)").bytes
            } catch {
                throw Arguments.Failure(description: error.description)
            }
            return ClientToken(value: try token(inFile: bytes, path: path), source: .file(path))
        }
        guard let raw = getenv(environmentVariable) else { return nil }
        let value = String(cString: raw).filter { $0 != " " && $0 != "\t" && $0 != "\n" && $0 != "\r" }
        guard !value.isEmpty else { return nil }
        guard SecretFile.isHeaderToken(value.utf8) else {
            throw Arguments.Failure(description: "\(environmentVariable) holds a byte that is not printable ASCII; it must hold the token alone")
        }
        return ClientToken(value: value, source: .environment)
    }

    /// The headers to send with every request: the token's, or none.
    static func headers(_ token: ClientToken?) -> [(String, String)] {
        token.map { [$0.header] } ?? []
    }

    private static func token(inFile bytes: [UInt8], path: String) throws(Arguments.Failure) -> String {
        if let (line, words) = SecretFile.wordLines(bytes).first {
            guard words.count == 1 else {
                throw Arguments.Failure(description: "--\(flag) \(path): line \(line) holds more than one word; the file holds "
                    + "the token alone (not the client TOKEN lines of the node's --auth-token-file)")
            }
            guard SecretFile.isHeaderToken(words[0]) else {
                throw Arguments.Failure(description: "--\(flag) \(path): line \(line) holds a byte that is not printable ASCII")
            }
            return String(decoding: words[0], as: UTF8.self)
        }
        throw Arguments.Failure(description: "--\(flag) \(path) holds no token")
    }

    /// What to print for a node's refusal of the token (a 401, or a 403 whose code is `forbidden`):
    /// "401 unauthorized: this node needs a token: pass --token-file F or set KVORTEX_TOKEN". Nil for
    /// any other answer, a 403 of fault injection included.
    static func refusal(status: Int, body: [UInt8], token: ClientToken?) -> String? {
        let document = try? JSONParser.parse(body)
        let code = document?["error"]?.stringValue
        let message = document?["message"]?.stringValue ?? ""
        switch (status, code) {
        case (401, _) where token == nil:
            return "401 unauthorized: this node needs a token: pass --\(flag) F or set \(environmentVariable)"
        case (401, _), (403, "forbidden"):
            let from = token.map { " (the token came from \($0.sourceText))" } ?? ""
            return "\(status) \(code ?? "unauthorized"): \(message)\(from)"
        default:
            return nil
        }
    }

    var sourceText: String {
        switch source {
        case .file(let path): "--\(Self.flag) \(path)"
        case .environment: Self.environmentVariable
        }
    }
}
