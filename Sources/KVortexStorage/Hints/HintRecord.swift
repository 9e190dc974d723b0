import KVortexCore

/// One record of the hint log: `length u32 LE`, `crc u32 LE` (CRC-32C of the payload), then the
/// payload `kind u8, sequence u64 LE, target (u16 LE length + UTF-8), key (u16 LE length + bytes)`,
/// and for a hint the encoded object. A hint record stores the hint as it now is (after merges); an
/// acknowledgement drops the key's hint if it is still at that sequence.
enum HintRecord {
    enum Kind: UInt8 {
        case hint = 1
        case acknowledged = 2
    }

    enum Parsed {
        case hint(Hint, size: Int)
        case acknowledged(target: NodeID, key: [UInt8], sequence: UInt64, size: Int)
        /// Cut short or failing its checks: recovery stops here (a torn append at a crash).
        case torn
        case end
    }

    static let headerBytes = 8

    static func encode(_ hint: Hint) -> [UInt8] {
        encode(.hint, sequence: hint.sequence, target: hint.target, key: hint.key, object: hint.object)
    }

    static func encodeAcknowledged(target: NodeID, key: [UInt8], sequence: UInt64) -> [UInt8] {
        encode(.acknowledged, sequence: sequence, target: target, key: key, object: nil)
    }

    private static func encode(_ kind: Kind, sequence: UInt64, target: NodeID, key: [UInt8], object: VersionedObject?) -> [UInt8] {
        let name = Array(target.rawValue.utf8)
        precondition(name.count <= Int(UInt16.max) && key.count <= Int(UInt16.max), "hint names or key too long")
        var payload: [UInt8] = [kind.rawValue]
        withUnsafeBytes(of: sequence.littleEndian) { payload += $0 }
        withUnsafeBytes(of: UInt16(name.count).littleEndian) { payload += $0 }
        payload += name
        withUnsafeBytes(of: UInt16(key.count).littleEndian) { payload += $0 }
        payload += key
        if let object { payload += object.encoded() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerBytes + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: RecordChecksum.checksum(payload).littleEndian) { bytes += $0 }
        return bytes + payload
    }

    static func parse(_ bytes: [UInt8], at offset: Int) -> Parsed {
        guard offset < bytes.count else { return .end }
        guard bytes.count - offset >= headerBytes else { return .torn }
        let count = Int(load(UInt32.self, bytes, offset))
        let start = offset + headerBytes
        guard count >= 1 + 8 + 2 + 2, count <= LogRecord.payloadBytesMax, bytes.count - start >= count,
            RecordChecksum.checksum(bytes[start..<(start + count)]) == load(UInt32.self, bytes, offset + 4),
            let kind = Kind(rawValue: bytes[start])
        else { return .torn }
        let end = start + count
        let sequence = load(UInt64.self, bytes, start + 1)
        let nameCount = Int(load(UInt16.self, bytes, start + 9))
        guard start + 11 + nameCount + 2 <= end else { return .torn }
        let target = NodeID(String(decoding: bytes[(start + 11)..<(start + 11 + nameCount)], as: UTF8.self))
        let keyStart = start + 11 + nameCount + 2
        let keyCount = Int(load(UInt16.self, bytes, keyStart - 2))
        guard keyStart + keyCount <= end else { return .torn }
        let key = Array(bytes[keyStart..<(keyStart + keyCount)])
        let size = headerBytes + count
        switch kind {
        case .acknowledged:
            return .acknowledged(target: target, key: key, sequence: sequence, size: size)
        case .hint:
            guard let object = try? VersionedObject(decoding: Array(bytes[(keyStart + keyCount)..<end])) else { return .torn }
            return .hint(Hint(sequence: sequence, target: target, key: key, object: object), size: size)
        }
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
