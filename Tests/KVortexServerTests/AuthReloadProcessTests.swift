import Foundation
import Glibc
import KVortexNet
import Testing

/// SIGHUP to a real `kvortex serve` (docs/operations.md "Rotating tokens"): it reloads
/// `--auth-token-file`, keeps the tokens in use when the new file is refused, and never stops the node.
/// Nodes are stopped by PID (`NodeProcess`), on failure too; every wait polls under a deadline.
@Suite(.serialized) struct AuthReloadProcessTests {
    static let tokenA = "rotate-a-0123456789abcdef"
    static let tokenB = "rotate-b-0123456789abcdef"
    static let tokenC = "rotate-c-0123456789abcdef"
    static let admin = "rotate-admin-0123456789abcdef"

    /// The status of `GET /cluster/members` (a client route) with `token`.
    static func status(_ node: NodeProcess, _ token: String) throws -> Int {
        try node.client().call(.get, "/cluster/members", headers: TokenFiles.bearer(token)).status
    }

    /// Waits until `node`'s `/metrics` holds `line` (metrics are open: no `--protect-metrics`).
    static func waitForMetric(_ node: NodeProcess, _ line: String) throws {
        try waitFor(timeoutSeconds: 15, line) { try node.client().call(.get, "/metrics").text.contains(line + "\n") ? true : nil }
    }

    /// Waits until `node` has logged `line`; fails at once when the node has exited (as SIGHUP's
    /// default action would make it).
    static func waitForLog(_ node: NodeProcess, _ line: String) throws {
        try waitFor(timeoutSeconds: 15, "log line '\(line)'") {
            if node.stderrText.contains(line + "\n") { return true }
            guard node.process.isRunning else {
                throw WaitTimeout(description: "kvortex exited (\(node.process.terminationStatus.map(String.init) ?? "?")) "
                    + "before logging '\(line)': \(node.stderrText)")
            }
            return nil
        }
    }

    @Test func sighupRotatesTheTokensAndKeepsThemWhenTheFileIsRefused() throws {
        let files = try TokenFiles()
        let path = try files.write("node.tokens", "client \(Self.tokenA)\nadmin \(Self.admin)\n")
        let node = try NodeProcess(["--auth-token-file", path])
        defer { node.stop() }
        #expect(try Self.status(node, Self.tokenA) == 200)
        #expect(try Self.status(node, Self.tokenB) == 403)

        _ = try files.write("node.tokens", "# rotated\nclient \(Self.tokenB)\nclient \(Self.tokenC)\nadmin \(Self.admin)\n")
        node.process.send(SIGHUP)
        try waitFor(timeoutSeconds: 15, "token B accepted") { try Self.status(node, Self.tokenB) == 200 ? true : nil }
        #expect(try Self.status(node, Self.tokenA) == 403, "the token no longer listed is refused")
        #expect(try Self.status(node, Self.tokenC) == 200)
        #expect(try node.client().call(.post, "/cluster/join?seed=127.0.0.1:1", headers: TokenFiles.bearer(Self.admin)).status == 202)
        try Self.waitForMetric(node, #"kvortex_auth_token_reloads_total{result="ok"} 1"#)
        try Self.waitForLog(node, "kvortex: reloaded 2 client and 1 admin tokens from \(path)")

        _ = try files.write("node.tokens", "client q7Zp2\nadmin \(Self.admin)\n")
        node.process.send(SIGHUP)
        try Self.waitForMetric(node, #"kvortex_auth_token_reloads_total{result="failed"} 1"#)
        try Self.waitForLog(node, "kvortex: --auth-token-file \(path): line 1: the client token is 5 bytes; use at least 16 random ones "
            + "(openssl rand -hex 32); kept the tokens in use")
        #expect(node.process.isRunning)
        #expect(try Self.status(node, Self.tokenB) == 200, "the tokens in use are kept")
        #expect(try Self.status(node, Self.tokenC) == 200)
        #expect(try Self.status(node, Self.tokenA) == 403)
        #expect(try node.client().call(.get, "/metrics").text.contains(#"kvortex_auth_token_reloads_total{result="ok"} 1"#))

        #expect(node.stop() == 0, "a node that took SIGHUPs still stops gracefully: \(node.stderrText)")
        #expect(!node.stderrText.contains("0123456789") && !node.stderrText.contains("q7Zp2"), "no token in the log: \(node.stderrText)")
    }

    /// Without `--auth-token-file` a SIGHUP is logged and changes nothing; it never stops the node (its
    /// default action would).
    @Test func sighupWithoutATokenFileKeepsTheNodeServing() throws {
        let node = try NodeProcess()
        defer { node.stop() }
        node.process.send(SIGHUP)
        try Self.waitForLog(node, "kvortex: SIGHUP: no --auth-token-file to reload")
        #expect(node.process.isRunning, "exit status \(node.process.terminationStatus.map(String.init) ?? "-")")
        #expect(try node.client().call(.get, "/health").status == 200)
        #expect(try node.client().call(.get, "/get?key=k").status == 404, "still open: no token needed")
        #expect(try node.client().call(.get, "/metrics").text.contains(#"kvortex_auth_token_reloads_total{result="ok"} 0"#))
        #expect(node.stop() == 0)
    }
}
