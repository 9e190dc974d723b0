/// The heartbeat: membership gossip, failure detection and hinted handoff (DESIGN.md "Membership and failure").
/// Each step appends its effects to `effects`.
extension Node {
    mutating func heartbeat(nowMs: UInt64, into effects: inout [NodeEffect]) {
        membership.beat()
        // A leaving node runs no failure detector: while leaving, only a failed delivery marks a
        // member down (its transfers wait for it then), and newer gossip of it marks it up again.
        if !isLeaving {
            // Evaluated first: as an argument of the mutating call, it made Swift copy the whole node.
            let changes = membership.evaluate(nowMs: nowMs)
            membershipChanged(changes, into: &effects)
            retireDepartedMembers(nowMs: nowMs, into: &effects)
        }
        gossip(into: &effects)
        deliverHints(nowMs: nowMs, into: &effects)
        pumpTransfers(nowMs: nowMs, into: &effects)
        reapTick(nowMs: nowMs, into: &effects)
        effects.append(.startTimer(.heartbeat, afterMs: settings.failureDetector.heartbeatIntervalMs))
    }

    /// Gossips this node's view to `fanout` peers (`gossipFanout` unless said) drawn with the node's
    /// seeded generator, leaving members included (`MembershipView.gossipTargets`).
    mutating func gossip(fanout: Int? = nil, into effects: inout [NodeEffect]) {
        var peers = membership.gossipTargets
        guard !peers.isEmpty else { return }
        random.shuffle(&peers)
        let digests = membership.gossip()
        for peer in peers.prefix(fanout ?? settings.gossipFanout) { effects.append(.send(to: peer, .gossip(digests))) }
    }

    /// Sends pending hints to every healthy target with none in flight, a bounded batch each, and
    /// hands the hints held for members that left to the keys' current replicas (`redirectHintBatch`).
    /// Called every heartbeat; a target that acknowledges a whole batch gets the next one at once
    /// (`hintAcknowledged`), so a backlog drains at the speed of the round trip, not of the heartbeat.
    mutating func deliverHints(nowMs: UInt64, into effects: inout [NodeEffect]) {
        for target in hints.targets() where target != nodeID && hintBatchesInFlight[target] == nil {
            startHintBatch(for: target, nowMs: nowMs, into: &effects)
        }
    }

    /// The next batch of `target`'s hints: to it when it is healthy, to the keys' current replicas
    /// when it left; none while it is down (its hints wait for it).
    private mutating func startHintBatch(for target: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        if membership.isHealthy(target) {
            deliverHintBatch(to: target, into: &effects)
        } else if hasLeft(target) && !settings.plantedBugs.contains(.keepHintsForDeparted) {  // planted bug
            redirectHintBatch(of: target, nowMs: nowMs, into: &effects)
        }
    }

    /// True when `node` left the cluster, as gossip told this node: it is leaving (so out of the ring
    /// already), or retired to a tombstone. A member merely down is not; nor is a node this node does
    /// not know (one it never heard of, or forgot a day after it left): its hints wait, as before.
    func hasLeft(_ node: NodeID) -> Bool {
        membership.state(of: node) == .leaving || membership.tombstoneIncarnation(of: node) != nil
    }

    private mutating func deliverHintBatch(to target: NodeID, into effects: inout [NodeEffect]) {
        var sent = 0
        for hint in hints.pending(for: target, limit: settings.hintDeliveryBatchMax) {
            sendHint(hint, to: target, isRedirect: false, into: &effects)
            sent += 1
        }
        if sent > 0 { hintBatchesInFlight[target] = sent }
    }

    /// Hands up to `hintDeliveryBatchMax` hints held for `departed`, a member that left, to the current
    /// primaries of each key (docs/decisions.md, "Hints for a member that left go to the key's current
    /// replicas"): this node merges the object into its own replica when it is one, and sends it as a
    /// hint delivery to every other primary it believes healthy. The hint is dropped when the first new
    /// owner has it (the local merge, or an acknowledgement); never before. A hint with no healthy new
    /// owner waits for the next heartbeat. At most N deliveries per hint are in flight, so at most
    /// N × `hintDeliveryBatchMax` per departed member; the next batch goes when they have all ended.
    private mutating func redirectHintBatch(of departed: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        var sent = 0
        for hint in hints.pending(for: departed, limit: settings.hintDeliveryBatchMax) {
            precondition(hint.target == departed, "hint for \(hint.target) in the queue of \(departed)")
            let owners = replicas(of: hint.key).primaries.filter { $0 != departed }
            if owners.contains(nodeID) && mergeLocally(hint.key, .decoded(hint.object), nowMs: nowMs)
                && hints.acknowledge(target: departed, key: hint.key, sequence: hint.sequence) {
                counters.hintsRedirected += 1
            }
            for owner in owners where owner != nodeID && membership.isHealthy(owner) {
                sendHint(hint, to: owner, isRedirect: true, into: &effects)
                sent += 1
            }
        }
        if sent > 0 { hintBatchesInFlight[departed] = sent }
    }

    /// Sends `hint` to `recipient` (its target, or a current replica of its key) as a tracked hint delivery.
    private mutating func sendHint(_ hint: Hint, to recipient: NodeID, isRedirect: Bool, into effects: inout [NodeEffect]) {
        let operation = allocateOperationID()
        operations.insert(.hintDelivery(target: hint.target, key: hint.key, sequence: hint.sequence, isRedirect: isRedirect),
                          at: operation)
        effects.append(.send(to: recipient, .hintDelivery(operation, key: hint.key, object: .decoded(hint.object))))
        effects.append(.startTimer(.deadline(operation), afterMs: settings.peerRequestTimeoutMs))
    }

    /// A recipient merged a hint: it is dropped unless it changed since (it is sent again then), and
    /// counted as delivered to its target or redirected to a current replica. The next batch goes
    /// at once when this one is done.
    mutating func hintAcknowledged(_ operation: OperationID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard case .hintDelivery(let target, let key, let sequence, let isRedirect) = operations[operation] else { return }
        if hints.acknowledge(target: target, key: key, sequence: sequence) {
            if isRedirect { counters.hintsRedirected += 1 } else { counters.hintsDelivered += 1 }
        }
        guard endHintDelivery(operation) else { return }
        startHintBatch(for: target, nowMs: nowMs, into: &effects)
    }

    /// Forgets a hint delivery (acknowledged, failed or timed out). True when it was the last of its
    /// target's batch in flight.
    @discardableResult
    mutating func endHintDelivery(_ operation: OperationID) -> Bool {
        guard let taken = operations.take(operation) else { return false }
        guard case .hintDelivery(let target, _, _, _) = taken else {
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
    /// True while this node holds hints for a member it believes healthy, or for one that left (they
    /// go to the keys' current replicas): a graceful stop waits for them to be delivered (bounded by
    /// its grace period).
    public var holdsDeliverableHints: Bool {
        hints.targets().contains { target in
            target != nodeID && (membership.isHealthy(target) || hasLeft(target))
                && !hints.pending(for: target, limit: 1).isEmpty
        }
    }

    /// Hints held, delivered and dropped, for metrics.
    public var hintStats: HintStats { hints.stats }
}
