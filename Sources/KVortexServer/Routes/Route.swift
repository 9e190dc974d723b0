import KVortexNet

/// Every endpoint of API.md; also the `route` label of request metrics.
public enum Route: Int, CaseIterable, Sendable {
    case get, set, delete, kvGet, kvPut, kvDelete, batch
    case clusterMembers, clusterRing, clusterLocate, clusterJoin, clusterLeave
    case health, ready, metrics, dashboard, adminPartition
    /// `OPTIONS` on a path a page of another origin may read (`Endpoint.answersPreflight`): the CORS
    /// preflight a browser sends before a cross-origin request with an `Authorization` header.
    case preflight
    case notFound, methodNotAllowed

    public var label: String {
        switch self {
        case .get: "get"
        case .set: "set"
        case .delete: "delete"
        case .kvGet: "kv_get"
        case .kvPut: "kv_put"
        case .kvDelete: "kv_delete"
        case .batch: "batch"
        case .clusterMembers: "cluster_members"
        case .clusterRing: "cluster_ring"
        case .clusterLocate: "cluster_locate"
        case .clusterJoin: "cluster_join"
        case .clusterLeave: "cluster_leave"
        case .health: "health"
        case .ready: "ready"
        case .metrics: "metrics"
        case .dashboard: "dashboard"
        case .adminPartition: "admin_partition"
        case .preflight: "preflight"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        }
    }

    /// A page of any origin may read this route's answers, refusals included (`Access-Control-Allow-Origin: *`):
    /// the routes the dashboard polls on every member and their preflight. The one list of them: their
    /// endpoints' `answersPreflight` follows from it.
    public var allowsAnyOrigin: Bool {
        switch self {
        case .health, .ready, .metrics, .clusterMembers, .preflight: true
        default: false
        }
    }

    /// Matches a raw path and method. `/kv/{key}` routes carry the raw key part after `/kv/`.
    /// A known path with the wrong method is `.methodNotAllowed` with the methods it allows, except
    /// `OPTIONS` on a path that answers the CORS preflight: `.preflight`. (Both are decided only after
    /// the path's own methods did not match: the hot path is unchanged.)
    public static func match(method: HTTPMethod, path: UnsafeRawBufferPointer) -> (Route, allow: StaticString) {
        if path.starts(with: keyPathPrefix) {
            switch method {
            case .get, .head: return (.kvGet, "")
            case .put, .post: return (.kvPut, "")
            case .delete: return (.kvDelete, "")
            default: return (.methodNotAllowed, "GET, HEAD, PUT, POST, DELETE")
            }
        }
        for entry in endpoints where path.equals(entry.path) {
            if entry.methods.contains(method) { return (entry.route, "") }
            if method == .options && entry.answersPreflight { return (.preflight, "") }
            return (.methodNotAllowed, entry.allow)
        }
        return (.notFound, "")
    }

    /// The RESTful key routes serve every path that starts with this prefix (`/kv/{key}`: the rest of
    /// the path is the key, slashes included). `match` tries it first and picks the route by method.
    public static let keyPathPrefix: StaticString = "/kv/"

    /// One path the router serves exactly, the methods it accepts there and its `Allow` header.
    public struct Endpoint: Sendable {
        public let path: StaticString
        public let route: Route
        public let methods: [HTTPMethod]
        public let allow: StaticString
        /// A page of any origin may read this path (`Route.allowsAnyOrigin`), also with a token:
        /// `OPTIONS` here is the CORS preflight (`.preflight`), answered without a token. `allow` then
        /// lists `OPTIONS` too.
        public var answersPreflight: Bool { route.allowsAnyOrigin }
    }

    /// Every exact path of the router, in the order `match` tries them after `keyPathPrefix`: the one
    /// route table, which `openapi.yaml` must describe (OpenAPICoverageTests).
    public static let endpoints: [Endpoint] = [
        Endpoint(path: "/get", route: .get, methods: [.get, .head], allow: "GET, HEAD"),
        Endpoint(path: "/set", route: .set, methods: [.post, .put], allow: "POST, PUT"),
        Endpoint(path: "/delete", route: .delete, methods: [.delete, .post], allow: "DELETE, POST"),
        Endpoint(path: "/batch", route: .batch, methods: [.post], allow: "POST"),
        Endpoint(path: "/health", route: .health, methods: [.get, .head], allow: "GET, HEAD, OPTIONS"),
        Endpoint(path: "/ready", route: .ready, methods: [.get, .head], allow: "GET, HEAD, OPTIONS"),
        Endpoint(path: "/metrics", route: .metrics, methods: [.get, .head], allow: "GET, HEAD, OPTIONS"),
        Endpoint(path: "/cluster/members", route: .clusterMembers, methods: [.get, .head], allow: "GET, HEAD, OPTIONS"),
        Endpoint(path: "/cluster/ring", route: .clusterRing, methods: [.get, .head], allow: "GET, HEAD"),
        Endpoint(path: "/cluster/locate", route: .clusterLocate, methods: [.get, .head], allow: "GET, HEAD"),
        Endpoint(path: "/cluster/join", route: .clusterJoin, methods: [.post], allow: "POST"),
        Endpoint(path: "/cluster/leave", route: .clusterLeave, methods: [.post], allow: "POST"),
        Endpoint(path: "/dashboard", route: .dashboard, methods: [.get, .head], allow: "GET, HEAD"),
        Endpoint(path: "/admin/partition", route: .adminPartition, methods: [.post, .delete], allow: "POST, DELETE"),
    ]
}
