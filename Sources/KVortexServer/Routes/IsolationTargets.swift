import KVortexCore

/// The node IDs of a `POST /admin/partition` body, checked against the members this node knows
/// (API.md "Endpoints": `{"isolate": ["<nodeID>", ...]}`). Pure: no I/O, every order fixed.
///
/// An ID that names no member would be isolated without effect (no traffic ever carries it), and a
/// test that meant to cut a node off would go on with the cluster whole: so it is refused, not
/// ignored. Members in any state may be isolated (down and leaving ones too); this node itself may
/// not (it has no traffic with itself to drop).
enum IsolationTargets {
    /// Most node IDs one error message names in each of its lists; past it, "and K more".
    static let namesListedMax = 20

    /// Why a list of IDs cannot be isolated: the machine code and message of a 400 (API.md errors).
    struct Refusal: Error, Equatable {
        let code: String
        let message: String
    }

    /// The members to isolate, or why not. `members` are the members this node knows, itself included.
    static func check(_ requested: [String], nodeID: NodeID, members: [MemberView]) -> Result<Set<NodeID>, Refusal> {
        if requested.contains(nodeID.rawValue) {
            return .failure(Refusal(code: "invalid_partition",
                                    message: "a node cannot isolate itself (\(nodeID)); isolate the others instead"))
        }
        let known = Set(members.map(\.id.rawValue))
        var unknown: [String] = []
        for id in requested where !known.contains(id) && !unknown.contains(id) { unknown.append(id) }
        guard unknown.isEmpty else {
            return .failure(Refusal(code: "unknown_node", message: unknownMessage(unknown, nodeID: nodeID, members: members)))
        }
        return .success(Set(requested.map { NodeID($0) }))
    }

    /// "unknown node IDs: n9, 127.0.0.1:9002 (the peer address of n2); the other members are: n2, n3
    /// (this node is n1); isolate members by their ID as GET /cluster/members lists them"
    static func unknownMessage(_ unknown: [String], nodeID: NodeID, members: [MemberView]) -> String {
        let others = members.filter { $0.id != nodeID }.map(\.id.rawValue).sorted()
        let named = unknown.map { id in addressOwner(id, members: members).map { "\(id) (the \($0))" } ?? id }
        var message = "unknown \(Counted(unknown.count, "node ID").noun): \(listed(named))"
        message += others.isEmpty ? "; this node (\(nodeID)) knows no other member" : "; the other members are: \(listed(others)) (this node is \(nodeID))"
        return message + "; isolate members by their ID as GET /cluster/members lists them"
    }

    /// "peer address of n2" when `id` is an address of a member rather than its ID.
    private static func addressOwner(_ id: String, members: [MemberView]) -> String? {
        if let member = members.first(where: { $0.peerAddress == id }) { return "peer address of \(member.id)" }
        if let member = members.first(where: { $0.httpAddress == id }) { return "HTTP address of \(member.id)" }
        return nil
    }

    /// Up to `namesListedMax` names, comma-separated, then how many more there are.
    private static func listed(_ names: [String]) -> String {
        let shown = names.prefix(namesListedMax).joined(separator: ", ")
        return names.count > namesListedMax ? "\(shown) and \(names.count - namesListedMax) more" : shown
    }
}
