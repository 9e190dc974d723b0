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

    /// Sends pending hints to every target that is healthy again, a bounded batch per heartbeat.
    mutating func deliverHints() -> [NodeEffect] {
        let inFlight = Set(operations.values.compactMap { operation -> [UInt8]? in
            if case .hintDelivery(_, let key, _) = operation { return key }
            return nil
        })
        var effects: [NodeEffect] = []
        for target in hints.targets() where membership.isHealthy(target) && target != nodeID {
            for hint in hints.pending(for: target, limit: settings.hintDeliveryBatchMax) where !inFlight.contains(hint.key) {
                let operation = allocateOperationID()
                operations[operation] = .hintDelivery(target: target, key: hint.key, sequence: hint.sequence)
                effects.append(.send(to: target, .hintDelivery(operation, key: hint.key, object: hint.object)))
                effects.append(.startTimer(.deadline(operation), afterMs: settings.peerRequestTimeoutMs))
            }
        }
        return effects
    }

    mutating func hintAcknowledged(_ operation: OperationID) -> [NodeEffect] {
        guard case .hintDelivery(let target, let key, let sequence) = operations[operation] else { return [] }
        operations[operation] = nil
        if hints.acknowledge(target: target, key: key, sequence: sequence) { counters.hintsDelivered += 1 }
        return []
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
