import KVortexCore
import KVortexNet

/// Settings of the HTTP layer that are not part of the key service.
public struct HTTPRoutesConfiguration: Sendable {
    public var quorum: QuorumDefaults
    /// Largest value accepted; larger bodies are 413 (DESIGN.md "Data model", up to 16 MiB).
    public var valueBytesMax: Int
    /// Most operations in one `POST /batch`; more is 413.
    public var batchOpsMax: Int
    public var partitioning: Partitioning

    public static let batchOpsMaxDefault = 1000

    public init(quorum: QuorumDefaults, valueBytesMax: Int = Limits.valueBytesMaxDefault,
                batchOpsMax: Int = HTTPRoutesConfiguration.batchOpsMaxDefault,
                partitioning: Partitioning = Partitioning()) {
        self.quorum = quorum
        self.valueBytesMax = valueBytesMax
        self.batchOpsMax = batchOpsMax
        self.partitioning = partitioning
    }
}

/// What the operational endpoints show, supplied by the node that owns the handler.
public protocol NodeStatusSource: Sendable {
    var isReady: Bool { get }
    /// The cluster members as seen from this node, sorted by node ID.
    func members() -> [(id: NodeID, state: String, httpAddress: String)]
    /// The preference list of `partition`.
    func preferenceList(partition: Int) -> [NodeID]
    /// The Prometheus text of every metric but the request metrics.
    func writeMetrics(to writer: inout PrometheusWriter)
}

/// Routes every request of API.md to the key service or the operational endpoints, and records
/// request metrics. Runs on the event loop that received the request.
public final class KVortexHTTPHandler: HTTPHandler {
    let keys: any KeyOperations
    let configuration: HTTPRoutesConfiguration
    let status: any NodeStatusSource
    public let requestMetrics = RequestMetrics()
    let monotonicMicros: @Sendable () -> UInt64
    let coordinatorHeader: String

    public init(keys: any KeyOperations, configuration: HTTPRoutesConfiguration, status: any NodeStatusSource,
                monotonicMicros: @escaping @Sendable () -> UInt64) {
        self.keys = keys
        self.configuration = configuration
        self.status = status
        self.monotonicMicros = monotonicMicros
        self.coordinatorHeader = keys.nodeID.rawValue
    }

    public func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
        let startMicros = monotonicMicros()
        let (route, allow) = Route.match(method: request.method, path: request.path)
        if keys.defersDurability, [.set, .kvPut, .delete, .kvDelete].contains(route) {
            return deferredWrite(request, route: route, responder: responder, startMicros: startMicros)
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
        case .batch: return batchRoute(request)
        case .health: return healthRoute()
        case .ready: return readyRoute()
        case .metrics: return metricsRoute()
        case .clusterMembers: return membersRoute()
        case .clusterRing: return ringRoute()
        case .clusterLocate: return locateRoute(request)
        case .clusterJoin, .clusterLeave:
            return .error(status: 501, code: "not_implemented",
                          message: "membership changes need the peer transport, which this build does not have yet")
        case .notFound:
            return .error(status: 404, code: "no_such_endpoint", message: "no endpoint at this path (see API.md)")
        case .methodNotAllowed:
            var response = HTTPResponse.error(status: 405, code: "method_not_allowed",
                                              message: "this endpoint does not accept \(request.method)")
            response.addHeader("Allow", allow.description)
            return response
        }
    }

    /// Adds the headers every key operation carries (API.md "Response headers").
    func addReplicaHeaders(_ response: inout HTTPResponse, acked: Int, asked: Int) {
        response.addHeader("X-Coordinator", coordinatorHeader)
        response.addHeader("X-Replicas", "\(acked)/\(asked)")
    }

    static func errorResponse(_ error: KVError) -> HTTPResponse {
        .error(status: error.httpStatus, code: error.code, message: error.message)
    }
}
