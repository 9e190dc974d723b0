/// Ownership handoff: when the ring changes, a node copies each partition it was a primary of to the
/// members that became primaries of it ("newcomers"); a graceful leave is a ring change without the
/// leaving node (DESIGN.md "Ownership transfer").
///
/// Objects travel as `hintDelivery` messages and come back as `hintAck`: on the wire a handed-off
/// object is exactly a hint handed back ("merge this object into your replica, then acknowledge"), so
/// the receiver needs nothing new; the sender tells them apart by its operation table. Several old
/// primaries send the same partition to a newcomer, and a partition is sent again after a failed
/// delivery: harmless, because the receiver merges and merging is idempotent.
///
/// Old copies are never deleted here: a node still routing by the old ring may write to an old
/// primary after the transfer (docs/decisions.md, "Ownership handoff copies and never deletes").
extension Node {
    /// Routes by the members this node knows, without the leaving ones, and owes the transfers that
    /// follow. Until the ring is gossiped with a version (issue 4), every node computes `Ring.initial`
    /// from that set, so nodes that know the same members route alike whatever order they learned them.
    /// Called with the membership changes of a gossip merge; cheap when none concerns the ring.
    mutating func growRing(_ changes: [(NodeID, MemberState)], into effects: inout [NodeEffect]) {
        guard !changes.isEmpty else { return }  // the usual gossip: nothing to build a set for
        let known = Set(placement.members.map(\.node))
        let concernsRing = changes.contains { node, state in
            state == .leaving ? known.contains(node) : !known.contains(node)  // gone, or new (or back)
        }
        if concernsRing { rebuildRing(into: &effects) }
    }

    /// Recomputes the ring from the known members that are not leaving; owes the transfers.
    mutating func rebuildRing(into effects: inout [NodeEffect]) {
        let known = placement.members.map(\.node)
        let members = Set(membership.members).union(known).filter { membership.state(of: $0) != .leaving }.sorted()
        guard !members.isEmpty, members != known else { return }
        let old = placement
        placement = Ring.initial(members: members.map { RingMember($0) }, partitioning: settings.partitioning,
                                 replicaCount: settings.replicaCount)
        effects.append(.log("ring now has \(Counted(members.count, "member"))"))
        enqueueTransfers(from: old, to: placement, into: &effects)
    }

    /// For each partition this node was a primary of in `old`, one transfer per member of its
    /// preference list in `new` that was not in the old one. Drops waiting transfers whose target no
    /// longer owns their partition (it left). Does not send anything: `pumpTransfers` does.
    mutating func enqueueTransfers(from old: Ring, to new: Ring, into effects: inout [NodeEffect]) {
        precondition(old.partitioning == new.partitioning, "rings of \(old.partitioning) and \(new.partitioning)")
        // Pruned first: what stays names a primary of its partition, so at most N per partition are
        // owed and `transfersMax` (Q × N) holds while adding.
        let dropped = transfers.prune { new.primaries(ofPartition: $0.partition).contains($0.target) }
        var added: UInt64 = 0
        for partition in 0..<new.partitioning.partitionCount {
            let before = old.primaries(ofPartition: partition)
            guard before.contains(nodeID) else { continue }
            for target in new.primaries(ofPartition: partition) where !before.contains(target) {
                if transfers.enqueue(OwnershipTransfers.Transfer(partition: partition, target: target)) { added += 1 }
            }
        }
        counters.ownershipTransfersEnqueued += added
        counters.ownershipTransfersDropped += UInt64(dropped)
        guard added > 0 || dropped > 0 else { return }
        // What a transfer is, and the keys behind them: on a node joining empty, "576 transfers owed"
        // read as alarming, though each finishes at once. The key count is the engine's counter (cheap).
        effects.append(.log("ownership handoff: \(Counted(added, "partition copy", plural: "partition copies")) queued for new owners, "
            + "\(dropped) dropped, \(transfers.pendingCount) pending; this node holds \(Counted(storage.stats.keyCount, "key")) in all, and a partition without keys is done at once"))
    }

