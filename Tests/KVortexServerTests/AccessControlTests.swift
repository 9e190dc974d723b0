@testable import KVortexServer
@testable import KVortexNet
import Testing

/// The check a node with `--auth-token-file` runs before routing (`AccessControl`): which route needs
/// which token, the answers, and the counts by reason.
@Suite struct AccessControlTests {
    static let tokens = AccessTokens(client: [Array("client-0123456789abcdef".utf8)], admin: [Array("admin-0123456789abcdef".utf8)])
    static let clientRoutes: [Route] = [.get, .set, .delete, .kvGet, .kvPut, .kvDelete, .batch, .clusterMembers, .clusterRing, .clusterLocate]
    static let adminRoutes: [Route] = [.clusterJoin, .clusterLeave, .adminPartition]
    static let operationalRoutes: [Route] = [.health, .ready, .metrics]
    /// Never checked, with or without `--protect-metrics`: the page holds no data, a preflight no token.
    static let openRoutes: [Route] = [.dashboard, .preflight, .notFound, .methodNotAllowed]

    /// The status `control` answers for `route` with the header value `authorization` (nil: absent).
    static func status(_ control: AccessControl, _ route: Route, _ authorization: String?) -> Int {
        guard let authorization else { return control.refusal(for: route, authorization: nil)?.status ?? 200 }
        return Array(authorization.utf8).withUnsafeBytes { control.refusal(for: route, authorization: $0)?.status ?? 200 }
    }

    @Test func everyRouteHasItsPlace() {
        for route in Route.allCases {
            let expected: RouteAccess = Self.clientRoutes.contains(route) ? .client
                : Self.adminRoutes.contains(route) ? .admin
                : Self.operationalRoutes.contains(route) ? .operational : .open
            #expect(route.access == expected, "\(route)")
        }
        for route in Self.openRoutes { #expect(route.access == .open, "\(route)") }
    }

    @Test func clientRoutesTakeEitherToken() {
        let control = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        for route in Self.clientRoutes {
            #expect(Self.status(control, route, nil) == 401, "\(route)")
            #expect(Self.status(control, route, "Bearer client-0123456789abcdeX") == 403, "\(route)")
            #expect(Self.status(control, route, "Bearer client-0123456789abcdef") == 200, "\(route)")
            #expect(Self.status(control, route, "Bearer admin-0123456789abcdef") == 200, "\(route)")
        }
    }

    @Test func adminRoutesTakeTheAdminTokenOnly() {
        let control = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        for route in Self.adminRoutes {
            #expect(Self.status(control, route, nil) == 401, "\(route)")
            #expect(Self.status(control, route, "Bearer client-0123456789abcdef") == 403, "\(route)")
            #expect(Self.status(control, route, "Bearer admin-0123456789abcdef") == 200, "\(route)")
        }
        #expect(control.failureCount(.missing) == 3 && control.failureCount(.notAdmin) == 3 && control.failureCount(.wrong) == 0)
    }

    @Test func operationalRoutesNeedATokenOnlyWhenProtected() {
        let open = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        let protected = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: true)
        for route in Self.operationalRoutes + Self.openRoutes {
            #expect(Self.status(open, route, nil) == 200, "\(route)")
            #expect(Self.status(open, route, "Bearer nonsense") == 200, "\(route) is not checked at all")
        }
        for route in Self.operationalRoutes {
            #expect(Self.status(protected, route, nil) == 401, "\(route)")
            #expect(Self.status(protected, route, "Bearer nonsense") == 403, "\(route)")
            #expect(Self.status(protected, route, "Bearer client-0123456789abcdef") == 200, "\(route)")
            #expect(Self.status(protected, route, "Bearer admin-0123456789abcdef") == 200, "\(route)")
        }
        for route in Self.openRoutes {
            #expect(Self.status(protected, route, nil) == 200, "\(route) is never checked (an unknown path stays 404, not 401)")
            #expect(Self.status(protected, route, "Bearer nonsense") == 200, "\(route)")
        }
        #expect(open.failureCount(.missing) + open.failureCount(.wrong) == 0)
    }

