import Foundation
import Synchronization
import KVortexCore
@testable import KVortexStorage
import Testing

/// The log engine's write path shortcuts: appends buffered until their group commit, and the decoded
/// objects of recently written keys kept in memory. Neither may change what is read or what survives.
@Suite struct LogBufferingTests {
    static func object(_ value: String, siblings: Int = 1) -> VersionedObject {
        var object = VersionedObject()
        for index in 0..<siblings {
            _ = object.applyWrite(WriteRequest(payload: .value(Array(value.utf8))), actor: ActorID(rawValue: UInt64(index + 1)),
                                  timestamp: HybridTimestamp(physicalMs: 1, logical: 0), mode: .siblings, siblingsMax: 64)
        }
        return object
    }

    static func fileBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    @Test func bufferedAppendsAreReadableBeforeAndAfterTheFlush() throws {
        let scratch = LogEngineTests.Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        let segment = try LogSegment(directory: scratch.path, id: 1, create: true)
        func append(_ text: String, buffered: Bool) throws -> Int {
            let bytes = Array(text.utf8)
            return try segment.append(byteCount: bytes.count, buffered: buffered) { destination in
                bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        }
        let offsets = [try append("direct", buffered: false), try append("buffered", buffered: true), try append("also", buffered: true)]
        #expect(offsets == [0, 6, 14])
        #expect(segment.size == 18)
        #expect(Self.fileBytes(segment.path) == 6, "buffered bytes are not written yet")
        #expect(try segment.read(offset: 6, count: 8) == Array("buffered".utf8))
        #expect(try segment.read(offset: 2, count: 10) == Array("rectbuffer".utf8), "a read across the file and the buffer")
        _ = try append("!", buffered: false)
        #expect(Self.fileBytes(segment.path) == 19, "an unbuffered append writes what was buffered first")
        _ = try append(String(repeating: "t", count: 10_000), buffered: true)
        #expect(try segment.read(offset: 19, count: 3) == Array("ttt".utf8), "the buffer grew")
        try segment.flush()
        #expect(Self.fileBytes(segment.path) == 10_019)
        #expect(try segment.readAll() == Array(("directbufferedalso!" + String(repeating: "t", count: 10_000)).utf8))
        _ = try append("end", buffered: true)
        try segment.finishAppending()
        #expect(Self.fileBytes(segment.path) == 10_022, "finishing writes what was buffered")
        #expect(try segment.read(offset: 10_019, count: 3) == Array("end".utf8))
    }

    /// Under `batch` a write is acknowledged only once its record is in the file (and fsynced).
    @Test func anAcknowledgedWriteIsInTheFile() throws {
        let scratch = LogEngineTests.Scratch()
        let engine = try scratch.engine(fsync: .batch)
        for index in 0..<50 {
            try engine.update(Array("k\(index)".utf8), nowMs: 0) { $0 = Self.object("value \(index)") }
            let onDisk = scratch.segments.reduce(0) { $0 + Self.fileBytes(scratch.path + "/" + $1) }
            #expect(onDisk == engine.stats.diskBytes, "write \(index)")
        }
        try engine.close()
    }

    /// Every write's callback runs exactly once, in the order of the writes, and all have run when
    /// `close` returns.
    @Test func closeWaitsForEveryDurabilityCallback() throws {
        let scratch = LogEngineTests.Scratch()
        let engine = try scratch.engine(fsync: .batch)
        let calls = Mutex<[Int]>([])
        for index in 0..<500 {
            try engine.modify(Array("k\(index % 50)".utf8), nowMs: 0, { $0 = Self.object("v\(index)") }) { error in
                #expect(error == nil)
                if index == 499 { usleep(50_000) }  // still running when close would return without waiting
                calls.withLock { $0.append(index) }
            }
        }
        try engine.close()
        #expect(calls.withLock { $0 } == Array(0..<500))
    }

    @Test func recentObjectsStayWithinTheirBound() {
        let one = Self.object("v")
        let entryBytes = one.approximateBytes + 2 + RecentObjects.entryOverheadBytes
        var recent = RecentObjects(bytesMax: entryBytes * 3)
        for index in 0..<10 { recent.set(Array("k\(index)".utf8), one) }
        #expect(recent.count == 3)
        #expect(recent.bytes == entryBytes * 3)
        #expect(recent[Array("k9".utf8)] == one && recent[Array("k6".utf8)] == nil, "the oldest go first")
        recent.set(Array("k9".utf8), nil)
        #expect(recent[Array("k9".utf8)] == nil && recent.bytes == entryBytes * 2)
        recent.set(Array("big".utf8), Self.object(String(repeating: "x", count: 1_000)))
        #expect(recent[Array("big".utf8)] == nil, "an object larger than the bound is not kept")
        var off = RecentObjects(bytesMax: 0)
        off.set(Array("k".utf8), one)
        #expect(off.count == 0)
    }

    /// Keys removed and written again leave stale places in the queue; the bound holds regardless.
    @Test func recentObjectsSurviveChurn() {
        let one = Self.object("v")
        var recent = RecentObjects(bytesMax: 100 * (one.approximateBytes + 8 + RecentObjects.entryOverheadBytes))
        for round in 0..<50 {
            for index in 0..<200 { recent.set(Array("key\(index)".utf8), round % 2 == 0 ? one : nil) }
        }
        #expect(recent.count <= 100)
        #expect(recent.bytes <= recent.bytesMax)
    }

    /// Objects kept in memory match what a restart reads back from the segments, through overwrites,
    /// removals, rotation and compaction.
    @Test func recentObjectsMatchTheSegments() throws {
        let scratch = LogEngineTests.Scratch()
        var expected: [String: VersionedObject] = [:]
        do {
            let engine = try scratch.engine(segmentBytesMax: 2_048)
            for round in 0..<4 {
                for index in 0..<40 {
                    let key = "k\(index)"
                    let object = Self.object("r\(round)-\(index)", siblings: 1 + index % 3)
                    let removed = (index + round) % 7 == 0
                    try engine.update(Array(key.utf8), nowMs: 0) { $0 = removed ? nil : object }
                    expected[key] = removed ? nil : object
                }
                _ = try engine.compact()
            }
            for (key, object) in expected { #expect(try engine.get(Array(key.utf8), nowMs: 0) == object, "\(key) in memory") }
            try engine.close()
        }
        let reopened = try scratch.engine(segmentBytesMax: 2_048, recentObjectBytesMax: 0)
        for index in 0..<40 {
            let key = "k\(index)"
            #expect(try reopened.get(Array(key.utf8), nowMs: 0) == expected[key], "\(key) from the segments")
        }
    }
}
