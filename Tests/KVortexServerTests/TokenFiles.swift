import Foundation
import Glibc

/// Token files for the authentication tests, in a temporary directory removed with the value.
final class TokenFiles {
    /// The tokens of `nodeFile`: 29 and 30 bytes of printable ASCII.
    static let client = "client-token-0123456789abcdef"
    static let admin = "admin-token-0123456789abcdef01"
    static let wrong = "wrong-token-0123456789abcdef0"

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "kvortex-tokens-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `text` to `directory/name` with permissions `mode`; returns the path.
    func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        guard chmod(path, mode) == 0 else { throw ChildProcessError(description: "chmod \(path) failed") }
        return path
    }

    /// The node's `--auth-token-file`, with both roles, a comment and a blank line.
    func nodeFile() throws -> String {
        try write("node.tokens", "# KVortex tokens\nclient \(Self.client)\n\nadmin \(Self.admin)\n")
    }

    /// A client's `--token-file` holding `token` alone.
    func clientFile(_ token: String, name: String? = nil) throws -> String {
        try write(name ?? "client-\(token.prefix(5)).token", token + "\n")
    }

    static func bearer(_ token: String) -> [(String, String)] {
        [("Authorization", "Bearer \(token)")]
    }
}
