import Testing
@testable import KVortexCore

/// A member that left, at one node driven by hand: retired once silent and forgotten after the
/// retention, neither of which changes the ring; back in the ring when it starts again.
@Suite struct NodeDepartureTests {
    typealias F = NodeFixture
    let n0 = NodeID("n0"), n1 = NodeID("n1")
    static let retentionMs: UInt64 = 10_000

    static func fixture() -> F {
        F(NodeID("n0")) { $0.departures = DepartureSettings(tombstoneRetentionMs: retentionMs) }
    }

    /// Gossips, 100 ms later, a newer heartbeat of every member that is not leaving, so silence does
    /// not mark them down (their detectors learn 200 ms intervals: one a heartbeat).
    static func keepAlive(_ fixture: inout F) {
        let view = fixture.node.membership
        let digests = view.members.compactMap { member -> MemberDigest? in
            guard member != fixture.node.nodeID, view.state(of: member) != .leaving, var digest = view.digest(of: member) else { return nil }
            digest.heartbeat += 1
            return digest
        }
        _ = fixture.handle(.peer(from: digests[0].node, .gossip(digests)), afterMs: 100)
    }

    /// Heartbeats every 200 ms (keeping the others alive) until `done` holds; at most `heartbeatsMax`.
    /// Returns the heartbeats' effects.
    static func heartbeat(_ fixture: inout F, heartbeatsMax: Int = 500, until done: (F) -> Bool) -> [NodeEffect] {
        var effects: [NodeEffect] = []
        for _ in 0..<heartbeatsMax where !done(fixture) {
            keepAlive(&fixture)
            effects += fixture.handle(.timer(.heartbeat), afterMs: 100)
        }
        #expect(done(fixture), "not done after \(heartbeatsMax) heartbeats")
        return effects
    }

    @Test func aLeftMemberIsRetiredThenForgottenAndTheRingStaysAsItWas() {
        var fixture = Self.fixture()
        _ = fixture.handle(.peer(from: n1, .gossip([MemberDigest(node: n1, incarnation: 5, heartbeat: 1, isLeaving: true)])), afterMs: 200)
        let without = Ring.initial(members: F.members.filter { $0 != n1 }.map { RingMember($0) }, replicaCount: 3)
        #expect(fixture.node.ring == without, "out of the ring as soon as it is leaving")

        let retiring = Self.heartbeat(&fixture) { $0.node.membership.state(of: NodeID("n1")) == nil }
        #expect(retiring.logs.contains { $0.hasPrefix("member n1 left") }, "\(retiring.logs)")
        #expect(retiring.contains(.forgetPeer(n1)), "the driver is told to close its link")
        #expect(fixture.node.membership.members == F.members.filter { $0 != n1 })
        #expect(fixture.node.membership.tombstoneCount == 1)
        #expect(fixture.node.ring == without, "retiring does not change the ring")
        #expect(fixture.node.membership.members.allSatisfy { fixture.node.membership.state(of: $0) == .up }, "\(fixture.node.membership.members.map { fixture.node.membership.state(of: $0) })")

        let forgetting = Self.heartbeat(&fixture) { $0.node.membership.tombstoneCount == 0 }
        #expect(forgetting.logs.contains { $0.hasPrefix("member n1 forgotten") }, "\(forgetting.logs)")
        #expect(!forgetting.contains(.forgetPeer(n1)), "its link was closed when it was retired")
        #expect(fixture.node.ring == without, "forgetting does not change the ring")
        #expect(fixture.node.membership.departureCounters.membersRetired == 1)
        #expect(fixture.node.membership.departureCounters.tombstonesExpired == 1)
    }

    @Test func staleGossipOfATombstonedMemberChangesNothing() {
        var fixture = Self.fixture()
        _ = fixture.handle(.peer(from: n1, .gossip([MemberDigest(node: n1, incarnation: 5, heartbeat: 1, isLeaving: true)])), afterMs: 200)
        _ = Self.heartbeat(&fixture) { $0.node.membership.tombstoneCount == 1 }
        let ring = fixture.node.ring
        let effects = fixture.handle(.peer(from: NodeID("n2"), .gossip([MemberDigest(node: n1, incarnation: 4, heartbeat: 900)])))
        #expect(effects.isEmpty, "\(effects)")
        #expect(fixture.node.ring == ring)
        #expect(fixture.node.membership.state(of: n1) == nil)
    }

    @Test func aLeftMemberStartedAgainRejoinsTheRing() {
        var fixture = Self.fixture()
        _ = fixture.handle(.peer(from: n1, .gossip([MemberDigest(node: n1, incarnation: 5, heartbeat: 1, isLeaving: true)])), afterMs: 200)
        _ = Self.heartbeat(&fixture) { $0.node.membership.tombstoneCount == 1 }
        // Started again, n1 gossips its new start time as its incarnation.
        _ = fixture.handle(.peer(from: n1, .gossip([MemberDigest(node: n1, incarnation: 9, heartbeat: 0)])))
        #expect(fixture.node.membership.state(of: n1) == .up)
        #expect(fixture.node.membership.tombstoneCount == 0)
        #expect(fixture.node.ring == F.ring, "back in the ring")
    }

    @Test func aLeavingNodeDoesNotRetireOthers() {
        var fixture = Self.fixture()
        _ = fixture.handle(.peer(from: n1, .gossip([MemberDigest(node: n1, incarnation: 5, heartbeat: 1, isLeaving: true)])), afterMs: 200)
        _ = fixture.handle(.leave)
        for _ in 0..<100 { _ = fixture.handle(.timer(.heartbeat), afterMs: 200) }
        #expect(fixture.node.membership.state(of: n1) == .leaving, "a leaving node runs no failure detector")
    }
}

extension [NodeEffect] {
    /// The log lines, in order.
    var logs: [String] {
        compactMap { effect in
            guard case .log(let line) = effect else { return nil }
            return line
        }
    }
}
