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
        let mayReap = object?.siblings.contains { $0.isTombstone || $0.expiryMs != nil } ?? false
        let kind: Kind = object == nil ? .remove : mayReap ? .putMayReap : .put
        payload.storeBytes(of: kind.rawValue, as: UInt8.self)
        (payload + 1).storeBytes(of: UInt16(key.count).littleEndian, as: UInt16.self)
        key.withUnsafeBytes { if $0.count > 0 { (payload + 3).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        if let object {
            let written = object.encode(to: payload + 3 + key.count)
            precondition(written == objectBytes, "encoded \(written) bytes into a record sized for \(objectBytes)")
        }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: payload, count: payloadCount))
        destination.storeBytes(of: UInt32(payloadCount).littleEndian, as: UInt32.self)
        (destination + 4).storeBytes(of: crc.littleEndian, as: UInt32.self)
    }

    enum Parsed {
        /// A whole record of `size` bytes (checked, unless the parse was asked not to).
        case record(kind: Kind, key: [UInt8], objectRange: Range<Int>, size: Int)
        /// The bytes end inside a record, or it fails its checksum: stop here.
        case torn(reason: String)
        case end
    }

    /// Parses the record at `offset` of `bytes`. `verifyingChecksum` false: only its frame (lengths,
    /// kind, key) is checked, for a scan that reads the payloads of a few records only (compaction
    /// checks the ones it copies with `checksumMatches`).
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int, verifyingChecksum: Bool = true) -> Parsed {
        guard offset < bytes.count else { return .end }
        guard bytes.count - offset >= headerBytes else { return .torn(reason: "header cut short") }
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard payloadCount >= 3, payloadCount <= payloadBytesMax else { return .torn(reason: "impossible length \(payloadCount)") }
        let start = offset + headerBytes
        guard bytes.count - start >= payloadCount else { return .torn(reason: "payload cut short") }
        guard !verifyingChecksum || checksumMatches(bytes, at: offset) else { return .torn(reason: "checksum mismatch") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + payloadCount)])
        guard let kind = Kind(rawValue: payload[0]) else { return .torn(reason: "unknown record kind \(payload[0])") }
        let keyCount = Int(UInt16(payload[1]) | UInt16(payload[2]) << 8)
        guard 3 + keyCount <= payloadCount else { return .torn(reason: "key longer than its record") }
        let key = Array(payload[3..<(3 + keyCount)])
        return .record(kind: kind, key: key, objectRange: (start + 3 + keyCount)..<(start + payloadCount),
                       size: headerBytes + payloadCount)
    }

    /// True when the record at `offset`, whose frame `parse` accepted, matches its checksum.
    static func checksumMatches(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let start = offset + headerBytes
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + payloadCount)])) == crc
    }
}
