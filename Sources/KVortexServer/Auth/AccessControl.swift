import KVortexNet
import Synchronization

/// The bearer-token check of a node started with `--auth-token-file` (API.md "Authentication"): a
/// route that needs a token answers 401 without one, 403 with a token the node does not accept or, on
/// an admin route, with a client token. Refusals are counted by reason for `/metrics`.
///
/// Runs on the event loops, before routing, for every request: it reads the `Authorization` header in
/// place, takes the token set in use once, compares in constant time against every token of both roles
/// (all of them, always: the time does not say which matched, only how many tokens and how long they
/// are), and answers with a response built once. Allocates nothing per request. `replace(_:)` swaps the
/// whole set (SIGHUP), so a request is checked against the old set or the new one, never a mix.
final class AccessControl: Sendable {
    /// The token set in use. The lock is held only to copy the set out (two array references) or to
    /// swap it, never while comparing.
    private let current: Mutex<AccessTokens>
    /// `--protect-metrics`: `/health`, `/ready` and `/metrics` need a token too (not `/dashboard`,
    /// which holds no data).
    let protectsOperationalRoutes: Bool
    private let failures = CounterArray(count: Failure.allCases.count)
    private let reloads = CounterArray(count: ReloadResult.allCases.count)
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

    /// How a reload of the token file ended: the `result` label of `kvortex_auth_token_reloads_total`.
    enum ReloadResult: Int, CaseIterable, Sendable {
        /// The file's tokens are in use.
        case ok
        /// The file was refused; the tokens in use were kept.
        case failed

        var label: String {
            switch self {
            case .ok: "ok"
            case .failed: "failed"
            }
        }
    }

    init(tokens: AccessTokens, protectsOperationalRoutes: Bool) {
        current = Mutex(tokens)
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

    /// The token set in use now: read once per checked request.
    var tokens: AccessTokens { current.withLock { $0 } }

    /// Puts `tokens` in use for every request checked from now on; a request being checked finishes
    /// with the set it took. Leaves `protectsOperationalRoutes` and the counts unchanged.
    func replace(_ tokens: AccessTokens) {
        current.withLock { $0 = tokens }
    }

    /// The check proper: the bearer token against every token of both roles, all compared every time; a
    /// refusal is counted under its reason.
    private func refusal(needsAdmin: Bool, anyOrigin: Bool, authorization: UnsafeRawBufferPointer?) -> HTTPResponse? {
        guard let authorization, let token = Self.bearerToken(in: authorization) else { return refuse(.missing, anyOrigin) }
        let tokens = self.tokens
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

    /// Counts one reload of the token file under `result`.
    func countReload(_ result: ReloadResult) {
        reloads.add(1, at: result.rawValue)
    }

    /// Reloads since the start, by result.
    func reloadCount(_ result: ReloadResult) -> UInt64 {
        reloads.value(at: result.rawValue)
    }

    /// `kvortex_http_auth_failures_total` by reason and `kvortex_auth_token_reloads_total` by result;
    /// every series at 0 when `control` is nil (no `--auth-token-file`), so the series exist whatever
    /// the configuration.
    static func writeMetrics(of control: AccessControl?, to writer: inout PrometheusWriter) {
        writer.family("kvortex_http_auth_failures_total", .counter,
                      help: "Requests refused for their bearer token, by reason: missing (401), wrong or not_admin (403).")
        for failure in Failure.allCases {
            writer.sample("kvortex_http_auth_failures_total", [("reason", failure.label)], control?.failureCount(failure) ?? 0)
        }
        writer.family("kvortex_auth_token_reloads_total", .counter,
                      help: "Reloads of --auth-token-file on SIGHUP, by result: ok (its tokens in use) or failed (refused; the tokens in use kept).")
        for result in ReloadResult.allCases {
            writer.sample("kvortex_auth_token_reloads_total", [("result", result.label)], control?.reloadCount(result) ?? 0)
        }
    }
}
