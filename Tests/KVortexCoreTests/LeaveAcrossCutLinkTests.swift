import Testing
@testable import KVortexCore

/// A leave that begins while the leaving node cannot reach the new owner of one of its partitions,
/// on the four nodes of `LeaveConvergenceTests.Cluster`. The leaver's transfer to that owner fails, so
/// it marks the owner down and waits for it; the others, who still reach both, hear of the leave at
/// once. Once the link is back, only gossip can tell the leaver the owner is up again, so the others
/// must keep gossiping to a leaving member. When they stopped at the news of the leave, the leaver
/// waited for the owner forever and never stopped (the simulator's `leave-during-partition` found it).
@Suite struct LeaveAcrossCutLinkTests {
    typealias Cluster = LeaveConvergenceTests.Cluster
    static let leaver = LeaveConvergenceTests.leaver
    static let newOwner = NodeID("n0")
    static let remaining = LeaveConvergenceTests.members.filter { $0 != leaver }
    static let ring = Ring.initial(members: LeaveConvergenceTests.members.map { RingMember($0) }, replicaCount: 3)

    /// A key of a partition the leaver holds and `newOwner` does not: four members, N = 3, so the
    /// new owner of every one of the leaver's partitions is the member that was not a primary.
    static let key: [UInt8] = {
        for index in 0..<10_000 {
            let key = Array("k\(index)".utf8)
            let primaries = ring.primaries(ofPartition: ring.partitioning.partition(of: key))
            if primaries.contains(leaver) && !primaries.contains(newOwner) { return key }
        }
        preconditionFailure("no key of \(leaver) without \(newOwner)")
    }()

    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func theLeaveFinishesOnceTheLinkIsBack(seed: UInt64) throws {
        var cluster = Cluster(seed: seed)
        let writer = NodeID("n1")
        let object = CoordinatorFixtures.object([(writer, "w1")])
        cluster.schedule(.deliver(to: Self.leaver, from: writer,
                                  .putRequest(OperationID(1 << 40), key: Self.key, object: .decoded(object), hintFor: nil)), afterMs: 0)
        cluster.cutLinks = [[Self.newOwner, Self.leaver].sorted()]
        cluster.run(untilMs: LeaveConvergenceTests.leaveAtMs)
        cluster.schedule(.leave(Self.leaver), afterMs: 0)
        cluster.run(untilMs: LeaveConvergenceTests.leaveAtMs + 2_000)
        #expect(cluster.stopped.isEmpty, "seed \(seed): the transfer to \(Self.newOwner) waits for the link")
        for id in Self.remaining {
            #expect(cluster.nodes[id]?.membership.state(of: Self.leaver) == .leaving, "seed \(seed) at \(id): heard of the leave")
        }

        cluster.cutLinks = []
        cluster.run(untilMs: LeaveConvergenceTests.leaveAtMs + 12_000)
        #expect(cluster.stopped == [Self.leaver], "seed \(seed): the leaver handed off and stopped")
        for id in Self.remaining {
            let node = try #require(cluster.nodes[id])
            #expect(node.membership.members == Self.remaining, "seed \(seed) at \(id): converged to the remaining nodes")
            #expect(node.membership.tombstoneCount == 1, "seed \(seed) at \(id): the leaver retired")
        }
        let owner = try #require(cluster.nodes[Self.newOwner])
        #expect(NodeFixture.values(try owner.storage.get(Self.key, nowMs: cluster.nowMs)) == ["w1"], "seed \(seed): handed off")
    }

    /// A member gossips to a leaving member like to any other, until it retires it.
    @Test func aLeavingMemberIsStillGossipedTo() {
        var fixture = NodeFixture(NodeID("n0"))
        let leaving = NodeID("n1")
        var gossipedTo: Set<NodeID> = []
        for heartbeat in 1...20 as ClosedRange<UInt64> {
            // Still handing off, it keeps gossiping its heartbeat (so it is not retired meanwhile).
            let digest = MemberDigest(node: leaving, incarnation: 5, heartbeat: heartbeat, isLeaving: true)
            _ = fixture.handle(.peer(from: leaving, .gossip([digest])), afterMs: 100)
            for case .send(let to, .gossip) in fixture.handle(.timer(.heartbeat), afterMs: 100) { gossipedTo.insert(to) }
        }
        #expect(fixture.node.membership.state(of: leaving) == .leaving)
        #expect(fixture.node.membership.gossipTargets == NodeFixture.members.filter { $0 != NodeID("n0") })
        #expect(gossipedTo.contains(leaving), "gossiped to \(gossipedTo.sorted())")
    }
}
