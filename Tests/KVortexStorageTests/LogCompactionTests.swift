import Foundation
import Glibc
import KVortexCore
@testable import KVortexStorage
import Synchronization
import Testing

/// Log compaction: live records survive, dead ones go, removals never come undone (basho/bitcask#82),
/// restarts read index files, a crashed compaction leaves nothing behind, writers may run meanwhile.
@Suite struct LogCompactionTests {
    typealias Scratch = LogEngineTests.Scratch
    let writer = EngineConformance { fatalError("writes only") }

    func engine(_ scratch: Scratch, segmentBytesMax: Int = 4 << 10, fsync: FsyncPolicy = .none,
                recentObjectBytesMax: Int = 32 << 20) throws -> LogEngine {
        try LogEngine(configuration: .init(directory: scratch.path, fsync: fsync, segmentBytesMax: segmentBytesMax,
                                           reapGraceMs: LogEngineTests.graceMs, compactionDeadBytesMin: 0,
                                           recentObjectBytesMax: recentObjectBytesMax))
    }

    func contents(_ engine: LogEngine, keys: some Sequence<String>) throws -> [String: VersionedObject] {
        var found: [String: VersionedObject] = [:]
        for key in keys { found[key] = try engine.get(Array(key.utf8), nowMs: 1_000) }
        return found
    }

    func remove(_ engine: LogEngine, _ key: String) throws {
        try engine.update(Array(key.utf8), nowMs: 1_000) { $0 = nil }
    }

    @Test func compactionKeepsLiveRecordsAndDropsDeadOnes() throws {
        let scratch = Scratch()
        let engine = try engine(scratch)
        let keys = (0..<300).map { "key-\($0)" }
        for round in 0..<4 {
            for key in keys { _ = try writer.write(engine, key, "\(key) round \(round) " + String(repeating: "x", count: 40)) }
        }
        for key in keys.prefix(100) { try remove(engine, key) }
        let before = try contents(engine, keys: keys)
        let statsBefore = engine.stats
        let report = try #require(try engine.compact())
        #expect(report.segmentsRead > 1 && report.segmentsWritten < report.segmentsRead)
        #expect(report.recordsKept <= 200, "only the latest record of each live key (some are in the active segment)")
        #expect(try contents(engine, keys: keys) == before)
        let stats = engine.stats
        #expect(stats.keyCount == 200 && stats.bytes == statsBefore.bytes)
        #expect(stats.diskBytes < statsBefore.diskBytes / 2, "\(stats.diskBytes) of \(statsBefore.diskBytes)")
        #expect(stats.compactions == 1 && stats.compactionBytesWritten == report.bytesWritten)
        try engine.close()
        let reopened = try self.engine(scratch)
        #expect(reopened.recoveredFromIndex == report.segmentsWritten)
        #expect(try contents(reopened, keys: keys) == before)
        #expect(reopened.stats.keyCount == 200 && reopened.stats.bytes == statsBefore.bytes)
    }

    /// basho/bitcask#82: a compaction that drops a removal while an older put of the key survives
    /// brings the key back at the next restart. Here the put and the removal are in separate
    /// segments, in every arrangement of compacted, closed and active.
    @Test(arguments: [false, true])
    func aDeletedKeyStaysDeletedAcrossCompactionAndRestart(removalInActiveSegment: Bool) throws {
        let scratch = Scratch()
        var engine = try engine(scratch, segmentBytesMax: 1 << 10)
        _ = try writer.write(engine, "doomed", String(repeating: "d", count: 200))
        for index in 0..<20 { _ = try writer.write(engine, "filler-\(index)", String(repeating: "f", count: 100)) }
        try remove(engine, "doomed")
        if !removalInActiveSegment {
            for index in 0..<20 { _ = try writer.write(engine, "later-\(index)", String(repeating: "l", count: 100)) }
        }
        #expect(try engine.compact() != nil)
        #expect(try engine.get(Array("doomed".utf8), nowMs: 1_000) == nil)
        for round in 0..<3 {
            try engine.close()
            engine = try self.engine(scratch, segmentBytesMax: 1 << 10)
            #expect(try engine.get(Array("doomed".utf8), nowMs: 1_000) == nil, "round \(round): the deleted key came back")
            #expect(engine.stats.keyCount == (removalInActiveSegment ? 20 : 40))
            _ = try engine.compact()
        }
    }

    /// A compaction that crashed before installing leaves temporary files: recovery removes them and
    /// the log reads as before. A damaged index is ignored and its segment scanned.
    @Test func leftoversOfACrashedCompactionAndDamagedIndexesAreHarmless() throws {
        let scratch = Scratch()
        let keys = (0..<100).map { "k\($0)" }
        var expected: [String: VersionedObject] = [:]
        do {
            let engine = try engine(scratch)
            for round in 0..<3 { for key in keys { expected[key] = try writer.write(engine, key, "\(round)-\(key)-" + String(repeating: "v", count: 30)) } }
            _ = try engine.compact()
            try engine.close()
        }
        let index = try #require(FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasSuffix(".idx") }.sorted().first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + index)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.path + "/" + index))
        try Data("half-written".utf8).write(to: URL(fileURLWithPath: scratch.path + "/000001.log.compact"))
        try Data("half-written".utf8).write(to: URL(fileURLWithPath: scratch.path + "/000001.idx.compact"))
        let reopened = try engine(scratch)
        #expect(reopened.recoveredDroppedBytes == 0)
        #expect(try contents(reopened, keys: keys) == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasSuffix(".compact") }.isEmpty)
    }

