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

    @Test func onlyTheRoutesTheDashboardPollsAllowOtherOrigins() throws {
        let node = try NodeProcess()
        let client = try node.client()
        for path in ["/metrics", "/cluster/members", "/health", "/ready"] {
            let reply = try client.call(.get, path)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.header("Access-Control-Allow-Origin") == "*", "\(path)")
        }
        #expect(try client.call(.post, "/set?key=k", body: "v").header("Access-Control-Allow-Origin") == nil)
        for path in ["/get?key=k", "/kv/k", "/cluster/ring", "/dashboard"] {
            let reply = try client.call(.get, path)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.header("Access-Control-Allow-Origin") == nil, "\(path) must not allow other origins")
        }
    }
}
