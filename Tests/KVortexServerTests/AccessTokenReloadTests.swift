import Foundation
@testable import KVortexServer
import Testing

/// Reloading `--auth-token-file` in a running node (`AccessControl.reload(from:)`, what SIGHUP does):
/// an accepted file's tokens replace those in use, a refused one changes nothing, and both are counted.
@Suite struct AccessTokenReloadTests {
    static let old = "old-client-0123456789abcdef"
    static let new = "new-client-0123456789abcdef"
    static let other = "other-client-0123456789abcdef"
    static let admin = "the-admin-0123456789abcdef"

    static func control() -> AccessControl {
        AccessControl(tokens: AccessTokens(client: [Array(old.utf8)], admin: [Array(admin.utf8)]), protectsOperationalRoutes: false)
    }

    static func status(_ control: AccessControl, _ token: String, on route: Route = .get) -> Int {
        Array("Bearer \(token)".utf8).withUnsafeBytes { control.refusal(for: route, authorization: $0)?.status ?? 200 }
    }

    static func metrics(_ control: AccessControl?) -> String {
        var writer = PrometheusWriter()
        AccessControl.writeMetrics(of: control, to: &writer)
        return writer.text
    }

    @Test func anAcceptedFileReplacesTheTokensInUse() throws {
        let files = try TokenFiles()
        let control = Self.control()
        let path = try files.write("node.tokens", "client \(Self.new)\nclient \(Self.other)\nadmin \(Self.admin)\n")
        let outcome = control.reload(from: path)
        #expect(outcome == .reloaded(clientCount: 2, adminCount: 1, path: path))
        #expect(outcome.description == "reloaded 2 client and 1 admin tokens from \(path)")
        #expect(Self.status(control, Self.old) == 403, "the old token is gone")
        #expect(Self.status(control, Self.new) == 200 && Self.status(control, Self.other) == 200)
        #expect(Self.status(control, Self.admin, on: .clusterJoin) == 200)
        #expect(control.reloadCount(.ok) == 1 && control.reloadCount(.failed) == 0)
        #expect(Self.metrics(control).contains("kvortex_auth_token_reloads_total{result=\"ok\"} 1\n"))
    }

    @Test(arguments: [
        ("client q7Zp2\n", "line 1: the client token is 5 bytes"),
        ("", "holds no token"),
        ("# nothing but a comment\n", "holds no token"),
        ("client new-client-0123456789abcdef\nclient new-client-0123456789abcdef\n", "line 2: the client token of line 1 again"),
        (nil, "No such file or directory"),
    ] as [(String?, String)])
    func aRefusedFileKeepsTheTokensInUse(text: String?, reason: String) throws {
        let files = try TokenFiles()
        let control = Self.control()
        let path = try text.map { try files.write("node.tokens", $0) } ?? files.directory + "/missing"
        let outcome = control.reload(from: path)
        guard case .failed(let message) = outcome else {
            Issue.record("accepted: \(outcome)")
            return
        }
        #expect(message.hasPrefix("--auth-token-file \(path)") && message.contains(reason), "\(message)")
        #expect(outcome.description == message + "; kept the tokens in use")
        #expect(!message.contains("q7Zp2") && !message.contains("0123456789"), "no token in the log line: \(message)")
        #expect(Self.status(control, Self.old) == 200, "the tokens in use are kept")
        #expect(Self.status(control, Self.admin, on: .clusterJoin) == 200)
        #expect(Self.status(control, Self.new) == 403)
        #expect(control.reloadCount(.failed) == 1 && control.reloadCount(.ok) == 0)
    }

    /// The family is on `/metrics` with its help and type, at 0 on a node without tokens.
    @Test func theReloadSeriesExistWithoutTokens() {
        let text = Self.metrics(nil)
        #expect(text.contains("# HELP kvortex_auth_token_reloads_total Reloads of --auth-token-file on SIGHUP"))
        #expect(text.contains("# TYPE kvortex_auth_token_reloads_total counter\n"))
        #expect(text.contains("kvortex_auth_token_reloads_total{result=\"ok\"} 0\n"))
        #expect(text.contains("kvortex_auth_token_reloads_total{result=\"failed\"} 0\n"))
        #expect(AccessTokenReload.noTokenFile.description == "SIGHUP: no --auth-token-file to reload")
    }

    /// Swapped back and forth while checked from another thread: a token in both sets is never
    /// refused, one in neither is never accepted (each check sees one whole set).
    @Test func checksDuringSwapsSeeOneWholeSet() async {
        let control = Self.control()
        let first = AccessTokens(client: [Array(Self.old.utf8), Array(Self.new.utf8)], admin: [Array(Self.admin.utf8)])
        let second = AccessTokens(client: [Array(Self.other.utf8), Array(Self.new.utf8)], admin: [])
        let swapCount = 2_000
        let checker = Task.detached {
            var wrongCount = 0
            for _ in 0..<swapCount {
                if Self.status(control, Self.new) != 200 { wrongCount += 1 }
                if Self.status(control, "wrong-token-0123456789abcdef") != 403 { wrongCount += 1 }
            }
            return wrongCount
        }
        for index in 0..<swapCount { control.replace(index.isMultiple(of: 2) ? first : second) }
        #expect(await checker.value == 0)
    }
}
