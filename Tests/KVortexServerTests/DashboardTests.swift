import Foundation
import KVortexNet
import Testing

/// `GET /dashboard` against a real node: the page, its headers, that it loads nothing from elsewhere,
/// that every metric it reads exists, and the cross-origin header on exactly the routes it polls.
@Suite(.serialized) struct DashboardTests {
    @Test func dashboardIsOneSelfContainedPageReadingRealMetrics() throws {
        let node = try NodeProcess()
        let client = try node.client()
        let page = try client.call(.get, "/dashboard")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        let html = page.text
        #expect(html.hasPrefix("<!doctype html>"))
        for polled in ["'/metrics'", "'/cluster/members'"] {
            #expect(html.contains(polled), "the page polls \(polled)")
        }
        for external in ["http://", "https://", "<link", " src=", "@import", "url("] {
            #expect(!html.contains(external), "the page must load nothing from elsewhere (found \(external))")
        }
        _ = try client.call(.post, "/set?key=k", body: "v")
        let metrics = try client.call(.get, "/metrics").text
        let names = Set(html.matches(of: /kvortex_[a-z_]+/).map { String($0.output) })
        #expect(names.count >= 15, "names found: \(names.sorted())")
        for name in names.sorted() {
            #expect(metrics.contains(name), "the dashboard reads \(name), which /metrics does not have")
        }
    }

    @Test func headAnswersTheHeadersAndOtherMethodsAre405() throws {
        let node = try NodeProcess()
        let client = try node.client()
        let length = try client.call(.get, "/dashboard").body.count
        let head = try client.call(.head, "/dashboard")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(length))
        #expect(head.header("Content-Type") == "text/html; charset=utf-8")
        for method in [HTTPMethod.post, .put, .delete] {
            let refused = try client.call(method, "/dashboard")
            #expect(refused.status == 405, "\(method)")
            #expect(refused.header("Allow") == "GET, HEAD", "\(method)")
        }
    }

    /// `OPTIONS` on the four cross-origin routes is the CORS preflight a browser sends before a poll
    /// with a token: 204 with the CORS headers, no token needed. Anywhere else `OPTIONS` stays a 405.
    @Test func theCrossOriginRoutesAnswerThePreflight() throws {
        let files = try TokenFiles()
        for flags in [[], ["--auth-token-file", try files.nodeFile(), "--protect-metrics"]] {
            let node = try NodeProcess(flags)
            let client = try node.client()
            let preflight = [("Origin", "http://127.0.0.1:1"), ("Access-Control-Request-Method", "GET"),
                             ("Access-Control-Request-Headers", "authorization")]
            for path in ["/metrics", "/cluster/members", "/health", "/ready"] {
                let reply = try client.call(.options, path, headers: preflight)
                #expect(reply.status == 204, "\(flags) OPTIONS \(path): \(reply.status) \(reply.text)")
                #expect(reply.body.isEmpty, "\(path)")
                #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(path)")
                #expect(reply.header("Access-Control-Allow-Methods") == "GET, HEAD", "\(path)")
                #expect(reply.header("Access-Control-Allow-Headers") == "Authorization", "\(path)")
                #expect(reply.header("Access-Control-Max-Age") == "600", "\(path)")
                let refused = try client.call(.post, path)
                #expect(refused.status == 405, "\(path)")
                #expect(refused.header("Allow") == "GET, HEAD, OPTIONS", "\(path)")
            }
            for path in ["/dashboard", "/get?key=k", "/set?key=k", "/kv/k", "/cluster/ring", "/cluster/join", "/batch", "/admin/partition"] {
                let reply = try client.call(.options, path, headers: preflight)
                #expect(reply.status == 405, "\(flags) OPTIONS \(path): \(reply.status)")
                #expect(reply.header("Allow") != nil, "\(path)")
                #expect(reply.header("Access-Control-Allow-Origin") == nil, "\(path)")
                #expect(reply.header("Access-Control-Allow-Headers") == nil, "\(path)")
            }
            #expect(try client.call(.options, "/nowhere").status == 404)
        }
    }

    /// The page asks for a token when a poll is refused, keeps it in `sessionStorage` only and sends it
    /// as a bearer token on every poll.
    @Test func thePageAsksForATokenAndKeepsItInTheTab() throws {
        let node = try NodeProcess()
        let html = try node.client().call(.get, "/dashboard").text
        for part in ["This node needs a token", "id=\"token-input\"", "type=\"password\"", "Forget token",
                     "sessionStorage.getItem(TOKEN_KEY)", "sessionStorage.setItem(TOKEN_KEY", "sessionStorage.removeItem(TOKEN_KEY)",
                     "Authorization: 'Bearer ' + token", "response.status === 401 || response.status === 403",
                     "The token was refused (403 forbidden)"] {
            #expect(html.contains(part), "the page lacks \(part)")
        }
        #expect(!html.contains("localStorage"), "the token is kept for the tab only")
        #expect(!html.contains("searchParams.set") && !html.contains("history.replaceState"), "the token never goes in the URL")
    }

    @Test func onlyTheRoutesTheDashboardPollsAllowOtherOrigins() throws {
        let node = try NodeProcess()
        let client = try node.client()
        for path in ["/metrics", "/cluster/members", "/health", "/ready"] {
            let reply = try client.call(.get, path)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(path)")
            #expect(reply.header("Cache-Control") == "no-store", "\(path): the page polls with the default cache mode")
        }
        #expect(try client.call(.post, "/set?key=k", body: "v").header("Access-Control-Allow-Origin") == nil)
        for path in ["/get?key=k", "/kv/k", "/cluster/ring", "/dashboard"] {
            let reply = try client.call(.get, path)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.header("Access-Control-Allow-Origin") == nil, "\(path) must not allow other origins")
        }
    }
}
