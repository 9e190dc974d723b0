import Foundation
import KVortexCore
@testable import KVortexStorage
import Synchronization
import Testing

/// The SQLite engine on damaged or full databases: errors, never traps, and no write reported
/// durable that is not there afterwards.
@Suite struct SQLiteDamageTests {
    typealias Scratch = LogEngineTests.Scratch

    /// A row whose object does not decode is `.corrupt` to every call that reads it; the sweep
    /// leaves it alone, and other keys are served.
    @Test func aCorruptRowIsAnErrorToEveryCall() throws {
        let scratch = Scratch()
        do {
            let engine = try SQLiteEngineTests.engine(scratch, fsync: .always)
            let writer = EngineConformance { engine }
            _ = try writer.write(engine, "k", "v")
            _ = try writer.write(engine, "ok", "v")
            try engine.close()
        }
        let other = try RawSQLite(path: SQLiteEngineTests.path(scratch))
        #expect(other.execute("UPDATE objects SET object = x'ffff', reapable = 1 WHERE key = x'6b'"))  // key "k"
        let engine = try SQLiteEngineTests.engine(scratch)
        let key = Array("k".utf8)
        expectCorrupt("get") { () throws(StorageError) in _ = try engine.get(key, nowMs: 1_000) }
        expectCorrupt("modify") { () throws(StorageError) in try engine.modify(key, nowMs: 1_000) { $0 = nil } }
        let partitioning = Partitioning(partitionCount: 1)
        expectCorrupt("forEach") { () throws(StorageError) in try engine.forEach(partition: 0, of: partitioning) { _, _ in true } }
        #expect(engine.sweep(nowMs: .max, keysMax: 10) == 0)
        #expect(try engine.get(Array("ok".utf8), nowMs: 1_000) != nil)
        #expect(engine.stats.keyCount == 2)
    }

    /// A file that is not a SQLite database is refused at open as `.corrupt`.
    @Test func aFileThatIsNotADatabaseIsCorrupt() throws {
        let scratch = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        try Data(repeating: 0xAB, count: 8_192).write(to: URL(fileURLWithPath: SQLiteEngineTests.path(scratch)))
        let path = SQLiteEngineTests.path(scratch)
        expectCorrupt("open") { () throws(StorageError) in _ = try SQLiteEngine(configuration: .init(path: path)) }
    }

    /// The database fills up while four writers share group commits. SQLite then rolls the whole
    /// open transaction back (SQLITE_FULL): every write in it must be reported failed, the counts
    /// must follow the table, and once there is room again writes succeed (the engine is not left
    /// believing in a transaction SQLite has dropped).
    @Test func aFullDatabaseFailsTheRolledBackWritesAndRecovers() throws {
        let scratch = Scratch()
        let engine = try SQLiteEngineTests.engine(scratch, fsync: .batch)
        try Self.limitPages(engine, to: 64)  // 256 KiB at 4 KiB pages
        let acknowledged = Mutex<[String]>([])
        let failures = Mutex(0)
        runOnThreads(4) { thread in
            let writer = EngineConformance { fatalError("writes only") }
            for index in 0..<4_000 {
                let key = "t\(thread)-\(index)"
                do {
                    _ = try writer.write(engine, key, String(repeating: "v", count: 200))
                    acknowledged.withLock { $0.append(key) }
                } catch {
                    failures.withLock { $0 += 1 }
                    return
                }
            }
        }
        try #require(failures.withLock { $0 } > 0, "the database filled up")
        try Self.limitPages(engine, to: 1 << 30)
        let writer = EngineConformance { engine }
        for index in 0..<10 { _ = try writer.write(engine, "after-\(index)", "v") }
        let counted = engine.stats
        try engine.close()

        let reopened = try SQLiteEngineTests.engine(scratch)
        #expect(reopened.stats.keyCount == counted.keyCount, "counts follow the table through the rollback")
        #expect(reopened.stats.bytes == counted.bytes)
        let keys = acknowledged.withLock { $0 } + (0..<10).map { "after-\($0)" }
        for key in keys { #expect(try reopened.get(Array(key.utf8), nowMs: 1_000) != nil, "\(key) was acknowledged") }
    }

    /// Bounds the database file (`PRAGMA max_page_count`, per connection) on the engine's own connection.
    static func limitPages(_ engine: SQLiteEngine, to pages: Int) throws {
        let result: Result<Void, StorageError> = engine.state.withLock { state in
            Result { () throws(StorageError) in try state.connection.execute("PRAGMA max_page_count = \(pages)") }
        }
        try result.get()
    }
}

/// Expects `body` to throw `.corrupt`.
func expectCorrupt(_ what: String, _ body: () throws(StorageError) -> Void) {
    do throws(StorageError) {
        try body()
        Issue.record("\(what): no error")
    } catch {
        guard case .corrupt = error else {
            Issue.record("\(what): \(error), not .corrupt")
            return
        }
    }
}