    /// Streams owed transfers when no object of theirs is in flight: at most
    /// `ownershipObjectsPerBatchMax` objects, starting at most `ownershipPartitionsPerBatchMax`
    /// transfers (each start scans storage for the partition's keys). Called every heartbeat and when
    /// a batch is fully acknowledged, so a backlog drains at the speed of the round trip; a batch that
    /// started transfers but sent nothing (empty partitions) sets the `.handoff` timer for the next.
    mutating func pumpTransfers(nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard transfers.objectsInFlight == 0 else { return }
        let effectsBefore = effects.count
        var objectsLeft = settings.ownershipObjectsPerBatchMax
        var startsLeft = settings.ownershipPartitionsPerBatchMax
        while objectsLeft > 0 {
            if transfers.active == nil {
                guard startsLeft > 0, let next = transfers.takeNext(where: { membership.isHealthy($0.target) }) else { break }
                startsLeft -= 1
                guard let keys = keys(ofPartition: next.partition) else {
                    transfers.enqueue(next)  // storage failed: counted; try again next heartbeat
                    break
                }
                transfers.start(next, keys: keys)
            }
            guard let (transfer, keys, isFinished) = transfers.nextKeys(limit: objectsLeft) else { break }
            objectsLeft -= keys.count
            if isFinished { counters.ownershipTransfersCompleted += 1 }
            for key in keys { sendTransferObject(key, of: transfer, nowMs: nowMs, into: &effects) }
        }
        let startedAny = startsLeft < settings.ownershipPartitionsPerBatchMax
        let sentNothing = effects.count == effectsBefore
        if sentNothing && startedAny && !transfers.isEmpty && !isHandoffTimerSet {
            isHandoffTimerSet = true
            effects.append(.startTimer(.handoff, afterMs: settings.ownershipBatchIntervalMs))
        }
    }

    /// The keys `partition` holds now, or nil when storage failed (counted).
    private mutating func keys(ofPartition partition: Int) -> [[UInt8]]? {
        var keys: [[UInt8]] = []
        do {
            try storage.forEach(partition: partition, of: settings.partitioning) { key, _ in
                keys.append(key)
                return true
            }
            return keys
        } catch {
            counters.storageFailures += 1
            return nil
        }
    }

    /// Sends the current object of `key` to the transfer's target. A key gone since the snapshot (or
    /// unreadable) is settled at once: there is nothing to hand off (or it is retried with its transfer).
    private mutating func sendTransferObject(_ key: [UInt8], of transfer: OwnershipTransfers.Transfer,
                                             nowMs: UInt64, into effects: inout [NodeEffect]) {
        switch localObject(key, nowMs: nowMs) {
        case .success(let object?):
            let operation = allocateOperationID()
            operations.insert(.transfer(transfer, key: key), at: operation)
            effects.append(.send(to: transfer.target, .hintDelivery(operation, key: key, object: .decoded(object))))
            effects.append(.startTimer(.deadline(operation), afterMs: settings.peerRequestTimeoutMs))
        case .success(nil):
            if transfers.acknowledged(transfer) { counters.ownershipTransfersCompleted += 1 }
        case .failure:
            counters.storageFailures += 1
            transfers.failed(transfer)
        }
    }

    /// True when `operation` is an object of an ownership transfer (its ack and failure are not a hint's).
    func isTransfer(_ operation: OperationID) -> Bool {
        guard case .transfer = operations[operation] else { return false }
        return true
    }

    /// The target merged one object: counted; the next batch goes at once when this one is done.
    mutating func transferAcknowledged(_ operation: OperationID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard case .transfer(let transfer, _)? = operations.take(operation) else { return }
        counters.ownershipObjectsHandedOff += 1
        if transfers.acknowledged(transfer) { counters.ownershipTransfersCompleted += 1 }
        if transfers.objectsInFlight == 0 { pumpTransfers(nowMs: nowMs, into: &effects) }
    }

    /// An object was not delivered (unreachable target, deadline): its transfer is queued again.
    mutating func transferFailed(_ operation: OperationID) {
        guard case .transfer(let transfer, _)? = operations.take(operation) else { return }
        counters.ownershipDeliveriesFailed += 1
        transfers.failed(transfer)
    }

    /// Transfers not finished (waiting, streaming or unacknowledged), for metrics.
    public var ownershipTransfersPending: Int { transfers.pendingCount }
}
