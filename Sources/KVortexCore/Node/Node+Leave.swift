/// Where a node stands in a graceful leave (`POST /cluster/leave`).
public enum LeaveProgress: Equatable, Sendable {
    /// Not leaving.
    case member
    /// Leaving: its partitions are still being handed off to their new owners.
    case handingOff(transfersPending: Int)
    /// Leaving, and every transfer was acknowledged: the driver may stop the process.
    case handedOff(objects: UInt64)
}

/// A graceful leave: the node gossips `leaving`, routes by a ring without itself (as every node that
/// hears the news does), and hands each of its partitions off to the new owners with the ownership
/// transfers of `Node+Ownership.swift`. It keeps serving meanwhile; a write that lands on it while
/// leaving queues its partition again, so it reaches the new owners too.
extension Node {
    /// Starts leaving. Does nothing when already leaving, or when no other member could take the
    /// partitions (`canLeave`): the last member cannot hand its data to anyone.
    mutating func leave(nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard !isLeaving else { return }
        guard canLeave else {
            effects.append(.log("cannot leave: no other member to hand the partitions to"))
            return
        }
        membership.markLeaving()
        isLeaving = true
        leaveObjectsBaseline = counters.ownershipObjectsHandedOff
        effects.append(.log("leaving the cluster: handing off partitions"))
        rebuildRing(into: &effects)
        pumpTransfers(nowMs: nowMs, into: &effects)
        // Every member must stop routing here before this node stops: tell them all at once.
        gossip(fanout: membership.members.count, into: &effects)
    }

    /// True when another member, not leaving, is known: one that could take this node's partitions.
    public var canLeave: Bool {
        membership.members.contains { $0 != nodeID && membership.state(of: $0) != .leaving }
    }

    public var leaveProgress: LeaveProgress {
        guard isLeaving else { return .member }
        guard transfers.isEmpty else { return .handingOff(transfersPending: transfers.pendingCount) }
        return .handedOff(objects: counters.ownershipObjectsHandedOff - leaveObjectsBaseline)
    }

    /// A write merged while leaving, perhaps by a node still routing by the old ring: its partition
    /// goes to the new owners (again). Transfers already waiting are not repeated.
    mutating func handOffAgain(_ key: [UInt8]) {
        let partition = settings.partitioning.partition(of: key)
        for target in placement.primaries(ofPartition: partition) where target != nodeID {
            if transfers.enqueue(OwnershipTransfers.Transfer(partition: partition, target: target)) {
                counters.ownershipTransfersEnqueued += 1
            }
        }
    }
}

/// The other side of a leave: members that finished leaving are retired, then forgotten
/// (`MembershipView+Departures.swift`).
extension Node {
    /// Retires the leaving members that fell silent and forgets tombstones past their retention; logs
    /// each. Neither changes the ring: a leaving member is out of it already (checked).
    mutating func retireDepartedMembers(nowMs: UInt64, into effects: inout [NodeEffect]) {
        if settings.plantedBugs.contains(.neverRetireDeparted) { return }  // planted bug
        let departures = membership.retireDeparted(nowMs: nowMs)
        guard !departures.isEmpty else { return }
        for node in departures.retired {
            precondition(!placement.members.contains { $0.node == node }, "\(node) retired while still in the ring")
            effects.append(.log("member \(node) left: it finished leaving and is silent; remembered as a tombstone for "
                + "\(settings.departures.tombstoneRetentionMs) ms"))
            effects.append(.forgetPeer(node))
        }
        for node in departures.forgotten {
            effects.append(.log("member \(node) forgotten: its tombstone expired or was evicted"))
        }
    }
}
