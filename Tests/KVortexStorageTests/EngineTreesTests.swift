import Foundation
import KVortexCore
@testable import KVortexStorage
import Testing

/// `TreeConformance` on every engine, and what only SQLite can do to trees: lose reported changes to
/// a rollback.
@Suite struct EngineTreesTests {
    typealias Scratch = LogEngineTests.Scratch
    static let grace = TreeConformance.graceMs

    static func memory(shardCount: Int = 8, memoryBytesMax: Int? = nil, writers: Int = 4) -> TreeConformance {
        TreeConformance(make: { observer in
            MemoryEngine(configuration: .init(shardCount: shardCount, memoryBytesMax: memoryBytesMax, reapGraceMs: grace,
                                              changeObserver: observer))
        }, writerCount: writers)
    }

    static func log(_ scratch: Scratch, fsync: FsyncPolicy = .none, recentObjectBytesMax: Int = 32 << 20,
                    writers: Int = 2) -> TreeConformance {
        TreeConformance(make: { observer in
            try LogEngine(configuration: .init(directory: scratch.path, fsync: fsync, reapGraceMs: grace,
                                               recentObjectBytesMax: recentObjectBytesMax, changeObserver: observer))
        }, writerCount: writers)
    }

    static func sqlite(_ scratch: Scratch, fsync: FsyncPolicy = .none, writers: Int = 2) -> TreeConformance {
        TreeConformance(make: { observer in
            try SQLiteEngine(configuration: .init(path: try sqlitePath(scratch), fsync: fsync, reapGraceMs: grace,
                                                  changeObserver: observer))
        }, writerCount: writers)
    }

    static func sqlitePath(_ scratch: Scratch) throws -> String {
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        return scratch.path + "/kvortex.sqlite"
    }

    /// A log engine behind the read cache: the cache passes writes and the rebuild's pass to the base.
    static func cachedLog(_ scratch: Scratch) -> TreeConformance {
        TreeConformance(make: { observer in
            let base = try LogEngine(configuration: .init(directory: scratch.path, fsync: .none, reapGraceMs: grace,
                                                          changeObserver: observer))
            return ReadCachedEngine(base: base, cacheBytes: 64 << 10, reapGraceMs: grace)
        }, writerCount: 2)
    }

    /// Each engine configuration by name, with the scratch directory it lives in.
    static func suite(_ name: String) -> (TreeConformance, Scratch) {
        let scratch = Scratch()
        switch name {
        case "memory": return (memory(), scratch)
        case "memory-one-shard": return (memory(shardCount: 1, writers: 1), scratch)
        case "memory-lru": return (memory(memoryBytesMax: 6_000), scratch)
        case "log": return (log(scratch), scratch)
        case "log-from-segments": return (log(scratch, recentObjectBytesMax: 0), scratch)
        case "sqlite": return (sqlite(scratch), scratch)
        case "sqlite-batch": return (sqlite(scratch, fsync: .batch), scratch)
        case "cached-log": return (cachedLog(scratch), scratch)
        default: preconditionFailure("no engine configuration \(name)")
        }
    }

    static let every = ["memory", "memory-one-shard", "memory-lru", "log", "log-from-segments", "sqlite", "sqlite-batch", "cached-log"]
    static let durable = ["log", "log-from-segments", "sqlite", "sqlite-batch", "cached-log"]

    @Test(arguments: every, 0..<3 as Range<UInt64>)
    func historyKeepsTreesEqualToAScan(engine: String, seed: UInt64) throws {
        let (suite, scratch) = Self.suite(engine)
        try withExtendedLifetime(scratch) { try suite.historyKeepsTreesEqualToAScan(seed: seed) }
    }

    @Test(arguments: every, 0..<3 as Range<UInt64>)
    func rebuildUnderWritersEqualsAScan(engine: String, seed: UInt64) throws {
        let (suite, scratch) = Self.suite(engine)
        try withExtendedLifetime(scratch) { try suite.rebuildUnderWritersEqualsAScan(seed: seed) }
    }

    @Test(arguments: durable)
    func reopenedWithDataStartsUnbuilt(engine: String) throws {
        let (suite, scratch) = Self.suite(engine)
        try withExtendedLifetime(scratch) {
            try suite.openedEmptyStaysReady()
            try suite.reopenedWithDataStartsUnbuilt(seed: 5)
        }
    }

