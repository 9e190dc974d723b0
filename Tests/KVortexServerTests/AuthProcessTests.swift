import Foundation
import KVortexNet
import KVortexServer
import Testing

/// `kvortex serve --auth-token-file` against the real binary (API.md "Authentication"): which
/// endpoint answers what without a token, with a wrong one, with the client and with the admin token;
/// `--protect-metrics`; token files refused at start; and that no token reaches the log.
@Suite(.serialized) struct AuthProcessTests {
    /// One request to a client endpoint: method, target, body, and the status a good token gets.
    struct Call: CustomStringConvertible {
        let method: HTTPMethod
        let target: String
        var body = ""
        let allowed: Int

        var description: String { "\(method.token) \(target)" }
    }

    static let clientCalls = [
        Call(method: .post, target: "/set?key=k", body: "v", allowed: 204),
        Call(method: .get, target: "/get?key=k", allowed: 200),
        Call(method: .head, target: "/get?key=k", allowed: 200),
        Call(method: .delete, target: "/delete?key=k", allowed: 204),
        Call(method: .put, target: "/kv/k", body: "v", allowed: 204),
        Call(method: .get, target: "/kv/k", allowed: 200),
        Call(method: .delete, target: "/kv/k", allowed: 204),
        Call(method: .post, target: "/batch", body: #"{"ops":[{"op":"get","key":"k"}]}"#, allowed: 200),
        Call(method: .get, target: "/cluster/members", allowed: 200),
        Call(method: .get, target: "/cluster/ring", allowed: 200),
        Call(method: .get, target: "/cluster/locate?key=k", allowed: 200),
    ]
    /// The admin endpoints, with what the admin token gets on a node alone with fault injection on.
    static let adminCalls = [
        Call(method: .post, target: "/cluster/join?seed=127.0.0.1:1", allowed: 202),
        Call(method: .post, target: "/cluster/leave", allowed: 409),  // the last member: it stays
        Call(method: .post, target: "/admin/partition", body: #"{"isolate":[]}"#, allowed: 204),
        Call(method: .delete, target: "/admin/partition", allowed: 204),
    ]
    static let operationalCalls = [
        Call(method: .get, target: "/health", allowed: 200),
        Call(method: .get, target: "/ready", allowed: 200),
        Call(method: .get, target: "/metrics", allowed: 200),
        Call(method: .head, target: "/metrics", allowed: 200),
    ]
    /// Open whatever the flags: the dashboard page (no data in it; the routes it polls keep their
    /// protection) and the CORS preflights (a browser sends them without credentials).
    static let alwaysOpenCalls = [
        Call(method: .get, target: "/dashboard", allowed: 200),
        Call(method: .head, target: "/dashboard", allowed: 200),
        Call(method: .options, target: "/metrics", allowed: 204),
        Call(method: .options, target: "/cluster/members", allowed: 204),
        Call(method: .options, target: "/health", allowed: 204),
        Call(method: .options, target: "/ready", allowed: 204),
    ]

    static func send(_ node: NodeProcess, _ call: Call, token: String?) throws -> Reply {
        try node.client().call(call.method, call.target, headers: token.map(TokenFiles.bearer) ?? [], body: call.body)
    }

    /// The refusal's status, JSON code and `WWW-Authenticate` (HEAD answers carry no body).
    static func expectRefused(_ reply: Reply, _ status: Int, _ call: Call, _ what: String) {
        #expect(reply.status == status, "\(call) \(what): \(reply.status) \(reply.text)")
        if call.method != .head {
            #expect(reply.json?["error"] as? String == (status == 401 ? "unauthorized" : "forbidden"), "\(call) \(what): \(reply.text)")
            #expect(reply.json?["message"] as? String != nil, "\(call) \(what)")
        }
        #expect((reply.header("WWW-Authenticate") == #"Bearer realm="kvortex""#) == (status == 401), "\(call) \(what)")
    }

    @Test func eachClassOfEndpointAnswersByToken() throws {
        let files = try TokenFiles()
        // Last write wins: the calls write `k` blind again and again, and reads expect one value (200).
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile(), "--enable-fault-injection", "--conflicts", "lww"])
        for call in Self.clientCalls {
            Self.expectRefused(try Self.send(node, call, token: nil), 401, call, "without a token")
            Self.expectRefused(try Self.send(node, call, token: TokenFiles.wrong), 403, call, "with a wrong token")
            for token in [TokenFiles.client, TokenFiles.admin] {
                let reply = try Self.send(node, call, token: token)
                #expect(reply.status == call.allowed, "\(call) with \(token.prefix(6)): \(reply.status) \(reply.text)")
                if call.target.hasPrefix("/delete") || call.method == .delete {  // deleted: write it again for the next call
                    _ = try Self.send(node, Self.clientCalls[0], token: TokenFiles.client)
                }
            }
        }
        for call in Self.adminCalls {
            Self.expectRefused(try Self.send(node, call, token: nil), 401, call, "without a token")
            Self.expectRefused(try Self.send(node, call, token: TokenFiles.wrong), 403, call, "with a wrong token")
            let client = try Self.send(node, call, token: TokenFiles.client)
            Self.expectRefused(client, 403, call, "with the client token")
            #expect(client.json?["message"] as? String == "this endpoint needs the admin token; the bearer token sent is the client token")
            let admin = try Self.send(node, call, token: TokenFiles.admin)
            #expect(admin.status == call.allowed, "\(call) with the admin token: \(admin.status) \(admin.text)")
        }
        for call in Self.operationalCalls + Self.alwaysOpenCalls {
            #expect(try Self.send(node, call, token: nil).status == call.allowed, "\(call) stays open without --protect-metrics")
        }
        let client = try node.client()
        #expect(try client.call(.get, "/nowhere").status == 404, "an unknown path is 404 with or without a token")
        #expect(try client.call(.patch, "/get?key=k").status == 405)

        let metrics = try client.call(.get, "/metrics").text
        let missing = Self.clientCalls.count + Self.adminCalls.count
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"missing\"} \(missing)\n"), "\(metrics)")
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"wrong\"} \(missing)\n"))
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"not_admin\"} \(Self.adminCalls.count)\n"))
        #expect(metrics.contains("kvortex_http_requests_total{route=\"get\",status=\"401\"} 2\n"), "GET and HEAD /get")
        #expect(metrics.contains("kvortex_http_requests_total{route=\"cluster_join\",status=\"403\"} 2\n"))
        #expect(node.stop() == 0)
        #expect(!node.stderrText.contains("0123456789"), "no token in the log: \(node.stderrText)")
    }

    @Test func protectMetricsClosesTheOperationalEndpoints() throws {
        let files = try TokenFiles()
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile(), "--protect-metrics"])
        for call in Self.operationalCalls {
            Self.expectRefused(try Self.send(node, call, token: nil), 401, call, "without a token")
            Self.expectRefused(try Self.send(node, call, token: TokenFiles.wrong), 403, call, "with a wrong token")
            for token in [TokenFiles.client, TokenFiles.admin] {
                #expect(try Self.send(node, call, token: token).status == call.allowed, "\(call) with \(token.prefix(6))")
            }
        }
        let metrics = try Self.send(node, Self.operationalCalls[2], token: TokenFiles.client).text
        #expect(metrics.contains("kvortex_http_requests_total{route=\"health\",status=\"401\"} 1\n"), "\(metrics)")
    }

    /// Under `--protect-metrics` the page still loads (it holds no data) and the preflights answer
    /// without a token, while the data the page polls stays refused without one.
    @Test func protectMetricsLeavesThePageAndThePreflightsOpen() throws {
        let files = try TokenFiles()
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile(), "--protect-metrics"])
        for call in Self.alwaysOpenCalls {
            for token in [nil, TokenFiles.wrong, TokenFiles.client] {
                #expect(try Self.send(node, call, token: token).status == call.allowed, "\(call) with \(token?.prefix(6) ?? "no token")")
            }
        }
        let page = try Self.send(node, Self.alwaysOpenCalls[0], token: nil)
        #expect(page.text.contains("id=\"token-input\""), "the page asks for the token it needs")
        #expect(!page.text.contains(TokenFiles.client), "no token in the page")
        for path in ["/metrics", "/cluster/members", "/health", "/ready"] {
            let call = Call(method: .get, target: path, allowed: 200)
            // The refusals too may be read by a page of another origin: it tells "needs a token" from "unreachable".
            for (token, status) in [(nil, 401), (TokenFiles.wrong, 403)] {
                let refused = try Self.send(node, call, token: token)
                Self.expectRefused(refused, status, call, token == nil ? "without a token" : "with a wrong token")
                #expect(refused.header("Access-Control-Allow-Origin") == "*", "\(call) refused \(status)")
            }
            // As the page polls another member: with an Origin and the client token.
            let reply = try node.client().call(.get, path, headers: [("Origin", "http://127.0.0.1:1")] + TokenFiles.bearer(TokenFiles.client))
            #expect(reply.status == 200, "\(path) with the client token: \(reply.status) \(reply.text)")
            #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(path)")
        }
        for target in ["/cluster/ring", "/get?key=k"] {
            let refused = try Self.send(node, Call(method: .get, target: target, allowed: 200), token: nil)
            #expect(refused.status == 401 && refused.header("Access-Control-Allow-Origin") == nil, "\(target) is for no other origin")
        }
        let metrics = try Self.send(node, Call(method: .get, target: "/metrics", allowed: 200), token: TokenFiles.client).text
        #expect(metrics.contains("kvortex_http_requests_total{route=\"preflight\",status=\"204\"} 12\n"), "\(metrics)")
        #expect(metrics.contains("kvortex_http_requests_total{route=\"dashboard\",status=\"200\"} 7\n"), "\(metrics)")
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"missing\"} 6\n"), "\(metrics)")
    }

    /// Without `--auth-token-file` nothing changes: every endpoint open, the failure series at 0.
    @Test func withoutATokenFileEverythingIsOpen() throws {
        let node = try NodeProcess()
        for call in Self.clientCalls + Self.operationalCalls {
            #expect(try Self.send(node, call, token: nil).status == call.allowed, "\(call)")
        }
        #expect(try Self.send(node, Self.adminCalls[0], token: TokenFiles.wrong).status == 202, "a token is ignored")
        #expect(try node.client().call(.get, "/metrics").text.contains("kvortex_http_auth_failures_total{reason=\"missing\"} 0\n"))
    }

    /// A bare token opens everything; a file others may read is used, with a warning naming it.
    @Test func aBareTokenInAFileOthersCanRead() throws {
        let files = try TokenFiles()
        let path = try files.write("bare.tokens", TokenFiles.admin + "\n", mode: 0o644)
        let node = try NodeProcess(["--auth-token-file", path])
        #expect(try Self.send(node, Self.adminCalls[0], token: TokenFiles.admin).status == 202)
        #expect(try Self.send(node, Self.clientCalls[0], token: TokenFiles.admin).status == 204)
        #expect(try Self.send(node, Self.clientCalls[0], token: TokenFiles.client).status == 403)
        #expect(node.stderrText.contains("kvortex: warning: --auth-token-file \(path) is readable by other users (chmod 600 it)\n"),
                "\(node.stderrText)")
        #expect(!node.stderrText.contains("0123456789"))
    }

    /// `count` client lines, each with its own token.
    static func tokenLines(_ count: Int) -> String {
        (1...count).map { "client token-\($0)-0123456789abcdef\n" }.joined()
    }

    @Test func badTokenFilesAreRefusedWithStatus2() throws {
        let files = try TokenFiles()
        let cases: [(String?, String)] = [
            (nil, "No such file or directory"),
            ("", "holds no token"),
            ("# only a comment\n\n", "holds no token"),
            ("client 0123456789abc\n", "line 1: the client token is 13 bytes; use at least 16"),
            ("client 0123456789 abcdef0123\n", "line 1: the client token holds a space or a tab"),
            ("reader 0123456789abcdef0123\n", "line 1: unknown role"),
            ("admin 0123456789abcdef0123\nadmin 0123456789abcdef0123\n", "line 2: the admin token of line 1 again"),
            (Self.tokenLines(AccessTokens.tokensMax + 1), "line \(AccessTokens.tokensMax + 1): more than \(AccessTokens.tokensMax) token lines"),
        ]
        for (index, (text, message)) in cases.enumerated() {
            let path = try text.map { try files.write("bad-\(index)", $0) } ?? files.directory + "/missing"
            let run = try CLIRun.kvortex(["serve", "--http", "127.0.0.1:0", "--auth-token-file", path], timeoutSeconds: 20)
            #expect(run.status == 2, "\(message): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.hasPrefix("kvortex serve: --auth-token-file \(path)"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").first?.contains(message) == true, "\(run.stderr)")
            #expect(!run.stderr.contains("0123456789"), "no token in the message: \(run.stderr)")
            #expect(!run.stdout.contains("kvortex ready"))
        }
        let unprotected = try CLIRun.kvortex(["serve", "--http", "127.0.0.1:0", "--protect-metrics"], timeoutSeconds: 20)
        #expect(unprotected.status == 2, "\(unprotected.stderr)")
        #expect(unprotected.stderr.hasPrefix("kvortex serve: --protect-metrics ") && unprotected.stderr.contains("--auth-token-file"),
                "\(unprotected.stderr)")
    }
}
