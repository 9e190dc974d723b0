import KVortexCore
import KVortexStorage
import Testing

extension EngineConformance {
    /// Confirmed reaps' engine calls (docs/anti-entropy.md §4): `reapCandidates` lists exactly the
    /// objects the given grace made reapable, with their clocks and digests, removes nothing, and
    /// reaches every candidate in a few bounded calls; `removeIfUnchanged` removes an object only if
    /// its digest is the listed one and it is still reapable. The candidate grace (100 ms) is shorter
    /// than the engine's own (`engineGraceMs`, at least 1 000 ms), as a confirming cluster's is shorter
    /// than the backstop, so the engine reaps nothing by itself here.
    func reapCandidatesAndConditionalRemove(engineGraceMs: UInt64) throws {
        precondition(engineGraceMs >= 1_000, "the engine would reap by itself")
        let engine = try make()
        let tombstones = (0..<10).map { "t\($0)" }
        for key in tombstones {
            let value = try write(engine, key, "x")
            _ = try write(engine, key, "", context: value.clock, tombstone: true)
        }
        _ = try write(engine, "live", "x")
        _ = try write(engine, "ttl", "x", expiryMs: 50_000)
        let keysBefore = engine.stats.keyCount
        var early: [ReapCandidate] = []
        for _ in 0..<4 { early += engine.reapCandidates(nowMs: 1_050, graceMs: 100, keysMax: 4) }
        #expect(early.isEmpty, "within the grace nothing is a candidate")
        var listed: [String: ReapCandidate] = [:]
        for _ in 0..<4 {
            let batch = engine.reapCandidates(nowMs: 1_100, graceMs: 100, keysMax: 4)
            #expect(batch.count <= 4, "bounded by keysMax")
            for candidate in batch { listed[String(decoding: candidate.key, as: UTF8.self)] = candidate }
        }
        #expect(listed.keys.sorted() == tombstones.sorted(), "every tombstone reached, nothing else")
        for (key, candidate) in listed {
            let stored = try engine.get(Array(key.utf8), nowMs: 1_100)
            #expect(stored.map { ReapCandidate(key: Array(key.utf8), object: $0) } == candidate)
        }
        #expect(engine.stats.keyCount == keysBefore, "listing removes nothing")
        guard let t0 = listed["t0"], let t1 = listed["t1"], let t2 = listed["t2"] else { return }  // recorded above

        #expect(try engine.removeIfUnchanged(t0.key, digest: t0.digest, nowMs: 1_100, graceMs: 100) != nil)
        #expect(try engine.get(t0.key, nowMs: 1_100) == nil)
        _ = try write(engine, "t1", "back", atMs: 1_100)
        #expect(try engine.removeIfUnchanged(t1.key, digest: t1.digest, nowMs: 1_100, graceMs: 100) == nil,
                "written since it was listed: kept")
        #expect(try engine.get(t1.key, nowMs: 1_100)?.liveSiblings(atMs: 1_100).count == 1)
        #expect(try engine.removeIfUnchanged(t2.key, digest: ObjectDigest(value: t2.digest.value ^ 1), nowMs: 1_100, graceMs: 100) == nil)
        #expect(try engine.removeIfUnchanged(t2.key, digest: t2.digest, nowMs: 1_050, graceMs: 100) == nil, "not reapable yet")
        let live = try engine.get(Array("live".utf8), nowMs: 1_100)!
        #expect(try engine.removeIfUnchanged(Array("live".utf8), digest: ObjectDigest(live), nowMs: 1_100, graceMs: 100) == nil)
        #expect(engine.stats.keyCount == keysBefore - 1)
        #expect(engine.stats.reaped == 0, "a confirmed removal is not the engine's own reap")
    }
}
