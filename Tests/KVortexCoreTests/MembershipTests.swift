import Testing
@testable import KVortexCore

@Suite struct MembershipTests {
    let a = NodeID("a"), b = NodeID("b"), c = NodeID("c")

    @Test func phiGrowsWithSilenceAndResetsOnHeartbeat() {
        var detector = PhiAccrualDetector(firstIntervalMs: 100)
        for beat in 0...20 { detector.heartbeat(atMs: UInt64(beat) * 100) }
        #expect(detector.meanIntervalMs == 100)
        #expect(detector.phi(atMs: 2_000) == 0)
        let short = detector.phi(atMs: 2_100)
        let long = detector.phi(atMs: 4_000)
        #expect(short > 0 && short < 1)
        #expect(long > 8, "20 silent intervals is far past a phi of 8")
        detector.heartbeat(atMs: 4_000)
        #expect(detector.phi(atMs: 4_000) == 0)
    }

    /// A gap past the cap (a partition that healed) is not learned: the next silence is detected as
    /// fast as before it. Learned, it would have raised the mean from 100 ms to about 1.5 s.
    @Test func aPartitionsGapIsNotLearned() {
        var detector = PhiAccrualDetector(firstIntervalMs: 100)
        for beat in 0...20 { detector.heartbeat(atMs: UInt64(beat) * 100) }
        detector.heartbeat(atMs: 2_000 + 30_000)
        #expect(detector.intervalsIgnored == 1)
        #expect(detector.meanIntervalMs == 100)
        for beat in 1...5 { detector.heartbeat(atMs: 32_000 + UInt64(beat) * 100) }
        #expect(detector.phi(atMs: 32_500 + 2_000) > 8, "2 s of silence is down again, as before the partition")
        // An interval at the cap (10 × the first: 1 s) is still learned.
        detector.heartbeat(atMs: 32_500 + 1_000)
        #expect(detector.intervalsIgnored == 1)
    }

    @Test func detectorWindowIsBounded() {
        var detector = PhiAccrualDetector(firstIntervalMs: 100)
        for beat in 0...(PhiAccrualDetector.samplesMax * 2) { detector.heartbeat(atMs: UInt64(beat) * 50) }
        #expect(detector.meanIntervalMs == 50)
    }

    @Test func silentPeerGoesSuspectThenDownAndComesBack() {
        let settings = FailureDetectorSettings(suspectPhi: 5, downPhi: 8, heartbeatIntervalMs: 100)
        var view = MembershipView(localNode: a, seeds: [b, c], settings: settings, nowMs: 0)
        #expect(view.isHealthy(b))
        var nowMs: UInt64 = 0
        // c keeps beating through gossip; b falls silent after 1 s.
        for step in 1...40 {
            nowMs = UInt64(step) * 100
            var gossip = [MemberDigest(node: c, incarnation: 1, heartbeat: UInt64(step))]
            if step <= 10 { gossip.append(MemberDigest(node: b, incarnation: 1, heartbeat: UInt64(step))) }
            _ = view.merge(gossip, nowMs: nowMs)
            _ = view.evaluate(nowMs: nowMs)
        }
        #expect(view.state(of: c) == .up)
        #expect(view.state(of: b) == .down)
        #expect(!view.isHealthy(b))
        let changed = view.merge([MemberDigest(node: b, incarnation: 1, heartbeat: 11)], nowMs: nowMs)
        #expect(changed.map(\.0) == [b])
        #expect(view.state(of: b) == .up)
    }

    @Test func olderGossipIsIgnoredAndLeavingIsSticky() {
        var view = MembershipView(localNode: a, seeds: [b], settings: FailureDetectorSettings(), nowMs: 0)
        _ = view.merge([MemberDigest(node: b, incarnation: 2, heartbeat: 5, isLeaving: true)], nowMs: 10)
        #expect(view.state(of: b) == .leaving)
        _ = view.merge([MemberDigest(node: b, incarnation: 1, heartbeat: 99)], nowMs: 20)
        #expect(view.state(of: b) == .leaving, "a lower incarnation is old news")
        _ = view.evaluate(nowMs: 1_000_000)
        #expect(view.state(of: b) == .leaving)
    }

    @Test func gossipIsSortedAndCarriesOwnHeartbeat() {
        var view = MembershipView(localNode: b, seeds: [c, a], settings: FailureDetectorSettings(), nowMs: 0)
        view.beat()
        view.beat()
        let gossip = view.gossip()
        #expect(gossip.map(\.node) == [a, b, c])
        #expect(gossip[1].heartbeat == 2)
    }
}

@Suite struct MembershipReachabilityTests {
    let a = NodeID("a"), b = NodeID("b")

    @Test func anUndeliverableMessageMarksThePeerDownUntilNewerNews() {
        var view = MembershipView(localNode: a, seeds: [b], settings: FailureDetectorSettings(heartbeatIntervalMs: 100), nowMs: 1_000)
        _ = view.merge([MemberDigest(node: b, incarnation: 5, heartbeat: 3)], nowMs: 1_000)
        #expect(view.markUnreachable(b).map(\.1) == [.down])
        _ = view.evaluate(nowMs: 1_010)
        #expect(view.state(of: b) == .down, "a low phi does not bring it back")
        _ = view.merge([MemberDigest(node: b, incarnation: 5, heartbeat: 3)], nowMs: 1_020)
        #expect(view.state(of: b) == .down, "old news does not either")
        _ = view.merge([MemberDigest(node: b, incarnation: 5, heartbeat: 4)], nowMs: 1_030)
        #expect(view.state(of: b) == .up)
    }

    @Test func aRestartedNodeIsNewsThroughItsLaterIncarnation() {
        var old = MembershipView(localNode: b, seeds: [a], settings: FailureDetectorSettings(), nowMs: 1_000)
        for _ in 0..<50 { old.beat() }
        var view = MembershipView(localNode: a, seeds: [b], settings: FailureDetectorSettings(), nowMs: 1_000)
        _ = view.merge(old.gossip(), nowMs: 1_100)
        _ = view.markUnreachable(b)
        let restarted = MembershipView(localNode: b, seeds: [a], settings: FailureDetectorSettings(), nowMs: 9_000)
        _ = view.merge(restarted.gossip(), nowMs: 9_001)
        #expect(view.state(of: b) == .up, "heartbeat 0 of a later start beats heartbeat 50 of the earlier one")
    }
}