    /// Writers keep writing while compactions run: every key ends with its last acknowledged value.
    @Test func writersDuringCompactionLoseNothing() throws {
        let scratch = Scratch()
        let engine = try engine(scratch, segmentBytesMax: 8 << 10)
        let compactions = Mutex(0)
        let writersDone = Atomic(0)
        let failures = Mutex<[String]>([])
        runOnThreads(3) { thread in
            let writer = EngineConformance { fatalError("writes only") }
            if thread == 2 {
                // Compacts for as long as the writers write.
                while writersDone.load(ordering: .acquiring) < 2 {
                    if (try? engine.compact()) != nil { compactions.withLock { $0 += 1 } }
                }
                return
            }
            defer { writersDone.add(1, ordering: .releasing) }
            do {
                for round in 0..<40 {
                    for key in 0..<50 { _ = try writer.write(engine, "t\(thread)-\(key)", "round \(round)") }
                }
            } catch {
                failures.withLock { $0.append("writer \(thread): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "a write failed during compaction")
        #expect(try engine.compact() != nil, "closed segments remain to compact after \(compactions.withLock { $0 }) concurrent ones")
        for thread in 0..<2 {
            for key in 0..<50 {
                let object = try #require(try engine.get(Array("t\(thread)-\(key)".utf8), nowMs: 1_000))
                #expect(object.siblings.compactMap(\.value).contains(Array("round 39".utf8)))
            }
        }
        try engine.close()
        let reopened = try self.engine(scratch, segmentBytesMax: 8 << 10)
        #expect(reopened.stats.keyCount == 100)
    }

    /// Compaction checks the checksums of the records it copies only: a damaged dead record is dropped
    /// like any dead one, a damaged live record stops compaction (it must not be copied, nor dropped).
    @Test(arguments: [false, true])
    func aDamagedRecordStopsCompactionOnlyWhenLive(live: Bool) throws {
        let scratch = Scratch()
        let engine = try engine(scratch, recentObjectBytesMax: 0)  // every read from the segments
        for round in 0..<3 {
            for index in 0..<100 { _ = try writer.write(engine, "k\(index)", "round \(round) " + String(repeating: "x", count: 40)) }
        }
        let keys = (0..<100).map { "k\($0)" }
        let before = try contents(engine, keys: keys)
        let (path, offset, damagedKey): (String, Int, String?) = engine.state.withLock { state in
            // A dead record: the first of the first segment (k0, overwritten since); or a live one in a closed segment.
            guard live, let (key, location) = state.keydir.first(where: { $0.value.segment < state.activeID }) else {
                return (state.segments[1]!.path, 20, nil)
            }
            return (state.segments[location.segment]!.path, location.offset + location.size - 1, String(decoding: key.bytes, as: UTF8.self))
        }
        let fd = open(path, O_RDWR)
        var byte: UInt8 = 0
        #expect(pread(fd, &byte, 1, off_t(offset)) == 1)
        byte ^= 0xFF
        #expect(pwrite(fd, &byte, 1, off_t(offset)) == 1)
        close(fd)
        if live {
            #expect(throws: StorageError.self) { try engine.compact() }
            #expect(FileManager.default.fileExists(atPath: path), "the damaged segment stays")
        } else {
            #expect(try engine.compact() != nil)
        }
        let intact = keys.filter { $0 != damagedKey }
        #expect(try contents(engine, keys: intact) == before.filter { $0.key != damagedKey })
    }

    /// Random writes, removals, compactions and restarts against a model: the engine always holds
    /// exactly the model's keys and objects.
    @Test(arguments: 0..<12 as Range<UInt64>)
    func randomHistoriesMatchAModel(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let scratch = Scratch()
        var engine = try engine(scratch, segmentBytesMax: 2 << 10)
        var model: [String: VersionedObject] = [:]
        let keys = (0..<40).map { "r\($0)" }
        for step in 0..<600 {
            let key = keys[Int(random.next() % UInt64(keys.count))]
            switch random.next() % 20 {
            case 0: _ = try engine.compact()
            case 1:
                try engine.close()
                engine = try self.engine(scratch, segmentBytesMax: 2 << 10)
            case 2...5:
                try remove(engine, key)
                model[key] = nil
            default:
                model[key] = try writer.write(engine, key, "\(step)-" + String(repeating: "m", count: Int(random.next() % 64)))
            }
        }
        #expect(try contents(engine, keys: keys) == model, "seed \(seed)")
        try engine.close()
        #expect(try contents(try self.engine(scratch, segmentBytesMax: 2 << 10), keys: keys) == model, "seed \(seed) after restart")
    }
}
