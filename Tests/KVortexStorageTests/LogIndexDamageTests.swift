@testable import KVortexStorage
import Testing

/// An index file that passes its checksum but names a record outside its segment is ignored (the
/// segment is scanned instead), never trusted and never trapped on.
@Suite struct LogIndexDamageTests {
    /// An index of one entry for key "k", checksummed.
    func index(offset: UInt64, size: UInt32, segmentSize: UInt64) -> [UInt8] {
        var bytes = LogIndex.magic + [LogIndex.version]
        withUnsafeBytes(of: segmentSize.littleEndian) { bytes += $0 }
        bytes += [LogRecord.Kind.put.rawValue, 1, 0, UInt8(ascii: "k")]
        withUnsafeBytes(of: offset.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: size.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: RecordChecksum.checksum(bytes).littleEndian) { bytes += $0 }
        return bytes
    }

    @Test func entriesMustLieInTheSegment() {
        #expect(LogIndex.decode(index(offset: 20, size: 20, segmentSize: 40), segmentSize: 40)?.count == 1, "at the end")
        #expect(LogIndex.decode(index(offset: 21, size: 20, segmentSize: 40), segmentSize: 40) == nil)
        #expect(LogIndex.decode(index(offset: 0, size: 41, segmentSize: 40), segmentSize: 40) == nil)
        #expect(LogIndex.decode(index(offset: 0, size: 20, segmentSize: 40), segmentSize: 41) == nil, "another segment size")
    }

    /// The input `make fuzz` found: an offset past `Int.max` trapped when converted.
    @Test func anOffsetPastIntMaxIsRefused() {
        #expect(LogIndex.decode(index(offset: 0xFD00_0000_0000_0000, size: 20, segmentSize: 40), segmentSize: 40) == nil)
        #expect(LogIndex.decode(index(offset: .max, size: .max, segmentSize: 40), segmentSize: 40) == nil)
    }
}
