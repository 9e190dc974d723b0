import Testing
@testable import KVortexCore

/// Members that left: retired once silent, kept as tombstones for a bounded time, then forgotten
/// (`MembershipView+Departures.swift`).
@Suite struct MembershipDepartureTests {
    let a = NodeID("a"), b = NodeID("b"), c = NodeID("c"), d = NodeID("d")
    static let settings = FailureDetectorSettings(suspectPhi: 5, downPhi: 8, heartbeatIntervalMs: 100)
    static let retentionMs: UInt64 = 10_000

    /// A view at `a` of `b`, `c` (and `d`), where `leaving` members announced their leave at
    /// incarnation 2 and beat until `silentAfterMs`, the others beat throughout; run to `untilMs`.
    static func view(of nodes: [NodeID], leaving: Set<NodeID>, silentAfterMs: UInt64 = 1_000, untilMs: UInt64,
                     departures: DepartureSettings = DepartureSettings(tombstoneRetentionMs: retentionMs))
        -> (view: MembershipView, departures: MembershipView.DepartureChanges, lastRetiredAtMs: UInt64?) {
        var view = MembershipView(localNode: NodeID("a"), seeds: nodes, settings: settings, nowMs: 0, departures: departures)
        var all = MembershipView.DepartureChanges()
        var lastRetiredAtMs: UInt64?
        for nowMs in stride(from: UInt64(100), through: untilMs, by: 100) {
            let digests = nodes.compactMap { node -> MemberDigest? in
                let isLeaving = leaving.contains(node)
                guard !isLeaving || nowMs <= silentAfterMs else { return nil }
                return MemberDigest(node: node, incarnation: isLeaving ? 2 : 1, heartbeat: nowMs / 100, isLeaving: isLeaving)
            }
            _ = view.merge(digests, nowMs: nowMs)
            _ = view.evaluate(nowMs: nowMs)
            let departures = view.retireDeparted(nowMs: nowMs)
            all.retired += departures.retired
            if !departures.retired.isEmpty { lastRetiredAtMs = nowMs }
            all.forgotten += departures.forgotten
        }
        return (view, all, lastRetiredAtMs)
    }

    @Test func aLeavingMemberThatStillBeatsStaysAMember() {
        let (view, departures, _) = Self.view(of: [b, c], leaving: [b], silentAfterMs: 60_000, untilMs: 5_000)
        #expect(departures.isEmpty)
        #expect(view.state(of: b) == .leaving)
        #expect(view.tombstoneCount == 0)
    }

    @Test func aSilentLeavingMemberIsRetiredThenForgottenAfterTheRetention() throws {
        // b falls silent after 1 s; phi reaches 8 about 18 intervals later.
        var (view, departures, retired) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        let retiredAtMs = try #require(retired)
        #expect(departures.retired == [b])
        #expect(view.members == [a, c], "gone from the member list")
        #expect(view.state(of: b) == nil)
        #expect(!view.isHealthy(b))
        #expect(view.tombstoneCount == 1)
        #expect(view.tombstoneIncarnation(of: b) == 2)
        #expect(view.gossip().map(\.node) == [a, b, c], "the tombstone is gossiped, in order")
        #expect(view.gossip()[1].isLeaving)
        #expect(view.departureCounters.membersRetired == 1)

        #expect(view.retireDeparted(nowMs: retiredAtMs + Self.retentionMs - 1).isEmpty, "kept until the retention passed")
        #expect(view.tombstoneCount == 1)
        let forgotten = view.retireDeparted(nowMs: retiredAtMs + Self.retentionMs)
        #expect(forgotten == MembershipView.DepartureChanges(retired: [], forgotten: [b]))
        #expect(view.tombstoneCount == 0)
        #expect(view.departureCounters.tombstonesExpired == 1)
        #expect(view.gossip().map(\.node) == [a, c])
        #expect(view.members == [a, c])
    }

    @Test func aClockSteppedBackKeepsTheTombstoneLonger() {
        var (view, _, _) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        #expect(view.retireDeparted(nowMs: 10).isEmpty, "nowMs before the retirement forgets nothing")
        #expect(view.tombstoneCount == 1)
    }

    @Test func theTombstoneBeatsStaleGossip() {
        var (view, _, _) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        // A slow peer still gossips b as it was before the leave, and as it was while leaving.
        let before = view.merge([MemberDigest(node: b, incarnation: 1, heartbeat: 9_999)], nowMs: 3_600)
        let leaving = view.merge([MemberDigest(node: b, incarnation: 2, heartbeat: 9_999, isLeaving: true)], nowMs: 3_700)
        #expect(before.isEmpty && leaving.isEmpty)
        #expect(view.members == [a, c], "old news does not bring b back")
        #expect(view.tombstoneCount == 1)
        #expect(view.departureCounters.staleDigestsIgnored == 1, "only the pre-leave digest counts: leaving ones are peers' tombstones")
    }

