import Foundation
import KVortexCore
@testable import KVortexStorage
import Synchronization
import Testing

/// The read cache when its base fails a write: the cache mirrors a write inside the base's
/// transform, before the base has stored it, so a failure must drop the key from the cache or
/// reads would serve a version the base does not have.
@Suite struct ReadCachedFailureTests {
    /// The SQLite database is full: the write fails, and reads keep serving the stored version.
    @Test(arguments: [FsyncPolicy.always, .batch])
    func aWriteTheBaseFailsIsNotServedFromTheCache(fsync: FsyncPolicy) throws {
        let scratch = LogEngineTests.Scratch()
        let base = try SQLiteEngineTests.engine(scratch, fsync: fsync)
        let engine = ReadCachedEngine(base: base, cacheBytes: 1 << 20)
        let writer = EngineConformance { engine }
        let stored = try writer.write(engine, "k", "small")
        try SQLiteDamageTests.limitPages(base, to: 1)  // no page more than the file has
        #expect(throws: StorageError.self) { try writer.write(engine, "k", String(repeating: "x", count: 64 << 10)) }
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == stored)
        #expect(try base.get(Array("k".utf8), nowMs: 1_000) == stored)
    }

    /// A write the base accepts but then reports not durable (a rolled-back group commit) is
    /// dropped from the cache before its caller hears of the failure.
    @Test func aWriteReportedNotDurableIsNotServedFromTheCache() throws {
        let base = RollingBackEngine()
        let engine = ReadCachedEngine(base: base, cacheBytes: 1 << 20)
        let writer = EngineConformance { engine }
        let stored = try writer.write(engine, "k", "kept")
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == stored)  // cached now
        let scratch = MemoryEngine(configuration: .init())
        let newer = try EngineConformance { scratch }.write(scratch, "k", "rolled back")
        base.rollsBack.store(true, ordering: .relaxed)
        let reported = Mutex<StorageError??>(nil)
        try engine.modify(Array("k".utf8), nowMs: 1_000, { $0 = newer }) { error in reported.withLock { $0 = .some(error) } }
        #expect(reported.withLock { $0 } != .some(nil), "the stub reports failure before modify returns")
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == stored, "the base still has it")
    }
}

/// A memory engine whose writes, while `rollsBack` is set, run the transform on a copy, store
/// nothing and report a change not durable: what a rolled-back transaction looks like (tests only).
final class RollingBackEngine: StorageEngine {
    let inner = MemoryEngine(configuration: .init())
    let rollsBack = Atomic(false)

    var defersDurability: Bool { true }
    var stats: StorageStats { inner.stats }

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? { try inner.get(key, nowMs: nowMs) }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        let failure = Mutex<StorageError?>(nil)  // whenDurable runs before modify returns here
        try modify(key, nowMs: nowMs, transform) { error in failure.withLock { $0 = error } }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        guard rollsBack.load(ordering: .relaxed) else {
            try inner.modify(key, nowMs: nowMs, transform)
            return whenDurable(nil)
        }
        var changed = false
        try inner.modify(key, nowMs: nowMs) { stored in
            var copy = stored
            transform(&copy)
            changed = copy != stored
        }
        whenDurable(changed ? .io(operation: "rolled back (test)", errno: 5) : nil)
    }

    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        try inner.forEach(partition: partition, of: partitioning, body)
    }

    func sweep(nowMs: UInt64, keysMax: Int) -> Int { inner.sweep(nowMs: nowMs, keysMax: keysMax) }
    func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        inner.reapCandidates(nowMs: nowMs, graceMs: graceMs, keysMax: keysMax)
    }

    func close() throws(StorageError) { try inner.close() }
}
