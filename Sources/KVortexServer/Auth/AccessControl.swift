import KVortexNet

/// The bearer-token check of a node started with `--auth-token-file` (API.md "Authentication"): a
/// route that needs a token answers 401 without one, 403 with a token the node does not accept or, on
/// an admin route, with a client token. Refusals are counted by reason for `/metrics`.
///
/// Runs on the event loops, before routing, for every request: it reads the `Authorization` header in
/// place, compares in constant time against every token of both roles (all of them, always: the time
/// does not say which matched, only how many tokens and how long they are), and answers with a response
/// built once. Allocates nothing per request.
final class AccessControl: Sendable {
    let tokens: AccessTokens
    /// `--protect-metrics`: `/health`, `/ready` and `/metrics` need a token too (not `/dashboard`,
    /// which holds no data).
    let protectsOperationalRoutes: Bool
    private let failures = CounterArray(count: Failure.allCases.count)
    private let unauthorized: HTTPResponse
    private let wrongToken: HTTPResponse
    private let notAdmin: HTTPResponse
    /// The same refusals with `Access-Control-Allow-Origin: *`, for the routes a page of another
    /// origin may read (`Route.allowsAnyOrigin`): without it the browser hides the status from the
    /// dashboard, which could not tell "needs a token" from "unreachable". (None of them is an admin route.)
    private let unauthorizedAnyOrigin: HTTPResponse
    private let wrongTokenAnyOrigin: HTTPResponse

    /// Why a request was refused: the `reason` label of `kvortex_http_auth_failures_total`.
    enum Failure: Int, CaseIterable, Sendable {
        /// No `Authorization: Bearer` token: 401.
        case missing
        /// A token the node does not accept: 403.
        case wrong
        /// A client token on an admin route: 403.
        case notAdmin

        var label: String {
            switch self {
            case .missing: "missing"
            case .wrong: "wrong"
            case .notAdmin: "not_admin"
            }
        }
    }

    init(tokens: AccessTokens, protectsOperationalRoutes: Bool) {
        self.tokens = tokens
        self.protectsOperationalRoutes = protectsOperationalRoutes
        var unauthorized = HTTPResponse.error(
            status: 401, code: "unauthorized",
            message: "this endpoint needs a token: send Authorization: Bearer TOKEN (the node was started with --auth-token-file)")
        unauthorized.addHeader("WWW-Authenticate", #"Bearer realm="kvortex""# as StaticString)
        self.unauthorized = unauthorized
        let wrongToken = HTTPResponse.error(status: 403, code: "forbidden", message: "the bearer token is not one this node accepts")
        self.wrongToken = wrongToken
        unauthorizedAnyOrigin = Self.anyOrigin(unauthorized)
        wrongTokenAnyOrigin = Self.anyOrigin(wrongToken)
        notAdmin = .error(status: 403, code: "forbidden",
                          message: "this endpoint needs the admin token; the bearer token sent is the client token")
    }

    private static func anyOrigin(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        response.addHeader("Access-Control-Allow-Origin", "*" as StaticString)
        return response
    }

    /// The answer refusing `request` on `route`, or nil when it may go on. Reads the header only for
    /// a route that needs a token.
    func refusal(for route: Route, _ request: HTTPRequest) -> HTTPResponse? {
        guard let needsAdmin = needsAdmin(route) else { return nil }
        return refusal(needsAdmin: needsAdmin, anyOrigin: route.allowsAnyOrigin, authorization: request.header("Authorization"))
    }

    /// The same check given the `Authorization` header's value (nil when absent).
    func refusal(for route: Route, authorization: UnsafeRawBufferPointer?) -> HTTPResponse? {
        guard let needsAdmin = needsAdmin(route) else { return nil }
        return refusal(needsAdmin: needsAdmin, anyOrigin: route.allowsAnyOrigin, authorization: authorization)
    }

    /// Whether `route` needs the admin token (true), a client or admin token (false), or none (nil).
    private func needsAdmin(_ route: Route) -> Bool? {
        switch route.access {
        case .open: nil
        case .operational: protectsOperationalRoutes ? false : nil
        case .client: false
        case .admin: true
        }
    }

    /// The check proper: the bearer token against every token of both roles, all compared every time; a
    /// refusal is counted under its reason.
    private func refusal(needsAdmin: Bool, anyOrigin: Bool, authorization: UnsafeRawBufferPointer?) -> HTTPResponse? {
        guard let authorization, let token = Self.bearerToken(in: authorization) else { return refuse(.missing, anyOrigin) }
        let isAdmin = Self.matchesAny(token, tokens.admin)
        let isClient = Self.matchesAny(token, tokens.client)
        if needsAdmin { return isAdmin ? nil : refuse(isClient ? .notAdmin : .wrong, anyOrigin) }
        return isAdmin || isClient ? nil : refuse(.wrong, anyOrigin)
    }

    private func refuse(_ failure: Failure, _ anyOrigin: Bool) -> HTTPResponse {
        failures.add(1, at: failure.rawValue)
        switch failure {
        case .missing: return anyOrigin ? unauthorizedAnyOrigin : unauthorized
        case .wrong: return anyOrigin ? wrongTokenAnyOrigin : wrongToken
        case .notAdmin: return notAdmin
        }
    }

    /// Whether `token` is one of `expected`. Compares with each of them in constant time and never stops
    /// at a match: the time depends on how many tokens there are and their lengths, not on which matched.
    private static func matchesAny(_ token: UnsafeRawBufferPointer, _ expected: [[UInt8]]) -> Bool {
        var matchCount = 0
        for candidate in expected {
            matchCount += candidate.withUnsafeBytes { ConstantTime.isEqual(token, $0) } ? 1 : 0
        }
        return matchCount > 0
    }

    /// The token of `Bearer TOKEN` (the scheme in any case, RFC 7235; spaces after it skipped), as a
    /// slice of `value`; nil for another scheme or no token.
    static func bearerToken(in value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let scheme: StaticString = "bearer"
        let schemeCount = scheme.utf8CodeUnitCount
        guard value.count > schemeCount,
              HTTPRequest.equalsIgnoringCase(value, at: 0, UnsafeRawBufferPointer(start: scheme.utf8Start, count: schemeCount))
        else { return nil }
        var start = schemeCount
        guard value[start] == UInt8(ascii: " ") else { return nil }
        while start < value.count && value[start] == UInt8(ascii: " ") { start += 1 }
        guard start < value.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[start...])
    }

    /// Refusals since the start, by reason.
    func failureCount(_ failure: Failure) -> UInt64 {
        failures.value(at: failure.rawValue)
    }

    /// `kvortex_http_auth_failures_total` by reason; every reason at 0 when `control` is nil (no
    /// `--auth-token-file`), so the series exist whatever the configuration.
    static func writeMetrics(of control: AccessControl?, to writer: inout PrometheusWriter) {
        writer.family("kvortex_http_auth_failures_total", .counter,
                      help: "Requests refused for their bearer token, by reason: missing (401), wrong or not_admin (403).")
        for failure in Failure.allCases {
            writer.sample("kvortex_http_auth_failures_total", [("reason", failure.label)], control?.failureCount(failure) ?? 0)
        }
    }
}
