import KVortexCore
import KVortexNet

/// Settings of the HTTP layer that are not part of the key service.
public struct HTTPRoutesConfiguration: Sendable {
    public var quorum: QuorumDefaults
    /// Largest value accepted; larger bodies are 413 (DESIGN.md "Data model", up to 16 MiB).
    public var valueBytesMax: Int
    /// Most operations in one `POST /batch`; more is 413.
    public var batchOpsMax: Int
    /// `--auth-token-file`: nil leaves every route open.
    public var accessTokens: AccessTokens?
    /// `--protect-metrics`: `/health`, `/ready` and `/metrics` need a token too (with `accessTokens`).
    public var protectsOperationalRoutes = false

    public static let batchOpsMaxDefault = 1000

    public init(quorum: QuorumDefaults, valueBytesMax: Int = Limits.valueBytesMaxDefault,
                batchOpsMax: Int = HTTPRoutesConfiguration.batchOpsMaxDefault) {
        self.quorum = quorum
        self.valueBytesMax = valueBytesMax
        self.batchOpsMax = batchOpsMax
    }
}

/// What the operational endpoints show and control, supplied by the node that owns the handler.
protocol NodeStatusSource: Sendable {
    /// Joined its cluster and knows the ring (`/ready`).
    var isReady: Bool { get }
    /// The cluster members as seen from this node, sorted by node ID.
    func members() -> [MemberView]
    /// The ring this node routes by.
    func ring() -> Ring
    /// The Prometheus text of every metric but the request metrics.
    func writeMetrics(to writer: inout PrometheusWriter)
    /// True when the node was started with `--enable-fault-injection`.
    var isFaultInjectionEnabled: Bool { get }
    /// Drops all peer traffic to and from `nodes`; an empty set heals.
    func isolate(_ nodes: Set<NodeID>)
    /// Contacts another seed (`POST /cluster/join`).
    func join(seed: String)
    /// Starts a graceful leave (`POST /cluster/leave`), or says why not.
    func leave() -> LeaveRequest
}

/// Routes every request of API.md to the key service or the operational endpoints, and records
/// request metrics. Runs on the event loop that received the request.
final class KVortexHTTPHandler: HTTPHandler {
    let keys: any KeyOperations
    let configuration: HTTPRoutesConfiguration
    let status: any NodeStatusSource
    public let requestMetrics = RequestMetrics()
    let monotonicMicros: @Sendable () -> UInt64
    let coordinatorHeader: String
    /// Nil without `--auth-token-file`: then the request path pays one branch for authentication.
    let accessControl: AccessControl?

    init(keys: any KeyOperations, configuration: HTTPRoutesConfiguration, status: any NodeStatusSource,
                monotonicMicros: @escaping @Sendable () -> UInt64) {
        self.keys = keys
        self.configuration = configuration
        self.status = status
        self.monotonicMicros = monotonicMicros
        self.coordinatorHeader = keys.nodeID.rawValue
        accessControl = configuration.accessTokens.map {
            AccessControl(tokens: $0, protectsOperationalRoutes: configuration.protectsOperationalRoutes)
        }
    }

    func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
        let startMicros = monotonicMicros()
        let (route, allow) = Route.match(method: request.method, path: request.path)
        if let accessControl, let refusal = accessControl.refusal(for: route, request) {
            requestMetrics.record(route, status: refusal.status, micros: monotonicMicros() &- startMicros)
            return .now(refusal)
        }
        // (A `where` after several patterns guards only the last one: hence the explicit conditions.)
        switch route {
        case .set, .kvPut, .delete, .kvDelete:
            if keys.defersWrites { return deferredWrite(request, route: route, responder: responder, startMicros: startMicros) }
        case .get, .kvGet:
            if keys.defersReads { return deferredRead(request, route: route, responder: responder, startMicros: startMicros) }
        case .batch:
            return batchRoute(request, responder: responder, startMicros: startMicros)
        default:
            break
        }
        let response = respond(route, allow: allow, request)
        requestMetrics.record(route, status: response.status, micros: monotonicMicros() &- startMicros)
        return .now(response)
    }

    private func respond(_ route: Route, allow: StaticString, _ request: HTTPRequest) -> HTTPResponse {
        switch route {
        case .get, .kvGet: return getRoute(request, route: route)
        case .set, .kvPut: return setRoute(request, route: route)
        case .delete, .kvDelete: return deleteRoute(request, route: route)
        case .batch: preconditionFailure("batches are answered by batchRoute(_:responder:startMicros:)")
        case .health: return healthRoute()
        case .ready: return readyRoute()
        case .metrics: return metricsRoute()
        case .dashboard: return dashboardRoute()
        case .clusterMembers: return membersRoute()
        case .clusterRing: return ringRoute()
        case .clusterLocate: return locateRoute(request)
        case .clusterJoin: return joinRoute(request)
        case .clusterLeave: return leaveRoute()
        case .adminPartition: return partitionRoute(request)
        case .preflight: return preflightRoute()
        case .notFound:
            return .error(status: 404, code: "no_such_endpoint", message: "no endpoint at this path (see API.md)")
        case .methodNotAllowed:
            var response = HTTPResponse.error(status: 405, code: "method_not_allowed",
                                              message: "this endpoint does not accept \(request.method)")
            response.addHeader("Allow", allow.description)
            return response
        }
    }

    /// The defaults of this request: the configured N, R and W capped at the cluster size now.
    var quorum: QuorumDefaults { configuration.quorum.capped(at: keys.clusterSize) }

    /// Adds the headers every key operation carries (API.md "Response headers").
    func addReplicaHeaders(_ response: inout HTTPResponse, acked: Int, asked: Int, coordinator: NodeID? = nil) {
        response.addHeader("X-Coordinator", coordinator?.rawValue ?? coordinatorHeader)
        response.addHeader("X-Replicas") { bytes in
            HTTPResponse.appendDecimal(acked, to: &bytes)
            bytes.append(UInt8(ascii: "/"))
            HTTPResponse.appendDecimal(asked, to: &bytes)
        }
    }

    /// The JSON error of a key operation (API.md): `X-Coordinator` on every one, as on its successes
    /// ("all key operations"), even when it was refused before any replica was asked; an unmet quorum
    /// also says `acked/asked` in `X-Replicas`.
    func errorResponse(_ error: KVError) -> HTTPResponse {
        var response = Self.errorResponse(error)
        switch error {
        case .quorumUnmet(_, let acked, let asked), .timeout(_, let acked, let asked):
            addReplicaHeaders(&response, acked: acked, asked: asked)
        default:
            response.addHeader("X-Coordinator", coordinatorHeader)
        }
        return response
    }

    static func errorResponse(_ error: KVError) -> HTTPResponse {
        .error(status: error.httpStatus, code: error.code, message: error.message)
    }
}