    /// `Bearer` in any case, spaces after it; anything else is no bearer token at all (401).
    @Test(arguments: [
        ("bearer client-0123456789abcdef", 200), ("BEARER    client-0123456789abcdef", 200),
        ("Bearer", 401), ("Bearer ", 401), ("Bearerclient-0123456789abcdef", 401), ("Basic Y2xpZW50", 401), ("", 401),
        ("Bearer client-0123456789abcdef ", 403), ("Bearer client-0123456789abcde", 403), ("Bearer client-0123456789abcdeff", 403),
        ("Bearer CLIENT-0123456789abcdef", 403), ("Bearer x", 403),
    ])
    func bearerSyntax(authorization: String, status: Int) {
        let control = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        #expect(Self.status(control, .get, authorization) == status, "'\(authorization)'")
    }

    @Test func refusalsAreTheJSONEnvelope() throws {
        let control = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        let unauthorized = try #require(control.refusal(for: .get, authorization: nil))
        let text = String(decoding: unauthorized.body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"error":"unauthorized","message":"#), "\(text)")
        #expect(String(decoding: unauthorized.headerLines, as: UTF8.self).contains("WWW-Authenticate: Bearer realm=\"kvortex\"\r\n"))
        let forbidden = try #require(Array("Bearer nope".utf8).withUnsafeBytes { control.refusal(for: .clusterJoin, authorization: $0) })
        #expect(String(decoding: forbidden.body, as: UTF8.self).hasPrefix(#"{"error":"forbidden","message":"#))
        #expect(!String(decoding: forbidden.headerLines, as: UTF8.self).contains("WWW-Authenticate"))
    }

    @Test func metricsCountEveryReason() {
        let control = AccessControl(tokens: Self.tokens, protectsOperationalRoutes: false)
        _ = Self.status(control, .get, nil)
        _ = Self.status(control, .get, "Bearer nope")
        _ = Self.status(control, .get, "Bearer nope")
        _ = Self.status(control, .clusterLeave, "Bearer client-0123456789abcdef")
        var writer = PrometheusWriter()
        AccessControl.writeMetrics(of: control, to: &writer)
        #expect(writer.text.contains("kvortex_http_auth_failures_total{reason=\"missing\"} 1\n"))
        #expect(writer.text.contains("kvortex_http_auth_failures_total{reason=\"wrong\"} 2\n"))
        #expect(writer.text.contains("kvortex_http_auth_failures_total{reason=\"not_admin\"} 1\n"))
        var none = PrometheusWriter()
        AccessControl.writeMetrics(of: nil, to: &none)
        #expect(none.text.contains("kvortex_http_auth_failures_total{reason=\"missing\"} 0\n"), "the series exist without tokens too")
    }

    /// A file with only a client line: no token opens the admin routes; with only an admin line, the
    /// admin token is the only one anywhere.
    @Test func oneRoleFiles() {
        let clientOnly = AccessControl(tokens: AccessTokens(client: [Array("client-0123456789abcdef".utf8)], admin: []),
                                       protectsOperationalRoutes: false)
        #expect(Self.status(clientOnly, .get, "Bearer client-0123456789abcdef") == 200)
        #expect(Self.status(clientOnly, .clusterJoin, "Bearer client-0123456789abcdef") == 403)
        let adminOnly = AccessControl(tokens: AccessTokens(client: [], admin: [Array("admin-0123456789abcdef".utf8)]),
                                      protectsOperationalRoutes: false)
        #expect(Self.status(adminOnly, .get, "Bearer admin-0123456789abcdef") == 200)
        #expect(Self.status(adminOnly, .clusterJoin, "Bearer admin-0123456789abcdef") == 200)
        #expect(Self.status(adminOnly, .get, "Bearer client-0123456789abcdef") == 403)
    }
}
