import Testing
@testable import KVortexCore

/// Ownership handoff and graceful leave at one node, driven by hand (DESIGN.md "Ownership transfer").
/// The fixture's node n0 starts in the five-node ring; a sixth node n5 joins by gossip.
@Suite struct NodeOwnershipTests {
    typealias F = NodeFixture
    typealias Transfer = OwnershipTransfers.Transfer

    let n0 = NodeID("n0"), n1 = NodeID("n1"), n5 = NodeID("n5")

    static func ring(_ members: [NodeID]) -> Ring {
        Ring.initial(members: members.map { RingMember($0) }, replicaCount: 3)
    }

    /// What `from` owes when the ring goes from `old` to `new`: per partition it was a primary of,
    /// the members of the new preference list that were not in the old one.
    static func expectedTransfers(of node: NodeID, from old: Ring, to new: Ring) -> Set<Transfer> {
        var expected: Set<Transfer> = []
        for partition in 0..<old.partitioning.partitionCount where old.primaries(ofPartition: partition).contains(node) {
            for target in new.primaries(ofPartition: partition) where !old.primaries(ofPartition: partition).contains(target) {
                expected.insert(Transfer(partition: partition, target: target))
            }
        }
        return expected
    }

    /// Keys `k0`, `k1`, … of `partition`, `count` of them.
    static func keys(inPartition partition: Int, count: Int) -> [[UInt8]] {
        (0..<100_000).lazy.map { Array("k\($0)".utf8) }
            .filter { F.ring.partitioning.partition(of: $0) == partition }.prefix(count).map { $0 }
    }

    func gossip(_ node: NodeID, incarnation: UInt64 = 1, isLeaving: Bool = false, to fixture: inout F) -> [NodeEffect] {
        fixture.handle(.peer(from: node, .gossip([MemberDigest(node: node, incarnation: incarnation, heartbeat: 1, isLeaving: isLeaving)])))
    }

    /// Plays the new owners: every delivery in `effects` and in what its acknowledgement brings is
    /// merged by the receiver's own node and acknowledged. Returns the (target, key) pairs delivered.
    func acknowledge(_ effects: [NodeEffect], at fixture: inout F, receivers: inout [NodeID: F]) -> [(NodeID, [UInt8])] {
        var delivered: [(NodeID, [UInt8])] = []
        var queue = effects.deliveries
        while let delivery = queue.first {
            queue.removeFirst()
            delivered.append((delivery.to, delivery.key))
            var receiver = receivers[delivery.to] ?? F(delivery.to)
            let reply = receiver.handle(.peer(from: fixture.node.nodeID, .hintDelivery(delivery.operation, key: delivery.key, object: .decoded(delivery.object))))
            receivers[delivery.to] = receiver
            #expect(reply == [.send(to: fixture.node.nodeID, .hintAck(delivery.operation))], "the new owner merges and acknowledges")
            queue += fixture.handle(.peer(from: delivery.to, .hintAck(delivery.operation))).deliveries
        }
        return delivered
    }

    /// Gossips a newer heartbeat of every member that is not leaving, so silence does not mark them down.
    func keepAlive(_ fixture: inout F) {
        let view = fixture.node.membership
        let digests = view.members.compactMap { member -> MemberDigest? in
            guard member != fixture.node.nodeID, view.state(of: member) != .leaving, var digest = view.digest(of: member) else { return nil }
            digest.heartbeat += 1
            return digest
        }
        _ = fixture.handle(.peer(from: digests[0].node, .gossip(digests)))
    }

    /// Heartbeats (acknowledging everything) until no transfer is pending; at most `heartbeatsMax`.
    func drain(_ fixture: inout F, receivers: inout [NodeID: F], heartbeatsMax: Int = 200) -> [(NodeID, [UInt8])] {
        var delivered: [(NodeID, [UInt8])] = []
        for _ in 0..<heartbeatsMax where fixture.node.ownershipTransfersPending > 0 {
            keepAlive(&fixture)
            delivered += acknowledge(fixture.handle(.timer(.heartbeat), afterMs: 200), at: &fixture, receivers: &receivers)
        }
        #expect(fixture.node.ownershipTransfersPending == 0, "every transfer finished within \(heartbeatsMax) heartbeats")
        return delivered
    }

