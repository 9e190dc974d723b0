import KVortexCore

/// One record of a log segment: `length u32 LE` (of the payload), `crc u32 LE` (CRC-32C of the
/// payload), then the payload `kind u8, keyCount u16 LE, key, object`. A `remove` record has no object.
///
/// A record that is cut short or fails its checksum ends recovery of its segment (a torn write at a
/// crash); everything before it is intact by construction of an append-only file.
enum LogRecord {
    enum Kind: UInt8 {
        case put = 1
        case remove = 2
        /// A put whose object holds a tombstone or a TTL, so the key can become reapable: recovery
        /// rebuilds the sweep's candidates from this without decoding objects.
        case putMayReap = 3
    }

    static let headerBytes = 8
    /// Largest payload accepted when reading, so a corrupt length cannot ask for gigabytes.
    static let payloadBytesMax = 64 << 20

    /// The size of a record for `key` and an object of `objectBytes` (`encodedByteCount`; 0: a removal).
    static func byteCount(key: [UInt8], objectBytes: Int) -> Int {
        headerBytes + 3 + key.count + objectBytes
    }

    /// Writes the record for `key` holding `object` (nil: a removal) at `destination`, which has room
    /// for `byteCount(key:objectBytes:)` bytes.
    static func encode(key: [UInt8], object: VersionedObject?, objectBytes: Int, to destination: UnsafeMutableRawPointer) {
        precondition(key.count <= Int(UInt16.max), "key of \(key.count) bytes does not fit a record")
        let payloadCount = 1 + 2 + key.count + objectBytes
        let payload = destination + headerBytes
        let mayReap = object?.mayBecomeReapable ?? false
        let kind: Kind = object == nil ? .remove : mayReap ? .putMayReap : .put
        payload.storeBytes(of: kind.rawValue, as: UInt8.self)
        (payload + 1).storeBytes(of: UInt16(key.count).littleEndian, as: UInt16.self)
        key.withUnsafeBytes { if $0.count > 0 { (payload + 3).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        if let object {
            let written = object.encode(to: payload + 3 + key.count)
            precondition(written == objectBytes, "encoded \(written) bytes into a record sized for \(objectBytes)")
        }
        let crc = RecordChecksum.checksum(UnsafeRawBufferPointer(start: payload, count: payloadCount))
        destination.storeBytes(of: UInt32(payloadCount).littleEndian, as: UInt32.self)
        (destination + 4).storeBytes(of: crc.littleEndian, as: UInt32.self)
    }

    /// Where a parsed record's parts lie in the bytes it was parsed from. A plain value (no key array):
    /// a scan that allocates nothing per record unless it needs the key (recovery, compaction), and
    /// passing it around costs no reference counting (the enum it replaced was 20 % of a restart).
    struct Frame {
        let kind: Kind
        let keyRange: Range<Int>
        let objectRange: Range<Int>
        /// The whole record, header included.
        let size: Int

        /// A copy of the key (one `memcpy`).
        func key(in bytes: UnsafeRawBufferPointer) -> [UInt8] {
            Array(UnsafeRawBufferPointer(rebasing: bytes[keyRange]))
        }
    }

    /// Why the bytes at an offset are not a whole, intact record.
    enum Damage: Equatable, CustomStringConvertible {
        case headerCutShort
        case impossibleLength(Int)
        case payloadCutShort
        case checksumMismatch
        case unknownKind(UInt8)
        case keyLongerThanRecord

        var description: String {
            switch self {
            case .headerCutShort: "header cut short"
            case .impossibleLength(let count): "impossible length \(count)"
            case .payloadCutShort: "payload cut short"
            case .checksumMismatch: "checksum mismatch"
            case .unknownKind(let kind): "unknown record kind \(kind)"
            case .keyLongerThanRecord: "key longer than its record"
            }
        }
    }

    enum Parsed {
        /// A whole record (checked, unless the parse was asked not to).
        case record(Frame)
        /// The bytes end inside a record, or it fails its checks: stop here.
        case torn(Damage)
        case end
    }

    /// Parses the record at `offset` of `bytes`. `verifyingChecksum` false: only its frame (lengths,
    /// kind, key) is checked, for a scan that reads the payloads of a few records only (compaction
    /// checks the ones it copies with `checksumMatches`).
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int, verifyingChecksum: Bool = true) -> Parsed {
        guard offset < bytes.count else { return .end }
        guard bytes.count - offset >= headerBytes else { return .torn(.headerCutShort) }
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard payloadCount >= 3, payloadCount <= payloadBytesMax else { return .torn(.impossibleLength(payloadCount)) }
        let start = offset + headerBytes
        guard bytes.count - start >= payloadCount else { return .torn(.payloadCutShort) }
        guard !verifyingChecksum || checksumMatches(bytes, at: offset) else { return .torn(.checksumMismatch) }
        guard let kind = Kind(rawValue: bytes[start]) else { return .torn(.unknownKind(bytes[start])) }
        let keyCount = Int(bytes[start + 1]) | Int(bytes[start + 2]) << 8
        guard 3 + keyCount <= payloadCount else { return .torn(.keyLongerThanRecord) }
        let keyStart = start + 3
        return .record(Frame(kind: kind, keyRange: keyStart..<(keyStart + keyCount),
                             objectRange: (keyStart + keyCount)..<(start + payloadCount), size: headerBytes + payloadCount))
    }

    /// True when the record at `offset`, whose frame `parse` accepted, matches its checksum.
    static func checksumMatches(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let start = offset + headerBytes
        return RecordChecksum.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + payloadCount)])) == crc
    }
}