    /// The memory engine's conformance suite with an observer: its blocks then keep their digests
    /// (`EntryBlock.keepsDigest`), which every read of a block must step over.
    @Test func memoryConformanceWithAnObserver() throws {
        let grace = Self.grace
        let checks: [(EngineConformance) throws -> Void] = [
            { try $0.getPutRemove() }, { try $0.siblingsAndContexts() }, { try $0.mergeThroughUpdate() },
            { try $0.forEachVisitsExactlyThePartition() }, { try $0.reapingAfterGrace(graceMs: grace) },
            { try $0.sweepIsBounded(graceMs: grace) }, { try $0.sweepReachesPastCandidatesNotReapableYet(graceMs: grace) },
            { try $0.clientWrites() }, { try $0.conditionalPeerReads() }, { try $0.replicaMerge() },
            { try $0.replicaMerge(encoded: true) }, { try $0.reapCandidatesAndConditionalRemove(engineGraceMs: grace) },
        ]
        for check in checks {
            let trees = PartitionTrees(shape: TreeConformance.shape, knownEmpty: true)
            let suite = EngineConformance {
                MemoryEngine(configuration: .init(shardCount: 8, reapGraceMs: grace, changeObserver: trees))
            }
            try check(suite)
        }
    }

    /// The evicting configuration does evict (otherwise the history above proves nothing about it).
    @Test func theLRUConfigurationEvicts() throws {
        let engine = MemoryEngine(configuration: .init(shardCount: 8, memoryBytesMax: 6_000, reapGraceMs: Self.grace))
        var history = TreeHistory(seed: 1, thread: 0, keyCount: 120)
        for _ in 0..<600 { history.step(engine) }
        #expect(engine.stats.evictions > 0)
    }

    /// The database fills up inside the open group-commit transaction and SQLite rolls it back by
    /// itself (SQLITE_FULL): changes the observer was told of are gone, so every tree is unbuilt; a
    /// rebuild once there is room makes them ready and equal to the table. The writes are made as
    /// `modify` makes them (under the lock, into the shared transaction), without waiting for commits,
    /// so that the transaction holds many reported changes when it fails.
    @Test func aRollbackByTheDatabaseUnbuildsEveryTree() throws {
        let scratch = Scratch()
        let trees = PartitionTrees(shape: TreeConformance.shape, knownEmpty: true)
        let engine = try SQLiteEngine(configuration: .init(path: try Self.sqlitePath(scratch), fsync: .batch, reapGraceMs: Self.grace,
                                                           changeObserver: trees))
        defer { try? engine.close() }
        let writer = EngineConformance { engine }
        _ = try writer.write(engine, "before", "v")
        try SQLiteDamageTests.limitPages(engine, to: 64)  // 256 KiB at 4 KiB pages
        let rolledBack = engine.state.withLock { state -> Bool in
            for index in 0..<4_000 {
                var object = VersionedObject()
                _ = object.applyWrite(WriteRequest(payload: .value(Array(repeating: 1, count: 200))), actor: ActorID(rawValue: 1),
                                      timestamp: HybridTimestamp(physicalMs: 1_000, logical: 0), mode: .siblings, siblingsMax: 8)
                do {
                    try engine.write(Array("k\(index)".utf8), object, replacing: nil, old: nil, in: &state)
                } catch {
                    return !state.connection.isInTransaction
                }
            }
            return false
        }
        try #require(rolledBack, "the database filled up and SQLite rolled the transaction back")
        #expect(trees.partitionCounts()[.unbuilt] == TreeConformance.shape.partitionCount)
        try SQLiteDamageTests.limitPages(engine, to: 1 << 30)
        for partition in 0..<TreeConformance.shape.partitionCount {
            var rebuild = TreeRebuild(partition: partition, keysPerStepMax: 200)
            var progress = TreeRebuild.Progress.visiting
            while progress == .visiting { progress = try rebuild.step(engine: engine, trees: trees) }
            #expect(progress == .finished)
        }
        // The first commit after a rollback reports it to the writes it covers (stored, maybe retried).
        _ = try? writer.write(engine, "after", "v")
        _ = try writer.write(engine, "after-2", "v")
        try TreeConformance.expectTreesMatch(trees, engine, "after the rollback and the rebuild")
    }
}