    @Test func aMemberStartedAgainRejoinsThroughItsHigherIncarnation() {
        var (view, _, _) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        // Started again, b's incarnation is its new start time (`MembershipView.init`).
        let restarted = MembershipView(localNode: b, seeds: [a], settings: Self.settings, nowMs: 9_000)
        let changes = view.merge(restarted.gossip(), nowMs: 9_001)
        #expect(changes.map(\.0) == [b] && changes.map(\.1) == [.up])
        #expect(view.members == [a, b, c])
        #expect(view.state(of: b) == .up)
        #expect(view.tombstoneCount == 0, "the tombstone is lifted")
        #expect(view.departureCounters.membersRejoined == 1)
        #expect(view.retireDeparted(nowMs: 100_000).isEmpty, "an up member is never retired, even when silent")
    }

    @Test func aNewerIncarnationThatIsLeavingAgainIsNotAdmitted() {
        var (view, _, _) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        _ = view.merge([MemberDigest(node: b, incarnation: 7, heartbeat: 1, isLeaving: true)], nowMs: 3_600)
        #expect(view.members == [a, c])
        #expect(view.tombstoneIncarnation(of: b) == 2)
    }

    @Test func aPeerThatMissedTheLeaveLearnsItFromTheTombstone() {
        let (retiring, _, _) = Self.view(of: [b, c], leaving: [b], untilMs: 3_500)
        // c was cut off during the whole leave: it holds b as up, at its old incarnation.
        var missed = MembershipView(localNode: c, seeds: [a, b], settings: Self.settings, nowMs: 0)
        _ = missed.merge([MemberDigest(node: b, incarnation: 1, heartbeat: 5)], nowMs: 500)
        let changes = missed.merge(retiring.gossip(), nowMs: 4_000)
        #expect(changes.contains { $0.0 == b && $0.1 == .leaving })
        #expect(missed.state(of: b) == .leaving)
        // It then retires b in its turn, once b's silence is long enough by its own detector (which
        // learned long intervals from b: 0.5 s, then 3.5 s).
        var retiredMs: UInt64?
        for nowMs in stride(from: UInt64(4_100), through: 60_000, by: 100) where retiredMs == nil {
            _ = missed.merge(retiring.gossip().filter { $0.node != b }.map { digest in
                var beating = digest
                beating.heartbeat = nowMs
                return beating
            }, nowMs: nowMs)
            if missed.retireDeparted(nowMs: nowMs).retired == [b] { retiredMs = nowMs }
        }
        #expect(retiredMs != nil)
        #expect(missed.members == [a, c])
    }

    @Test func aLeavingStrangerIsNotAdded() {
        var view = MembershipView(localNode: a, seeds: [c], settings: Self.settings, nowMs: 0)
        let changes = view.merge([MemberDigest(node: b, incarnation: 2, heartbeat: 3, isLeaving: true)], nowMs: 10)
        #expect(changes.isEmpty)
        #expect(view.members == [a, c], "on its way out: a view that forgot it is not taught it again")
    }

    @Test func tombstonesAreBoundedAndTheOldestGoesFirst() {
        // b and c leave and fall silent at 1 s, d at 2 s; two tombstones at most.
        let departures = DepartureSettings(tombstoneRetentionMs: 60_000, tombstonesMax: 2)
        var view = MembershipView(localNode: a, seeds: [b, c, d], settings: Self.settings, nowMs: 0, departures: departures)
        var retiredOrder: [NodeID] = []
        var forgotten: [NodeID] = []
        for nowMs in stride(from: UInt64(100), through: 6_000, by: 100) {
            let digests = [b, c, d].compactMap { node -> MemberDigest? in
                let silentAfterMs: UInt64 = node == d ? 2_000 : 1_000
                guard nowMs <= silentAfterMs else { return nil }
                return MemberDigest(node: node, incarnation: 2, heartbeat: nowMs / 100, isLeaving: true)
            }
            _ = view.merge(digests, nowMs: nowMs)
            let step = view.retireDeparted(nowMs: nowMs)
            retiredOrder += step.retired
            forgotten += step.forgotten
            if step.retired == [b, c] {
                #expect(view.tombstoneCount == 2, "exactly at the bound: nothing evicted")
                #expect(view.departureCounters.tombstonesEvicted == 0)
            }
        }
        #expect(retiredOrder == [b, c, d])
        #expect(forgotten == [b], "the oldest (earliest retired, then lowest ID) is evicted")
        #expect(view.tombstoneCount == 2)
        #expect(view.tombstoneIncarnation(of: c) == 2 && view.tombstoneIncarnation(of: d) == 2)
        #expect(view.departureCounters.tombstonesEvicted == 1)
        #expect(view.departureCounters.membersRetired == 3)
    }

    @Test func tombstonesMergeIntoGossipInOrder() {
        var tombstones = MemberTombstones()
        for node in ["m", "b", "z"] {
            _ = tombstones.add(MemberDigest(node: NodeID(node), incarnation: 1, heartbeat: 1, isLeaving: true), nowMs: 0, tombstonesMax: 8)
        }
        let digests = ["a", "c", "n"].map { MemberDigest(node: NodeID($0), incarnation: 1, heartbeat: 1) }
        #expect(tombstones.merged(into: digests).map(\.node.rawValue) == ["a", "b", "c", "m", "n", "z"])
        #expect(tombstones.merged(into: []).map(\.node.rawValue) == ["b", "m", "z"])
    }
}
