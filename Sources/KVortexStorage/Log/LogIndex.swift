import Glibc
import KVortexCore

/// The index ("hint") file of a compacted segment, `NNNNNN.idx`: every record's kind, key, offset and
/// size, so a restart rebuilds the key directory without reading values (Bitcask's hint files).
///
/// Layout: `magic "KVXI"`, `version u8`, `segment size u64 LE`, then entries `kind u8, keyCount u16 LE,
/// key, offset u64 LE, size u32 LE`, then a CRC-32C (u32 LE) of everything before it. An index that
/// fails any check, or names a segment size other than the file's, is ignored and the segment is
/// scanned instead: the index is a shortcut, never the only copy of anything.
enum LogIndex {
    struct Entry {
        let kind: LogRecord.Kind
        let key: [UInt8]
        let offset: Int
        let size: Int
    }

    static let magic: [UInt8] = Array("KVXI".utf8)
    static let version: UInt8 = 1

    static func fileName(_ id: UInt32) -> String {
        String(LogSegment.fileName(id).dropLast(4)) + ".idx"
    }

    static func encode(_ entries: [Entry], segmentSize: Int) -> [UInt8] {
        var bytes = magic
        bytes.append(version)
        append(UInt64(segmentSize), to: &bytes)
        for entry in entries {
            bytes.append(entry.kind.rawValue)
            bytes.append(UInt8(truncatingIfNeeded: entry.key.count))
            bytes.append(UInt8(truncatingIfNeeded: entry.key.count >> 8))
            bytes += entry.key
            append(UInt64(entry.offset), to: &bytes)
            append(UInt32(entry.size), to: &bytes)
        }
        append(RecordChecksum.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The entries of an index for a segment of `segmentSize` bytes, or nil when the index is not
    /// wholly valid for it.
    static func decode(_ bytes: [UInt8], segmentSize: Int) -> [Entry]? {
        let headerBytes = magic.count + 1 + 8
        guard bytes.count >= headerBytes + 4, Array(bytes[0..<magic.count]) == magic, bytes[magic.count] == version else {
            return nil
        }
        return bytes.withUnsafeBytes { raw -> [Entry]? in
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard load(UInt32.self, raw, at: body.count) == RecordChecksum.checksum(body),
                load(UInt64.self, raw, at: magic.count + 1) == UInt64(segmentSize)
            else { return nil }
            return entries(of: body, from: headerBytes, segmentSize: segmentSize)
        }
    }

    /// Parses the entries of a checksummed index body from `start`; nil if one does not fit.
    private static func entries(of body: UnsafeRawBufferPointer, from start: Int, segmentSize: Int) -> [Entry]? {
        var entries: [Entry] = []
        entries.reserveCapacity((body.count - start) / 24)  // an entry is 15 bytes and the key
        var offset = start
        while offset < body.count {
            guard body.count - offset >= 3, let kind = LogRecord.Kind(rawValue: body[offset]) else { return nil }
            let keyCount = Int(body[offset + 1]) | Int(body[offset + 2]) << 8
            let keyStart = offset + 3
            guard body.count - keyStart >= keyCount + 12 else { return nil }
            // Compared as read, before any conversion: an offset past Int.max must not trap (make fuzz).
            let recordOffset = load(UInt64.self, body, at: keyStart + keyCount)
            let size = Int(load(UInt32.self, body, at: keyStart + keyCount + 8))
            guard size >= LogRecord.headerBytes + 3, size <= segmentSize, recordOffset <= UInt64(segmentSize - size) else {
                return nil
            }
            let key = Array(UnsafeRawBufferPointer(rebasing: body[keyStart..<(keyStart + keyCount)]))
            entries.append(Entry(kind: kind, key: key, offset: Int(recordOffset), size: size))
            offset = keyStart + keyCount + 12
        }
        return entries
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
