import KVortexCore
import KVortexNet

/// `POST /cluster/join`, `POST /cluster/leave` and the fault-injection endpoint `POST|DELETE /admin/partition` (API.md):
/// a partition request names members by ID (`IsolationTargets`); an unknown ID is a 400, never ignored.
extension KVortexHTTPHandler {
    /// Most node IDs one partition request may isolate.
    static let isolatedNodesMax = 1_000

    func joinRoute(_ request: HTTPRequest) -> HTTPResponse {
        guard case .found(let raw) = QueryString.value("seed", in: request.query),
              let seed = String(validating: raw, as: UTF8.self), NodeConfiguration.isHostPort(seed)
        else {
            return .error(status: 400, code: "invalid_seed", message: "?seed= must be the peer address HOST:PORT of a member")
        }
        status.join(seed: seed)
        return HTTPResponse(status: 202, body: Array("{\"joining\":\"\(seed)\"}".utf8), contentType: "application/json")
    }

    /// 202 when the leave starts and again while it runs (idempotent: a second leave changes nothing,
    /// and its `message` says "already leaving"); 409 on the last member, which has no one to hand its
    /// partitions to. API.md gives 202 for the endpoint and says nothing of a repeat: it keeps 202.
    func leaveRoute() -> HTTPResponse {
        let outcome = status.leave()
        switch outcome {
        case .started(let pending), .alreadyLeaving(let pending):
            var json = JSONWriter()
            json.beginObject()
            json.field("leaving", keys.nodeID.rawValue)
            json.field("alreadyLeaving", outcome == .alreadyLeaving(transfersPending: pending))
            json.field("transfersPending", pending)
            json.field("message", Self.leaveMessage(outcome))
            json.endObject()
            return HTTPResponse(status: 202, body: json.bytes, contentType: "application/json")
        case .lastMember:
            return .error(status: 409, code: "last_member",
                          message: "no other member could take this node's partitions; stop it with SIGTERM instead")
        }
    }

    /// The sentence a leave's answer carries (`kvortex cluster leave` prints it).
    static func leaveMessage(_ outcome: LeaveRequest) -> String {
        switch outcome {
        case .started(0):
            "leave started: no partition transfer to make; the node stops by itself"
        case .started(let pending):
            "leave started: \(Counted(pending, "partition transfer")) to hand to the new owners, then the node stops by itself"
        case .alreadyLeaving(0):
            "already leaving: every partition is handed off and the node is stopping; this request changed nothing"
        case .alreadyLeaving(let pending):
            "already leaving: \(Counted(pending, "partition transfer")) still pending, then the node stops by itself; this request changed nothing"
        case .lastMember:
            "refused: no other member could take this node's partitions"
        }
    }

    func partitionRoute(_ request: HTTPRequest) -> HTTPResponse {
        guard status.isFaultInjectionEnabled else {
            return .error(status: 403, code: "fault_injection_disabled",
                          message: "fault injection is off; start the node with --enable-fault-injection to use /admin/partition")
        }
        if request.method == .delete {
            status.isolate([])
            return HTTPResponse(status: 204)
        }
        let nodes: [String]
        do {
            guard let list = try JSONParser.parse(request.body)["isolate"]?.arrayValue else {
                return Self.invalidPartition("the body needs an array member \"isolate\" of node IDs")
            }
            nodes = list.compactMap(\.stringValue)
            guard nodes.count == list.count else { return Self.invalidPartition("\"isolate\" must hold node IDs as strings") }
        } catch {
            return Self.invalidPartition("the JSON body is invalid at byte \(error.offset): \(error.reason)")
        }
        guard nodes.count <= Self.isolatedNodesMax else { return Self.invalidPartition("at most \(Self.isolatedNodesMax) node IDs") }
        guard !nodes.contains(where: \.isEmpty) else { return Self.invalidPartition("a node ID is empty") }
        switch IsolationTargets.check(nodes, nodeID: keys.nodeID, members: status.members()) {
        case .success(let isolated):
            status.isolate(isolated)
            return HTTPResponse(status: 204)
        case .failure(let refusal):
            return .error(status: 400, code: refusal.code, message: refusal.message)
        }
    }

    private static func invalidPartition(_ message: String) -> HTTPResponse {
        .error(status: 400, code: "invalid_partition", message: message)
    }
}
