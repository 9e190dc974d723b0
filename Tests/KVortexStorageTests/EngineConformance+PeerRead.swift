import KVortexCore
import KVortexStorage
import Testing

extension EngineConformance {
    /// `getForPeer(_:nowMs:unlessClock:)`, a replica's answer to a conditional read: nothing stored
    /// is an object of nil, the very clock is `unchanged`, any other clock (older, newer, concurrent)
    /// is the object `getForPeer` gives; objects that may become reapable included (a tombstone).
    func conditionalPeerReads() throws {
        let engine = try make()
        let key = Array("k".utf8)
        let other = VersionVector([(ActorID(rawValue: 7), UInt64(3))])
        #expect(try engine.getForPeer(key, nowMs: 1_000, unlessClock: other) == .object(nil))
        for (step, payload) in [Sibling.Payload.value([1]), .value([2]), .tombstone].enumerated() {
            let stamp = HybridTimestamp(physicalMs: 1_000 + UInt64(step), logical: 0)
            _ = try engine.write(key, WriteRequest(payload: payload), actor: actor, timestamp: stamp, nowMs: 1_000,
                                 mode: .siblings, siblingsMax: 8)
            let stored = try #require(try engine.get(key, nowMs: 1_001))
            #expect(try engine.getForPeer(key, nowMs: 1_001, unlessClock: stored.clock) == .unchanged, "step \(step)")
            var newer = stored.clock
            newer.raise(actor, to: stored.clock.counter(for: actor) + 1)
            for clock in [other, newer, VersionVector()] {
                guard case .object(let object?) = try engine.getForPeer(key, nowMs: 1_001, unlessClock: clock) else {
                    Issue.record("step \(step): expected the object for clock \(clock)"); continue
                }
                #expect(object.object == stored, "step \(step)")
            }
        }
    }
}
