import Glibc
import KVortexCore
@testable import KVortexStorage

// Target `log`: the log engine's record decoding and recovery (KVortexStorage/Log, Hints/HintRecord).
// Bit 0 of the first input byte repairs the checksums of the records in the rest, so mutations get past
// them to kinds, keys and objects; bit 1 repairs it as an index file. Properties: parsing records, hint
// records and index files never traps, and what parses lies in the bytes; a log engine opened on the
// bytes as its one segment never traps, cuts exactly what follows the last whole record, reads every key
// it then holds as an object or a `corrupt` error, and after compacting opens again with nothing cut
// and the same keys.

/// Where the engine's files go: memory, as every input writes a directory of them.
let directory = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + "/kvortex-fuzz-log-\(getpid())"
/// Removes the directory when the run ends (libFuzzer calls `exit`); `checkRecovery` sets it up.
let directoryRemovedAtExit: Void = {
    precondition(mkdir(directory, 0o755) == 0 || errno == EEXIST, "mkdir \(directory): errno \(errno)")
    atexit {
        removeFiles()
        rmdir(directory)
    }
}()

func fuzzSeeds() -> [[UInt8]] {
    var segment: [UInt8] = []
    for (index, object) in sampleObjects().enumerated() {
        segment += record(key: Array("key\(index % 3)".utf8), object: object)
    }
    segment += record(key: Array("key1".utf8), object: nil)
    let index = LogIndex.encode([LogIndex.Entry(kind: .put, key: Array("k".utf8), offset: 0, size: 20)], segmentSize: 40)
    return [[0] + segment, [1] + segment.prefix(segment.count - 5), [2] + index]
}

func record(key: [UInt8], object: VersionedObject?) -> [UInt8] {
    let objectBytes = object?.encodedByteCount ?? 0
    return [UInt8](unsafeUninitializedCapacity: LogRecord.byteCount(key: key, objectBytes: objectBytes)) { buffer, count in
        LogRecord.encode(key: key, object: object, objectBytes: objectBytes, to: UnsafeMutableRawPointer(buffer.baseAddress!))
        count = buffer.count
    }
}

func fuzzOne(_ input: [UInt8]) {
    guard let flags = input.first else { return }
    var bytes = Array(input.dropFirst())
    if flags & 1 != 0 { repairRecordChecksums(&bytes) }
    if flags & 2 != 0 { checkIndex(bytes) }
    checkHintRecords(bytes)
    checkRecovery(bytes, validEnd: checkRecords(bytes))
}

/// Rewrites the checksum of each record whose length fits in what is left.
func repairRecordChecksums(_ bytes: inout [UInt8]) {
    var offset = 0
    while bytes.count - offset >= LogRecord.headerBytes {
        let start = offset + LogRecord.headerBytes
        let count = Int(littleEndianUInt32(bytes, at: offset))
        guard count <= bytes.count - start else { return }
        bytes.replaceSubrange((offset + 4)..<start, with: littleEndianBytes(RecordChecksum.checksum(bytes[start..<(start + count)])))
        offset = start + count
    }
}

/// Parses the records as recovery does (then without checksums, as compaction does); returns where
/// the whole records end.
func checkRecords(_ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while case .record(let frame) = LogRecord.parse(raw, at: offset, verifyingChecksum: false) {
            checkFrame(frame, at: offset, in: raw)
            offset += frame.size
        }
        offset = 0
        while case .record(let frame) = LogRecord.parse(raw, at: offset) {
            checkFrame(frame, at: offset, in: raw)
            if frame.kind != .remove { _ = try? VersionedObject(decoding: UnsafeRawBufferPointer(rebasing: raw[frame.objectRange])) }
            offset += frame.size
        }
        return offset
    }
}

