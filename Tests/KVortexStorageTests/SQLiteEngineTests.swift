import CSQLite
import Foundation
import KVortexCore
import KVortexStorage
import Synchronization
import Testing

/// The SQLite engine: the shared conformance suite under every fsync policy, then restarts, group
/// commit under concurrent writers, and a corrupt row reported as an error.
@Suite struct SQLiteEngineTests {
    typealias Scratch = LogEngineTests.Scratch

    static func engine(_ scratch: Scratch, fsync: FsyncPolicy = .batch) throws -> SQLiteEngine {
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        return try SQLiteEngine(configuration: .init(path: scratch.path + "/kvortex.sqlite", fsync: fsync,
                                                      reapGraceMs: LogEngineTests.graceMs))
    }

    func conformance(_ fsync: FsyncPolicy) -> (EngineConformance, Scratch) {
        let scratch = Scratch()
        return (EngineConformance { try Self.engine(scratch, fsync: fsync) }, scratch)
    }

    @Test(arguments: FsyncPolicy.allCases)
    func conformance(fsync: FsyncPolicy) throws {
        for check in [EngineConformance.getPutRemove, EngineConformance.siblingsAndContexts, EngineConformance.mergeThroughUpdate,
                      EngineConformance.forEachVisitsExactlyThePartition, EngineConformance.closeRefusesLaterCalls] {
            let (suite, scratch) = conformance(fsync)
            try check(suite)()
            _ = scratch
        }
        let (suite, scratch) = conformance(fsync)
        try suite.reapingAfterGrace(graceMs: LogEngineTests.graceMs)
        let (sweep, sweepScratch) = conformance(fsync)
        try sweep.sweepIsBounded(graceMs: LogEngineTests.graceMs)
        _ = (scratch, sweepScratch)
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

    /// Four threads write at once under `batch`: every write is answered after its commit, and all
    /// are there after a restart.
    @Test func groupCommitUnderConcurrentWriters() throws {
        let scratch = Scratch()
        let engine = try Self.engine(scratch, fsync: .batch)
        #expect(engine.defersDurability)
        let answered = Mutex(0)
        runOnThreads(4) { thread in
            let writer = EngineConformance { fatalError("writes only") }
            for index in 0..<100 {
                _ = try! writer.write(engine, "t\(thread)-\(index)", "value \(index)")
                answered.withLock { $0 += 1 }
            }
        }
        #expect(answered.withLock { $0 } == 400)
        try engine.close()
        let reopened = try Self.engine(scratch)
        #expect(reopened.stats.keyCount == 400)
    }

    /// A row whose object does not decode is reported as corrupt, not trapped on.
    @Test func aCorruptRowIsAnError() throws {
        let scratch = Scratch()
        do {
            let engine = try Self.engine(scratch, fsync: .always)
            _ = try EngineConformance { engine }.write(engine, "k", "v")
            try engine.close()
        }
        var db: OpaquePointer?
        try #require(sqlite3_open(scratch.path + "/kvortex.sqlite", &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "UPDATE objects SET object = x'ffff'", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        let engine = try Self.engine(scratch)
        #expect(throws: StorageError.self) { try engine.get(Array("k".utf8), nowMs: 1_000) }
    }
}
