import Foundation
import Glibc
import KVortexCore
import KVortexStorage
import Testing

/// The log engine: the shared conformance suite, then what only a durable engine must do.
@Suite struct LogEngineTests {
    static let graceMs: UInt64 = 1_000

    /// A fresh directory under /tmp, removed when the test's value is released.
    final class Scratch {
        let path: String
        init() {
            path = NSTemporaryDirectory() + "kvortex-log-\(UUID().uuidString)"
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func engine(fsync: FsyncPolicy = .batch, segmentBytesMax: Int = 64 << 20, recentObjectBytesMax: Int = 32 << 20) throws -> LogEngine {
            try LogEngine(configuration: .init(directory: path, fsync: fsync, segmentBytesMax: segmentBytesMax, reapGraceMs: LogEngineTests.graceMs,
                                               recentObjectBytesMax: recentObjectBytesMax))
        }
        var segments: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
        }
    }

    /// The suite on an engine that keeps recent objects in memory, or (`recentObjectBytesMax` 0)
    /// reads every object back from its segment.
    func conformance(recentObjectBytesMax: Int = 32 << 20) -> (EngineConformance, Scratch) {
        let scratch = Scratch()
        return (EngineConformance { try scratch.engine(recentObjectBytesMax: recentObjectBytesMax) }, scratch)
    }

    /// The cases that read stored objects, with every read going to the segment files.
    @Test(arguments: 0..<4) func conformanceFromSegmentsOnly(suiteCase: Int) throws {
        let (suite, scratch) = conformance(recentObjectBytesMax: 0)
        switch suiteCase {
        case 0: try suite.getPutRemove()
        case 1: try suite.siblingsAndContexts()
        case 2: try suite.mergeThroughUpdate()
        default: try suite.reapingAfterGrace(graceMs: Self.graceMs)
        }
        _ = scratch
    }

    @Test func conformanceGetPutRemove() throws { let (suite, scratch) = conformance(); try suite.getPutRemove(); _ = scratch }
    @Test func conformanceSiblings() throws { let (suite, scratch) = conformance(); try suite.siblingsAndContexts(); _ = scratch }
    @Test func conformanceMerge() throws { let (suite, scratch) = conformance(); try suite.mergeThroughUpdate(); _ = scratch }
    @Test func conformanceClientWrites() throws { let (suite, scratch) = conformance(); try suite.clientWrites(); _ = scratch }
    @Test func conformancePeerReads() throws { let (suite, scratch) = conformance(); try suite.conditionalPeerReads(); _ = scratch }
    @Test func conformanceForEach() throws { let (suite, scratch) = conformance(); try suite.forEachVisitsExactlyThePartition(); _ = scratch }
    @Test func conformanceReaping() throws { let (suite, scratch) = conformance(); try suite.reapingAfterGrace(graceMs: Self.graceMs); _ = scratch }
    @Test func conformanceSweep() throws { let (suite, scratch) = conformance(); try suite.sweepIsBounded(graceMs: Self.graceMs); _ = scratch }
    @Test func conformanceSweepReachesEveryCandidate() throws {
        let (suite, scratch) = conformance(); try suite.sweepReachesPastCandidatesNotReapableYet(graceMs: Self.graceMs); _ = scratch
    }
    @Test func conformanceClose() throws { let (suite, scratch) = conformance(); try suite.closeRefusesLaterCalls(); _ = scratch }
    @Test func conformanceReapCandidates() throws {
        let (suite, scratch) = conformance(); try suite.reapCandidatesAndConditionalRemove(engineGraceMs: Self.graceMs); _ = scratch
    }

    @Test(arguments: FsyncPolicy.allCases)
    func everythingSurvivesARestart(fsync: FsyncPolicy) throws {
        let scratch = Scratch()
        let writer = EngineConformance { try scratch.engine(fsync: fsync) }
        var expected: [String: VersionedObject] = [:]
        do {
            let engine = try scratch.engine(fsync: fsync)
            for index in 0..<200 { expected["k\(index)"] = try writer.write(engine, "k\(index)", "v\(index)") }
            expected["k7"] = try writer.write(engine, "k7", "again")
            try engine.update(Array("k8".utf8), nowMs: 0) { $0 = nil }
            expected["k8"] = nil
            try engine.close()
        }
        let reopened = try scratch.engine(fsync: fsync)
        #expect(reopened.recoveredDroppedBytes == 0)
        #expect(reopened.stats.keyCount == 199)
        for index in 0..<200 {
            #expect(try reopened.get(Array("k\(index)".utf8), nowMs: 1_000) == expected["k\(index)"], "k\(index)")
        }
    }