    @Test func aJoinOwesTransfersOnlyForPartitionsWithNewcomers() {
        var fixture = F(n0)
        _ = gossip(n5, to: &fixture)
        let new = Self.ring(F.members + [n5])
        #expect(fixture.node.ring == new, "the ring grew with the member gossip revealed")
        let expected = Self.expectedTransfers(of: n0, from: F.ring, to: new)
        #expect(!expected.isEmpty)
        #expect(Set(fixture.node.transfers.waiting) == expected)
        #expect(fixture.node.transfers.waiting.count == expected.count, "no transfer repeats")
        let primaryOf = (0..<F.ring.partitioning.partitionCount).filter { F.ring.primaries(ofPartition: $0).contains(n0) }
        #expect(Set(expected.map(\.partition)).count < primaryOf.count, "partitions without a newcomer owe nothing")
        #expect(fixture.node.counters.ownershipTransfersEnqueued == UInt64(expected.count))

        _ = gossip(n5, incarnation: 2, to: &fixture)
        #expect(fixture.node.transfers.waiting.count == expected.count, "news of a known member changes nothing")
    }

    /// A newcomer that leaves before the transfers its join caused were sent: the ring is the old one
    /// again, so none of their targets owns their partition any more; they are dropped and counted, and
    /// enqueued = completed + dropped + pending holds for `/metrics`.
    @Test func transfersToAMemberThatLeavesBeforeThemAreDroppedAndCounted() {
        var fixture = F(n0)
        _ = gossip(n5, to: &fixture)
        let owed = fixture.node.transfers.waiting.count
        #expect(owed > 0)
        _ = gossip(n5, incarnation: 2, isLeaving: true, to: &fixture)
        let counters = fixture.node.counters
        #expect(fixture.node.ring == F.ring, "the ring without the leaver is the old one")
        #expect(counters.ownershipTransfersDropped == UInt64(owed), "every transfer the join caused is dropped")
        #expect(counters.ownershipTransfersEnqueued
                == counters.ownershipTransfersCompleted + counters.ownershipTransfersDropped + UInt64(fixture.node.ownershipTransfersPending))
    }

    @Test func objectsReachTheNewcomersAndNothingElseIsSent() throws {
        var fixture = F(n0)
        _ = gossip(n5, to: &fixture)
        let owed = fixture.node.transfers.waiting
        let sent = try #require(owed.first)
        let notOwned = try #require((0..<256).first { !F.ring.primaries(ofPartition: $0).contains(n0) })
        let keys = Self.keys(inPartition: sent.partition, count: 3)
        for (index, key) in (keys + Self.keys(inPartition: notOwned, count: 1)).enumerated() {
            fixture.storage.put(key, CoordinatorFixtures.object([(n1, "v\(index)")]))
        }
        var receivers: [NodeID: F] = [:]
        let delivered = drain(&fixture, receivers: &receivers)

        let targets = owed.filter { $0.partition == sent.partition }.map(\.target)
        #expect(delivered.count == keys.count * targets.count, "each key once to each newcomer of its partition")
        for target in targets {
            for key in keys {
                #expect(receivers[target]?.storage.object(key) == fixture.storage.object(key), "\(target) holds the object")
            }
        }
        #expect(fixture.node.counters.ownershipObjectsHandedOff == UInt64(delivered.count))
        #expect(fixture.node.counters.ownershipTransfersCompleted == UInt64(owed.count))
        #expect(fixture.storage.object(keys[0]) != nil, "the old copy is kept")
    }

    @Test func workPerBatchIsBounded() throws {
        var fixture = F(n0) { settings in
            settings.ownershipObjectsPerBatchMax = 4
            settings.ownershipPartitionsPerBatchMax = 2
        }
        _ = gossip(n5, to: &fixture)
        let pendingBefore = fixture.node.ownershipTransfersPending
        _ = fixture.handle(.timer(.heartbeat), afterMs: 200)
        #expect(fixture.node.counters.ownershipTransfersCompleted == 2, "empty partitions: two transfers started and done per batch")
        #expect(fixture.node.ownershipTransfersPending == pendingBefore - 2)

        let busy = try #require(fixture.node.transfers.waiting.first)
        for key in Self.keys(inPartition: busy.partition, count: 10) {
            fixture.storage.put(key, CoordinatorFixtures.object([(n1, "v")]))
        }
        var first = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        #expect(first.count == 4, "a batch is at most ownershipObjectsPerBatchMax objects")
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.isEmpty, "no new batch while one is in flight")
        var next: [(to: NodeID, operation: OperationID, key: [UInt8], object: VersionedObject)] = []
        while let delivery = first.popLast() {
            next += fixture.handle(.peer(from: delivery.to, .hintAck(delivery.operation))).deliveries
            if !first.isEmpty { #expect(next.isEmpty, "the next batch waits for the whole batch") }
        }
        #expect(next.count == 4, "the acknowledged batch is followed by the next at once")
    }

    @Test func aFailedDeliverySendsThePartitionAgain() throws {
        var fixture = F(n0)
        _ = gossip(n5, to: &fixture)
        let transfer = try #require(fixture.node.transfers.waiting.first)
        let key = try #require(Self.keys(inPartition: transfer.partition, count: 1).first)
        fixture.storage.put(key, CoordinatorFixtures.object([(n1, "v")]))
        let delivery = try #require(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.first { $0.to == transfer.target })
        _ = fixture.handle(.undeliverable(to: delivery.to, .hintDelivery(delivery.operation, key: delivery.key, object: .decoded(delivery.object))))
        #expect(fixture.node.counters.ownershipDeliveriesFailed == 1)
        #expect(fixture.node.transfers.waiting.contains(transfer), "queued again")
        #expect(!fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.contains { $0.to == transfer.target },
                "not while the target is down")

        _ = gossip(transfer.target, incarnation: 2, to: &fixture)
        var receivers: [NodeID: F] = [:]
        let delivered = drain(&fixture, receivers: &receivers)
        #expect(delivered.contains { $0.0 == transfer.target && $0.1 == key }, "sent again once the target is back")
    }

    @Test func aLeavingMemberLeavesTheRingOfOthersAndComesBackWhenItRejoins() {
        var fixture = F(n0)
        _ = gossip(n1, incarnation: 5, isLeaving: true, to: &fixture)
        let without = Self.ring(F.members.filter { $0 != n1 })
        #expect(fixture.node.membership.state(of: n1) == .leaving)
        #expect(fixture.node.ring == without, "routes by a ring without the leaving member")
        #expect(Set(fixture.node.transfers.waiting) == Self.expectedTransfers(of: n0, from: F.ring, to: without))
        #expect(fixture.node.transfers.waiting.allSatisfy { $0.target != n1 })

        _ = gossip(n1, incarnation: 5, isLeaving: false, to: &fixture)
        #expect(fixture.node.ring == without, "not newer news: still leaving")
        // Started again, the node gossips a higher incarnation (its start time): it is back.
        _ = gossip(n1, incarnation: 9, to: &fixture)
        #expect(fixture.node.membership.state(of: n1) == .up)
        #expect(fixture.node.ring == F.ring)
    }

    @Test func leaveHandsEveryPartitionOffThenReportsDone() throws {
        var fixture = F(n0)
        let keys = (0..<40).map { Array("leave\($0)".utf8) }.filter { F.primaries(of: $0).contains(n0) }
        for key in keys { fixture.storage.put(key, CoordinatorFixtures.object([(n0, "v")])) }
        #expect(fixture.node.leaveProgress == .member)

        let effects = fixture.handle(.leave)
        #expect(fixture.node.membership.state(of: n0) == .leaving)
        #expect(fixture.node.ring == Self.ring(F.members.filter { $0 != n0 }))
        let told = Set(effects.sends.compactMap { send -> NodeID? in
            guard case .gossip(let digests) = send.message, digests.contains(where: { $0.node == n0 && $0.isLeaving }) else { return nil }
            return send.to
        })
        #expect(told == Set(F.members.filter { $0 != n0 }), "every member hears of the leave at once")
        guard case .handingOff(let pending) = fixture.node.leaveProgress else {
            Issue.record("not handing off: \(fixture.node.leaveProgress)")
            return
        }
        #expect(pending > 0)

        var receivers: [NodeID: F] = [:]
        let delivered = acknowledge(effects, at: &fixture, receivers: &receivers) + drain(&fixture, receivers: &receivers)
        for key in keys {
            for owner in fixture.node.ring.preferenceList(for: key) where !F.primaries(of: key).contains(owner) {
                #expect(receivers[owner]?.storage.object(key) != nil, "the new owner \(owner) holds \(key)")
            }
        }
        #expect(fixture.node.leaveProgress == .handedOff(objects: UInt64(delivered.count)))
        #expect(fixture.handle(.leave).isEmpty, "a second leave changes nothing")

        // A node still on the old ring writes here: the key goes to the new owners too.
        let late = try #require(keys.first)
        _ = fixture.handle(.peer(from: n1, .putRequest(OperationID(7), key: late, object: .decoded(CoordinatorFixtures.object([(n1, "late")])), hintFor: nil)))
        #expect(fixture.node.leaveProgress != .handedOff(objects: UInt64(delivered.count)), "not done while the late write is owed")
        let again = drain(&fixture, receivers: &receivers)
        #expect(again.contains { $0.1 == late })
        for owner in fixture.node.ring.preferenceList(for: late) {
            let values = F.values(receivers[owner]?.storage.object(late))
            #expect(values.contains("late"), "\(owner) has the late write")
        }
    }

    @Test func theLastMemberCannotLeave() {
        var fixture = F(n0)
        for member in F.members where member != n0 { _ = gossip(member, incarnation: 3, isLeaving: true, to: &fixture) }
        #expect(!fixture.node.canLeave)
        _ = fixture.handle(.leave)
        #expect(fixture.node.leaveProgress == .member)
        #expect(fixture.node.ring.members.map(\.node) == [n0])
    }
}
