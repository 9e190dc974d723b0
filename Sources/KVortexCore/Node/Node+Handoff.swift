/// The heartbeat: membership gossip, failure detection and hinted handoff (DESIGN.md "Membership and failure").
extension Node {
    mutating func heartbeat(nowMs: UInt64) -> [NodeEffect] {
        membership.beat()
        var effects = membershipChanged(membership.evaluate(nowMs: nowMs))
        effects += gossip()
        effects += deliverHints()
        effects.append(.startTimer(.heartbeat, afterMs: settings.failureDetector.heartbeatIntervalMs))
        return effects
    }

    /// Gossips this node's view to `gossipFanout` peers drawn with the node's seeded generator.
    mutating func gossip() -> [NodeEffect] {
        var peers = membership.members.filter { $0 != nodeID && membership.state(of: $0) != .leaving }
        guard !peers.isEmpty else { return [] }
        random.shuffle(&peers)
        let digests = membership.gossip()
        return peers.prefix(settings.gossipFanout).map { .send(to: $0, .gossip(digests)) }
    }

    /// Sends pending hints to every healthy target with none in flight, a bounded batch each. Called
    /// every heartbeat; a target that acknowledges a whole batch gets the next one at once
    /// (`hintAcknowledged`), so a backlog drains at the speed of the round trip, not of the heartbeat.
    mutating func deliverHints() -> [NodeEffect] {
        var effects: [NodeEffect] = []
        for target in hints.targets() where membership.isHealthy(target) && target != nodeID && hintBatchesInFlight[target] == nil {
            effects += deliverHintBatch(to: target)
        }
        return effects
    }

    private mutating func deliverHintBatch(to target: NodeID) -> [NodeEffect] {
        var effects: [NodeEffect] = []
        for hint in hints.pending(for: target, limit: settings.hintDeliveryBatchMax) {
            let operation = allocateOperationID()
            operations.insert(.hintDelivery(target: target, key: hint.key, sequence: hint.sequence), at: operation)
            effects.append(.send(to: target, .hintDelivery(operation, key: hint.key, object: hint.object)))
            effects.append(.startTimer(.deadline(operation), afterMs: settings.peerRequestTimeoutMs))
        }
        if !effects.isEmpty { hintBatchesInFlight[target] = effects.count / 2 }
        return effects
    }

    mutating func hintAcknowledged(_ operation: OperationID) -> [NodeEffect] {
        guard case .hintDelivery(let target, let key, let sequence) = operations[operation] else { return [] }
        if hints.acknowledge(target: target, key: key, sequence: sequence) { counters.hintsDelivered += 1 }
        guard endHintDelivery(operation), membership.isHealthy(target) else { return [] }
        return deliverHintBatch(to: target)
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

    func membershipChanged(_ changes: [(NodeID, MemberState)]) -> [NodeEffect] {
        changes.map { .log("member \($0.0) is now \($0.1.rawValue)") }
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
