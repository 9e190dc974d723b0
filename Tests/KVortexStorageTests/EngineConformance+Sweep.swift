import KVortexCore
import KVortexStorage
import Testing

extension EngineConformance {
    /// Keys with a TTL far in the future are sweep candidates that are not reapable yet. Sorted
    /// before the expired keys and outnumbering `keysMax`, they must not hide those keys: a few
    /// bounded sweeps (two passes over the candidates) reap every expired key and nothing else.
    func sweepReachesPastCandidatesNotReapableYet(graceMs: UInt64) throws {
        let engine = try make()
        for index in 0..<10 { _ = try write(engine, "a\(index)", "later", expiryMs: 1_000_000_000) }
        for index in 0..<5 { _ = try write(engine, "z\(index)", "expired", expiryMs: 1_001) }
        let late = 2_000 + graceMs
        let keysMax = 4
        var reaped = 0
        for _ in 0..<(2 * (15 + keysMax - 1) / keysMax) { reaped += engine.sweep(nowMs: late, keysMax: keysMax) }
        #expect(reaped == 5, "every expired key is reached")
        #expect(engine.stats.keyCount == 10)
        for index in 0..<5 { #expect(try engine.get(Array("z\(index)".utf8), nowMs: late) == nil) }
        #expect(try engine.get(Array("a0".utf8), nowMs: late) != nil, "a key not expired yet stays")
    }
}
