import Foundation
import Glibc
import KVortexCore
import KVortexStorage
import Testing

/// The read cache in front of the log engine: the same contract, counted hits, never a stale read.
@Suite struct ReadCachedEngineTests {
    static let graceMs: UInt64 = 1_000

    func suite() -> (EngineConformance, LogEngineTests.Scratch) {
        let scratch = LogEngineTests.Scratch()
        return (EngineConformance {
            ReadCachedEngine(base: try scratch.engine(), cacheBytes: 1 << 20, reapGraceMs: Self.graceMs)
        }, scratch)
    }

    @Test func conformanceGetPutRemove() throws { let (s, d) = suite(); try s.getPutRemove(); _ = d }
    @Test func conformanceSiblings() throws { let (s, d) = suite(); try s.siblingsAndContexts(); _ = d }
    @Test func conformanceMerge() throws { let (s, d) = suite(); try s.mergeThroughUpdate(); _ = d }
    @Test func conformanceForEach() throws { let (s, d) = suite(); try s.forEachVisitsExactlyThePartition(); _ = d }
    @Test func conformanceClose() throws { let (s, d) = suite(); try s.closeRefusesLaterCalls(); _ = d }
    @Test func conformanceReapCandidates() throws { let (s, d) = suite(); try s.reapCandidatesAndConditionalRemove(engineGraceMs: Self.graceMs); _ = d }

    @Test func repeatedReadsHitTheCacheAndWritesKeepItCurrent() throws {
        let scratch = LogEngineTests.Scratch()
        let writer = EngineConformance { try scratch.engine() }
        do {
            let base = try scratch.engine()
            _ = try writer.write(base, "k", "on disk before the cache existed")
            try base.close()
        }
        let engine = ReadCachedEngine(base: try scratch.engine(), cacheBytes: 1 << 20)
        #expect(try engine.get(Array("k".utf8), nowMs: 0)?.siblings.first?.value == Array("on disk before the cache existed".utf8))
        for _ in 0..<9 { _ = try engine.get(Array("k".utf8), nowMs: 0) }
        #expect(engine.stats.cacheMisses == 1)
        #expect(engine.stats.cacheHits == 9)
        let written = try writer.write(engine, "k", "newer")
        #expect(try engine.get(Array("k".utf8), nowMs: 0) == written, "a write updates the cached version")
        try engine.update(Array("k".utf8), nowMs: 0) { $0 = nil }
        #expect(try engine.get(Array("k".utf8), nowMs: 0) == nil, "a removal drops the cached version")
    }

    /// Writers and readers race on a few keys; afterwards the cache agrees with the log for every key.
    @Test func concurrentWritesNeverLeaveAStaleCache() throws {
        let scratch = LogEngineTests.Scratch()
        let base = try scratch.engine(fsync: .none)
        let engine = ReadCachedEngine(base: base, cacheBytes: 1 << 20)
        runOnThreads(4) { thread in
            for index in 0..<500 {
                let key = Array("k\(index % 7)".utf8)
                if thread % 2 == 0 {
                    _ = try? engine.get(key, nowMs: 0)
                } else {
                    try? engine.update(key, nowMs: 0) { stored in
                        var object = stored ?? VersionedObject()
                        _ = object.applyWrite(WriteRequest(payload: .value([UInt8(thread), UInt8(index % 256)]), context: WriteContext(of: object)),
                                              actor: ActorID(rawValue: UInt64(thread)), timestamp: HybridTimestamp(physicalMs: UInt64(index), logical: 0),
                                              mode: .siblings, siblingsMax: 8)
                        stored = object
                    }
                }
            }
        }
        for index in 0..<7 {
            let key = Array("k\(index)".utf8)
            #expect(try engine.get(key, nowMs: 0) == base.get(key, nowMs: 0), "k\(index)")
        }
    }
}