    /// A crash mid-append leaves a torn record at the end: recovery cuts it, keeps everything before.
    @Test func tornTailIsCutAndReported() throws {
        let scratch = Scratch()
        let writer = EngineConformance { try scratch.engine() }
        do {
            let engine = try scratch.engine()
            for index in 0..<10 { _ = try writer.write(engine, "k\(index)", "value \(index)") }
            try engine.close()
        }
        let file = scratch.path + "/" + scratch.segments.last(where: { (try? FileManager.default.attributesOfItem(atPath: scratch.path + "/" + $0)[.size] as? Int).map { $0 > 0 } ?? false })!
        let full = try Data(contentsOf: URL(fileURLWithPath: file))
        try full.prefix(full.count - 7).write(to: URL(fileURLWithPath: file))  // the last record loses its tail
        let reopened = try scratch.engine()
        #expect(reopened.recoveredDroppedBytes > 0)
        #expect(reopened.stats.keyCount == 9)
        #expect(try reopened.get(Array("k9".utf8), nowMs: 0) == nil, "the torn write was never acknowledged as durable")
        #expect(try reopened.get(Array("k8".utf8), nowMs: 0)?.siblings.first?.value == Array("value 8".utf8))
        _ = try writer.write(reopened, "k10", "after recovery")
        try reopened.close()
        let again = try scratch.engine()
        #expect(again.recoveredDroppedBytes == 0, "the cut was made durable, and appends continue cleanly")
        #expect(again.stats.keyCount == 10)
    }

    @Test func aCorruptByteEndsTheSegmentThere() throws {
        let scratch = Scratch()
        let writer = EngineConformance { try scratch.engine() }
        do {
            let engine = try scratch.engine()
            for index in 0..<10 { _ = try writer.write(engine, "k\(index)", String(repeating: "x", count: 50)) }
            try engine.close()
        }
        let file = scratch.path + "/" + scratch.segments.first!
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let reopened = try scratch.engine()
        #expect(reopened.recoveredDroppedBytes > 0)
        #expect(reopened.stats.keyCount < 10 && reopened.stats.keyCount >= 4)
        for index in 0..<reopened.stats.keyCount {
            #expect(try reopened.get(Array("k\(index)".utf8), nowMs: 0) != nil, "records before the corruption survive")
        }
    }

    @Test func deletedKeysStayDeletedAcrossRotationAndRestart() throws {
        let scratch = Scratch()
        let writer = EngineConformance { try scratch.engine(segmentBytesMax: 1_024) }
        do {
            let engine = try scratch.engine(segmentBytesMax: 1_024)
            for index in 0..<100 { _ = try writer.write(engine, "k\(index)", "value \(index)") }
            for index in stride(from: 0, to: 100, by: 3) { try engine.update(Array("k\(index)".utf8), nowMs: 0) { $0 = nil } }
            try engine.close()
        }
        #expect(scratch.segments.count > 5, "segments rotate at the size bound")
        let reopened = try scratch.engine(segmentBytesMax: 1_024)
        for index in 0..<100 {
            let object = try reopened.get(Array("k\(index)".utf8), nowMs: 0)
            #expect((object == nil) == (index % 3 == 0), "k\(index)")
        }
    }

    /// Concurrent writers under `batch` share fsyncs and every acknowledged write is on disk.
    @Test func groupCommitSharesFsyncs() throws {
        let scratch = Scratch()
        let engine = try scratch.engine(fsync: .batch)
        runOnThreads(4) { thread in
            for index in 0..<200 {
                _ = try? engine.update(Array("t\(thread)-\(index)".utf8), nowMs: 0) { stored in
                    var object = VersionedObject()
                    _ = object.applyWrite(WriteRequest(payload: .value([UInt8(thread)])), actor: ActorID(rawValue: UInt64(thread + 1)),
                                          timestamp: HybridTimestamp(physicalMs: 1, logical: 0), mode: .siblings, siblingsMax: 4)
                    stored = object
                }
            }
        }
        #expect(engine.stats.keyCount == 800)
        try engine.close()
        let reopened = try scratch.engine()
        #expect(reopened.stats.keyCount == 800)
    }
}
