import KVortexNet

/// Every endpoint of API.md; also the `route` label of request metrics.
public enum Route: Int, CaseIterable, Sendable {
    case get, set, delete, kvGet, kvPut, kvDelete, batch
    case clusterMembers, clusterRing, clusterLocate, clusterJoin, clusterLeave
    case health, ready, metrics, dashboard, adminPartition
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
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        }
    }

    /// Matches a raw path and method. `/kv/{key}` routes carry the raw key part after `/kv/`.
    /// A known path with the wrong method is `.methodNotAllowed` with the methods it allows.
    public static func match(method: HTTPMethod, path: UnsafeRawBufferPointer) -> (Route, allow: StaticString) {
        if path.starts(with: "/kv/" as StaticString) {
            switch method {
            case .get, .head: return (.kvGet, "")
            case .put, .post: return (.kvPut, "")
            case .delete: return (.kvDelete, "")
            default: return (.methodNotAllowed, "GET, HEAD, PUT, POST, DELETE")
            }
        }
        for entry in table where path.equals(entry.path) {
            if entry.methods.contains(method) { return (entry.route, "") }
            return (.methodNotAllowed, entry.allow)
        }
        return (.notFound, "")
    }

    private struct Entry {
        let path: StaticString
        let route: Route
        let methods: [HTTPMethod]
        let allow: StaticString
    }

    private static let table: [Entry] = [
        Entry(path: "/get", route: .get, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/set", route: .set, methods: [.post, .put], allow: "POST, PUT"),
        Entry(path: "/delete", route: .delete, methods: [.delete, .post], allow: "DELETE, POST"),
        Entry(path: "/batch", route: .batch, methods: [.post], allow: "POST"),
        Entry(path: "/health", route: .health, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/ready", route: .ready, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/metrics", route: .metrics, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/cluster/members", route: .clusterMembers, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/cluster/ring", route: .clusterRing, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/cluster/locate", route: .clusterLocate, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/cluster/join", route: .clusterJoin, methods: [.post], allow: "POST"),
        Entry(path: "/cluster/leave", route: .clusterLeave, methods: [.post], allow: "POST"),
        Entry(path: "/dashboard", route: .dashboard, methods: [.get, .head], allow: "GET, HEAD"),
        Entry(path: "/admin/partition", route: .adminPartition, methods: [.post, .delete], allow: "POST, DELETE"),
    ]
}