func checkFrame(_ frame: LogRecord.Frame, at offset: Int, in raw: UnsafeRawBufferPointer) {
    let payloadStart = offset + LogRecord.headerBytes
    require(frame.size >= LogRecord.headerBytes + 3 && frame.size <= raw.count - offset, "record of \(frame.size) bytes at \(offset)")
    require(frame.keyRange.lowerBound == payloadStart + 3 && frame.keyRange.upperBound == frame.objectRange.lowerBound
                && frame.objectRange.upperBound == offset + frame.size,
            "record at \(offset) of \(frame.size) bytes: key \(frame.keyRange), object \(frame.objectRange)")
}

func checkHintRecords(_ bytes: [UInt8]) {
    var offset = 0
    while true {
        switch HintRecord.parse(bytes, at: offset) {
        case .hint(_, let size), .acknowledged(_, _, _, let size):
            require(size > HintRecord.headerBytes && size <= bytes.count - offset, "hint record of \(size) bytes at \(offset)")
            offset += size
        case .torn, .end:
            return
        }
    }
}

/// Decodes the bytes as an index file, their checksum repaired, for the segment size they name.
func checkIndex(_ bytes: [UInt8]) {
    guard bytes.count >= 17 else { return }
    let body = bytes.dropLast(4)
    let segmentSize = (0..<8).reduce(0) { $0 | UInt64(bytes[5 + $1]) << (8 * UInt64($1)) }
    guard segmentSize <= UInt64(Int.max) else { return }  // a file size
    let index = Array(body) + littleEndianBytes(RecordChecksum.checksum(body))
    for entry in LogIndex.decode(index, segmentSize: Int(segmentSize)) ?? [] {
        require(entry.offset >= 0 && entry.size >= LogRecord.headerBytes + 3 && entry.offset <= Int(segmentSize) - entry.size,
                "index entry \(entry.offset)+\(entry.size) outside a segment of \(segmentSize) bytes")
    }
}

/// Opens a log engine on `bytes` as its one segment, reads every key, compacts, and opens it again.
func checkRecovery(_ bytes: [UInt8], validEnd: Int) {
    directoryRemovedAtExit
    removeFiles()
    try! DurableFile.write(bytes, to: directory + "/" + LogSegment.fileName(1))
    let keys: Set<HashedKey>
    do {  // the first engine is gone before the second opens
        let engine = try! openEngine()
        require(engine.recoveredDroppedBytes == bytes.count - validEnd,
                "recovery dropped \(engine.recoveredDroppedBytes) bytes, the records end at \(validEnd) of \(bytes.count)")
        keys = readEveryKey(engine)
        do { _ = try engine.compact() } catch { require(false, "compaction after recovery failed: \(error)") }
        try! engine.close()
    }
    let engine = try! openEngine()
    require(engine.recoveredDroppedBytes == 0, "second recovery dropped \(engine.recoveredDroppedBytes) bytes")
    let keysAgain = readEveryKey(engine)
    require(keysAgain == keys, "the second recovery holds other keys: \(keysAgain.map { hex($0.bytes) }.sorted()), "
                + "the first \(keys.map { hex($0.bytes) }.sorted())")
    try! engine.close()
}

func openEngine() throws(StorageError) -> LogEngine {
    // No reaping (an endless grace), so reads leave the keys as they are; no cache, so reads decode.
    try LogEngine(configuration: LogEngine.Configuration(directory: directory, fsync: .none, reapGraceMs: .max,
                                                         compactionDeadBytesMin: 0, recentObjectBytesMax: 0))
}

/// Reads every key the engine holds: an object, or a `corrupt` error for a record that does not decode.
/// Returns the keys it holds then (a read removes an object it finds reapable, one without siblings).
func readEveryKey(_ engine: LogEngine) -> Set<HashedKey> {
    for key in engine.state.withLock({ $0.keydir.keys }) {
        do {
            _ = try engine.get(key.bytes, nowMs: 0)
        } catch {
            guard case .corrupt = error else { require(false, "reading \(hex(key.bytes)) failed: \(error)"); continue }
        }
    }
    return engine.state.withLock { Set($0.keydir.keys) }
}

func removeFiles() {
    for name in DurableFile.names(in: directory, endingWith: "") where name != "." && name != ".." {
        unlink(directory + "/" + name)
    }
}
