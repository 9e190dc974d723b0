/// Which token a route needs when the node has `--auth-token-file` (API.md "Authentication"). Without
/// the file no route needs any.
enum RouteAccess: Equatable, Sendable {
    /// Never checked: nothing to protect (an unknown path's 404, a wrong method's 405, a CORS
    /// preflight: browsers send it without credentials, and it answers no data).
    case open
    /// `/health`, `/ready`, `/metrics`: open unless `--protect-metrics`, then as `client`.
    case operational
    /// The client token or the admin token.
    case client
    /// The admin token only.
    case admin
}

extension Route {
    /// The token this route needs. Every route is named (no `default:`): a new route must be placed.
    var access: RouteAccess {
        switch self {
        case .get, .set, .delete, .kvGet, .kvPut, .kvDelete, .batch: .client
        case .clusterMembers, .clusterRing, .clusterLocate: .client
        case .clusterJoin, .clusterLeave, .adminPartition: .admin
        case .health, .ready, .metrics: .operational
        // The page holds no data (it is the same bytes on every node); what it shows comes from the
        // routes it polls, which keep their protection. docs/decisions.md "Client authentication".
        case .dashboard: .open
        case .preflight, .notFound, .methodNotAllowed: .open
        }
    }
}
