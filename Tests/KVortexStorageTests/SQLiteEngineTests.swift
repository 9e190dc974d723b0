import Foundation
import KVortexCore
import KVortexStorage
import Synchronization
import Testing

/// The SQLite engine: the shared conformance suite under every fsync policy, then restarts, group
/// commit under concurrent writers, what an acknowledgement means, and close.
/// Damaged and full databases are in `SQLiteDamageTests`.
@Suite struct SQLiteEngineTests {
    typealias Scratch = LogEngineTests.Scratch

    static func path(_ scratch: Scratch) -> String { scratch.path + "/kvortex.sqlite" }

    static func engine(_ scratch: Scratch, fsync: FsyncPolicy = .batch) throws -> SQLiteEngine {
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        return try SQLiteEngine(configuration: .init(path: path(scratch), fsync: fsync, reapGraceMs: LogEngineTests.graceMs))
    }

    func conformance(_ fsync: FsyncPolicy) -> (EngineConformance, Scratch) {
        let scratch = Scratch()
        return (EngineConformance { try Self.engine(scratch, fsync: fsync) }, scratch)
    }

    /// Every conformance check, each on a fresh database, under each policy.
    @Test(arguments: FsyncPolicy.allCases)
    func conformance(fsync: FsyncPolicy) throws {
        let grace = LogEngineTests.graceMs
        let checks: [(EngineConformance) throws -> Void] = [
            { try $0.getPutRemove() }, { try $0.siblingsAndContexts() }, { try $0.mergeThroughUpdate() },
            { try $0.forEachVisitsExactlyThePartition() }, { try $0.reapingAfterGrace(graceMs: grace) },
            { try $0.sweepIsBounded(graceMs: grace) }, { try $0.closeRefusesLaterCalls() },
            { try $0.sweepReachesPastCandidatesNotReapableYet(graceMs: grace) }, { try $0.clientWrites() },
            { try $0.conditionalPeerReads() }, { try $0.reapCandidatesAndConditionalRemove(engineGraceMs: grace) },
        ]
        for check in checks {
            let (suite, scratch) = conformance(fsync)
            try withExtendedLifetime(scratch) { try check(suite) }
        }
    }

    @Test(arguments: FsyncPolicy.allCases)
    func everythingSurvivesARestart(fsync: FsyncPolicy) throws {
        let scratch = Scratch()
        let writer = EngineConformance { try Self.engine(scratch, fsync: fsync) }
        var expected: [String: VersionedObject] = [:]
        do {
            let engine = try Self.engine(scratch, fsync: fsync)
            for index in 0..<200 { expected["k\(index)"] = try writer.write(engine, "k\(index)", "v\(index)") }
            expected["k7"] = try writer.write(engine, "k7", "again")
            try engine.update(Array("k8".utf8), nowMs: 0) { $0 = nil }
            expected["k8"] = nil
            try engine.close()
        }
        let reopened = try Self.engine(scratch, fsync: fsync)
        #expect(reopened.stats.keyCount == 199)
        for index in 0..<200 {
            #expect(try reopened.get(Array("k\(index)".utf8), nowMs: 1_000) == expected["k\(index)"], "k\(index)")
        }
    }

    /// When a write is acknowledged it is committed: another connection (what a restart after
    /// `kill -9` reads) sees it. Under `none` too, which commits each write without fsync.
    @Test(arguments: FsyncPolicy.allCases)
    func anAcknowledgedWriteIsCommitted(fsync: FsyncPolicy) throws {
        let scratch = Scratch()
        let engine = try Self.engine(scratch, fsync: fsync)
        #expect(engine.defersDurability == (fsync == .batch))
        let writer = EngineConformance { engine }
        let other = try RawSQLite(path: Self.path(scratch))
        for index in 0..<20 {
            _ = try writer.write(engine, "k\(index)", "v")
            #expect(try other.contains("k\(index)"), "k\(index) acknowledged under \(fsync) but not committed")
        }
        let reported = DispatchSemaphore(value: 0)
        let failure = Mutex<StorageError?>(nil)
        try engine.modify(Array("k0".utf8), nowMs: 1_000, { $0 = nil }, whenDurable: { error in
            failure.withLock { $0 = error }
            reported.signal()
        })
        #expect(reported.wait(timeout: .now() + 10) == .success, "the delete is reported durable")
        #expect(failure.withLock { $0 } == nil)
        #expect(try !other.contains("k0"), "an acknowledged delete is committed")
    }

    /// Four threads write at once under `batch`: every write is answered after its commit, and all
    /// are there after a restart.
    @Test func groupCommitUnderConcurrentWriters() throws {
        let scratch = Scratch()
        let engine = try Self.engine(scratch, fsync: .batch)
        #expect(engine.defersDurability)
        let answered = Mutex(0)
        let failures = Mutex<[String]>([])
        runOnThreads(4) { thread in
            let writer = EngineConformance { fatalError("writes only") }
            for index in 0..<100 {
                do {
                    _ = try writer.write(engine, "t\(thread)-\(index)", "value \(index)")
                } catch {
                    failures.withLock { $0.append("t\(thread)-\(index): \(error)") }
                    return
                }
                answered.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(answered.withLock { $0 } == 400)
        try engine.close()
        let reopened = try Self.engine(scratch)
        #expect(reopened.stats.keyCount == 400)
    }

    /// Close commits, releases the file (the last connection checkpoints and removes the WAL) and
    /// refuses every later call.
    @Test(arguments: FsyncPolicy.allCases)
    func closeReleasesTheFile(fsync: FsyncPolicy) throws {
        let scratch = Scratch()
        let engine = try Self.engine(scratch, fsync: fsync)
        _ = try EngineConformance { engine }.write(engine, "k", "v")
        #expect(FileManager.default.fileExists(atPath: Self.path(scratch) + "-wal"))
        try engine.close()
        #expect(!FileManager.default.fileExists(atPath: Self.path(scratch) + "-wal"), "the connection was closed")
        #expect(throws: StorageError.closed) { try engine.update(Array("k".utf8), nowMs: 0) { $0 = nil } }
        #expect(throws: StorageError.closed) { try engine.forEach(partition: 0, of: Partitioning(partitionCount: 1)) { _, _ in true } }
        #expect(engine.sweep(nowMs: .max, keysMax: 10) == 0)
        try engine.close()  // a second close does nothing
        #expect(try Self.engine(scratch, fsync: fsync).get(Array("k".utf8), nowMs: 1_000) != nil)
    }
}
