import KVortexCore

/// The invariants of membership, checked at the end of every run, after the settle phase: every
/// leave finished (the node handed off and stopped); every remaining node's member list is the
/// remaining nodes, each seen healthy, with no node that left in it (retired to a tombstone, or never
/// heard of: docs/replication.md, "Members that left"); every remaining node routes by the ring of the
/// remaining nodes; and no remaining node still holds a hint for a node that left (they go to the
/// keys' current replicas). Without leaves, that is: every node sees every other up and routes by
/// the same ring once the faults are over. That no acknowledged write was lost across a leave is
/// `Checkers`' part, over the replicas of the final ring.
struct MembershipCheckers {
    /// What one remaining node knows at the end.
    struct View {
        let node: NodeID
        /// `MembershipView.members`, with each one's state.
        let members: [(node: NodeID, state: MemberState)]
        /// The members of the ring it routes by, sorted.
        let ringMembers: [NodeID]
        /// Hints it holds for each node that left (only those it holds any for), sorted by node.
        let hintsForDeparted: [(target: NodeID, count: Int)]
    }

    /// Nodes that are members at the end (they never left, or rejoined), sorted.
    let remaining: [NodeID]
    /// Nodes whose leave finished: stopped, gone. Sorted.
    let departed: [NodeID]
    /// Nodes still leaving or stopping at the end, with where they stand: their leave never finished.
    let unfinished: [(node: NodeID, stage: String)]
    /// The remaining nodes' views, in node order.
    let views: [View]

    func run() -> [String] {
        var violations = unfinished.map { "leave: \($0.node) had not finished leaving by the end (\($0.stage))" }
        let stillLeaving = Set(unfinished.map(\.node))
        for view in views {
            checkMembers(of: view, ignoring: stillLeaving, into: &violations)
            if view.ringMembers != remaining && stillLeaving.isEmpty {
                violations.append("ring: \(view.node) routes by a ring of \(Self.list(view.ringMembers)), not of the remaining \(Self.list(remaining))")
            }
            for (target, count) in view.hintsForDeparted {
                violations.append("stuck hints: \(view.node) still holds \(count) hints for \(target), which left")
            }
        }
        return violations
    }

    /// The member list is the remaining nodes, all healthy, and names no node that left. A node
    /// whose leave did not finish is reported once, above, not again in every view.
    private func checkMembers(of view: View, ignoring stillLeaving: Set<NodeID>, into violations: inout [String]) {
        let departedSet = Set(departed)
        for (node, state) in view.members where departedSet.contains(node) {
            violations.append("membership: \(view.node) still lists \(node) (\(state.rawValue)), which left")
        }
        let listed = view.members.map(\.node).filter { !departedSet.contains($0) && !stillLeaving.contains($0) }
        if listed != remaining {
            violations.append("membership: \(view.node) lists \(Self.list(listed)), not the remaining \(Self.list(remaining))")
        }
        for (node, state) in view.members where node != view.node && remaining.contains(node) {
            switch state {
            case .up, .suspect: continue
            case .down, .leaving: violations.append("membership: \(view.node) sees \(node) \(state.rawValue) at the end")
            }
        }
    }

    private static func list(_ nodes: [NodeID]) -> String {
        "[" + nodes.map(\.description).joined(separator: ", ") + "]"
    }
}

extension Simulator {
    /// The membership checkers over the nodes as they are now.
    func checkMembership() -> [String] {
        var remaining: [NodeID] = []
        var departed: [NodeID] = []
        var unfinished: [(node: NodeID, stage: String)] = []
        for index in nodes.indices {
            switch nodes[index].departure {
            case .member: remaining.append(nodeIDs[index])
            case .left: departed.append(nodeIDs[index])
            case .leaving: unfinished.append((nodeIDs[index], "handing off: \(nodes[index].node!.ownershipTransfersPending) transfers pending"))
            case .drainingRequests: unfinished.append((nodeIDs[index], "waiting for its client requests"))
            case .drainingHints: unfinished.append((nodeIDs[index], "waiting to deliver its hints"))
            }
        }
        let views = nodes.indices.compactMap { index -> MembershipCheckers.View? in
            guard nodes[index].departure == .member, let node = nodes[index].node else { return nil }
            let targets = Set(node.hintStats.pending > 0 ? nodes[index].hints.targets() : [])
            let hints = departed.filter(targets.contains).map { ($0, nodes[index].hints.pending(for: $0, limit: .max).count) }
            return MembershipCheckers.View(
                node: nodeIDs[index], members: node.membership.members.map { ($0, node.membership.state(of: $0)!) },
                ringMembers: node.ring.members.map(\.node).sorted(), hintsForDeparted: hints.filter { $0.1 > 0 })
        }
        return MembershipCheckers(remaining: remaining.sorted(), departed: departed.sorted(), unfinished: unfinished, views: views).run()
    }
}
