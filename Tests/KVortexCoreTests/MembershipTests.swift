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
