import Glibc
import KVortexCore
import KVortexStorage
import Testing

@Suite struct MemoryEngineTests {
    static let graceMs: UInt64 = 1_000
    let conformance = EngineConformance { MemoryEngine(configuration: .init(shardCount: 8, reapGraceMs: MemoryEngineTests.graceMs)) }

    @Test func conformanceGetPutRemove() throws { try conformance.getPutRemove() }
    @Test func conformanceSiblings() throws { try conformance.siblingsAndContexts() }
    @Test func conformanceMerge() throws { try conformance.mergeThroughUpdate() }
    @Test func conformanceForEach() throws { try conformance.forEachVisitsExactlyThePartition() }
    @Test func conformanceReaping() throws { try conformance.reapingAfterGrace(graceMs: Self.graceMs) }
    @Test func conformanceSweep() throws { try conformance.sweepIsBounded(graceMs: Self.graceMs) }
    @Test func conformanceSweepReachesEveryCandidate() throws { try conformance.sweepReachesPastCandidatesNotReapableYet(graceMs: Self.graceMs) }
    @Test func conformanceClose() throws { try conformance.closeRefusesLaterCalls() }
    @Test func conformanceReapCandidates() throws { try conformance.reapCandidatesAndConditionalRemove(engineGraceMs: Self.graceMs) }

    /// The bound holds exactly: filling to it evicts nothing, one more key evicts the least recently used.
    @Test func lruBoundIsExact() throws {
        let probe = MemoryEngine(configuration: .init(shardCount: 4))
        _ = try conformance.write(probe, "k000", "value")
        let perKey = probe.stats.bytes
        let engine = MemoryEngine(configuration: .init(shardCount: 4, memoryBytesMax: perKey * 10))
        for index in 0..<10 { _ = try conformance.write(engine, "k" + String(repeating: "0", count: 3 - String(index).count) + String(index), "value") }
        #expect(engine.stats.evictions == 0)
        #expect(engine.stats.bytes == perKey * 10)
        _ = try engine.get(Array("k000".utf8), nowMs: 1_000)  // k000 is now the most recently used
        _ = try conformance.write(engine, "k010", "value")
        #expect(engine.stats.evictions == 1)
        #expect(try engine.get(Array("k001".utf8), nowMs: 1_000) == nil, "the least recently used key went")
        #expect(try engine.get(Array("k000".utf8), nowMs: 1_000) != nil, "a recently read key survives")
        #expect(engine.stats.bytes <= perKey * 10)
    }

    @Test func manyKeysAcrossShardsAndTableGrowth() throws {
        let engine = MemoryEngine(configuration: .init(shardCount: 4))
        for index in 0..<20_000 { _ = try conformance.write(engine, "key\(index)", "v\(index)") }
        #expect(engine.stats.keyCount == 20_000)
        for index in stride(from: 0, to: 20_000, by: 2) {
            try engine.update(Array("key\(index)".utf8), nowMs: 0) { $0 = nil }
        }
        for index in 0..<20_000 {
            let object = try engine.get(Array("key\(index)".utf8), nowMs: 1_000)
            if index % 2 == 0 { #expect(object == nil) } else { #expect(object?.siblings.first?.value == Array("v\(index)".utf8)) }
        }
        #expect(engine.stats.keyCount == 10_000)
    }

    @Test func concurrentBlindWritesLoseNothing() throws {
        let engine = MemoryEngine(configuration: .init(shardCount: 8))
        let threads = 4, writesPerThread = 2_000, keys = 50
        runOnThreads(threads) { thread in
            for index in 0..<writesPerThread {
                _ = try? engine.update(Array("k\(index % keys)".utf8), nowMs: 0) { stored in
                    var object = stored ?? VersionedObject()
                    _ = object.applyWrite(WriteRequest(payload: .value([UInt8(thread)])), actor: ActorID(rawValue: UInt64(thread)),
                                          timestamp: HybridTimestamp(physicalMs: UInt64(index), logical: 0), mode: .siblings, siblingsMax: 100_000)
                    stored = object
                }
            }
        }
        var siblings = 0
        var counters: UInt64 = 0
        for key in 0..<keys {
            let object = try #require(try engine.get(Array("k\(key)".utf8), nowMs: 0))
            siblings += object.siblings.count
            counters += object.clock.entries.reduce(0) { $0 + $1.counter }
        }
        #expect(siblings == threads * writesPerThread)
        #expect(counters == UInt64(threads * writesPerThread))
    }

    /// A seeded random sequence of writes, deletes and removals against a plain dictionary model.
    @Test(arguments: 0..<10 as Range<UInt64>)
    func differentialAgainstADictionary(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let engine = MemoryEngine(configuration: .init(shardCount: 2))
        var model: [[UInt8]: VersionedObject] = [:]
        for step in 0..<3_000 {
            let key = Array("k\(random.int(in: 0..<200))".utf8)
            switch random.int(in: 0..<10) {
            case 0:
                try engine.update(key, nowMs: 0) { $0 = nil }
                model[key] = nil
            case 1..<4:
                let got = try engine.get(key, nowMs: 0)
                #expect(got == model[key], "seed \(seed) step \(step)")
            default:
                let value = (0..<random.int(in: 0..<300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let result = try engine.update(key, nowMs: 0) { stored -> VersionedObject in
                    var object = stored ?? VersionedObject()
                    _ = object.applyWrite(WriteRequest(payload: .value(value), context: random.next() & 1 == 0 ? WriteContext(of: object) : nil),
                                          actor: ActorID(rawValue: 1), timestamp: HybridTimestamp(physicalMs: UInt64(step), logical: 0),
                                          mode: .siblings, siblingsMax: 4)
                    stored = object
                    return object
                }
                model[key] = result
            }
        }
        #expect(engine.stats.keyCount == model.count, "seed \(seed)")
    }
}
