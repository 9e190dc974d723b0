/// The heartbeat: membership gossip, failure detection and hinted handoff (DESIGN.md "Membership and failure").
/// Each step appends its effects to `effects`.
extension Node {
    mutating func heartbeat(nowMs: UInt64, into effects: inout [NodeEffect]) {
        membership.beat()
        // Members stop gossiping to a leaving node, so silence says nothing of them any more: while
        // leaving, only a failed delivery marks a member down (its transfers wait for it then).
        if !isLeaving {
            // Evaluated first: as an argument of the mutating call, it made Swift copy the whole node.
            let changes = membership.evaluate(nowMs: nowMs)
            membershipChanged(changes, into: &effects)
            retireDepartedMembers(nowMs: nowMs, into: &effects)
        }
        gossip(into: &effects)
        deliverHints(into: &effects)
        pumpTransfers(nowMs: nowMs, into: &effects)
        effects.append(.startTimer(.heartbeat, afterMs: settings.failureDetector.heartbeatIntervalMs))
    }

    /// Gossips this node's view to `fanout` peers (`gossipFanout` unless said) drawn with the node's
    /// seeded generator; leaving members are not gossiped to.
    mutating func gossip(fanout: Int? = nil, into effects: inout [NodeEffect]) {
        var peers = membership.gossipTargets
        guard !peers.isEmpty else { return }
        random.shuffle(&peers)
        let digests = membership.gossip()
        for peer in peers.prefix(fanout ?? settings.gossipFanout) { effects.append(.send(to: peer, .gossip(digests))) }
    }

    /// Sends pending hints to every healthy target with none in flight, a bounded batch each. Called
    /// every heartbeat; a target that acknowledges a whole batch gets the next one at once
    /// (`hintAcknowledged`), so a backlog drains at the speed of the round trip, not of the heartbeat.
    mutating func deliverHints(into effects: inout [NodeEffect]) {
        for target in hints.targets() where membership.isHealthy(target) && target != nodeID && hintBatchesInFlight[target] == nil {
            deliverHintBatch(to: target, into: &effects)
        }
    }

    private mutating func deliverHintBatch(to target: NodeID, into effects: inout [NodeEffect]) {
        var sent = 0
        for hint in hints.pending(for: target, limit: settings.hintDeliveryBatchMax) {
            let operation = allocateOperationID()
            operations.insert(.hintDelivery(target: target, key: hint.key, sequence: hint.sequence), at: operation)
            effects.append(.send(to: target, .hintDelivery(operation, key: hint.key, object: .decoded(hint.object))))
            effects.append(.startTimer(.deadline(operation), afterMs: settings.peerRequestTimeoutMs))
            sent += 1
        }
        if sent > 0 { hintBatchesInFlight[target] = sent }
    }

    mutating func hintAcknowledged(_ operation: OperationID, into effects: inout [NodeEffect]) {
        guard case .hintDelivery(let target, let key, let sequence) = operations[operation] else { return }
        if hints.acknowledge(target: target, key: key, sequence: sequence) { counters.hintsDelivered += 1 }
        guard endHintDelivery(operation), membership.isHealthy(target) else { return }
        deliverHintBatch(to: target, into: &effects)
    }

    /// Forgets a hint delivery (acknowledged, failed or timed out). True when it was the last of its
    /// target's batch in flight.
    @discardableResult
    mutating func endHintDelivery(_ operation: OperationID) -> Bool {
        guard let taken = operations.take(operation) else { return false }
        guard case .hintDelivery(let target, _, _) = taken else {
            operations.insert(taken, at: operation)  // another kind of operation: not this one to end
            return false
        }
        let left = (hintBatchesInFlight[target] ?? 1) - 1
        hintBatchesInFlight[target] = left > 0 ? left : nil
        return left <= 0
    }

    func membershipChanged(_ changes: [(NodeID, MemberState)], into effects: inout [NodeEffect]) {
        for (node, state) in changes { effects.append(.log("member \(node) is now \(state.rawValue)")) }
    }
}

extension Node {
    /// True while this node holds hints for a member it believes healthy: a graceful stop waits for
    /// them to be delivered (bounded by its grace period).
    public var holdsDeliverableHints: Bool {
        hints.targets().contains { target in
            target != nodeID && membership.isHealthy(target) && !hints.pending(for: target, limit: 1).isEmpty
        }
    }

    /// Hints held, delivered and dropped, for metrics.
    public var hintStats: HintStats { hints.stats }
}
