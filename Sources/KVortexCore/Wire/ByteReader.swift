/// Why bytes from disk or the network could not be decoded. Never a trap: input is untrusted.
public enum DecodeError: Error, Equatable, Sendable {
    case truncated(needed: Int, available: Int)
    case varintTooLong
    case lengthTooLarge(length: UInt64, lengthMax: Int)
    case unknownVersion(UInt8)
    case unknownTag(UInt8)
    case invalidUTF8
    case checksumMismatch
    case invalid(String)
    case trailingBytes(Int)
}

/// Reads what `ByteWriter` wrote, checking every length against what is left.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readByte() throws(DecodeError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readVarint() throws(DecodeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64, shift < 63 || byte <= 1 else { throw .varintTooLong }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func readFixed64() throws(DecodeError) -> UInt64 {
        try need(8)
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return value
    }

    public mutating func readFixed32() throws(DecodeError) -> UInt32 {
        try need(4)
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
        offset += 4
        return value
    }

    /// A varint length (at most `lengthMax`) followed by that many bytes.
    public mutating func readLengthPrefixed(lengthMax: Int) throws(DecodeError) -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(lengthMax) else { throw .lengthTooLarge(length: length, lengthMax: lengthMax) }
        return try readRaw(count: Int(length))
    }

    public mutating func readString(lengthMax: Int) throws(DecodeError) -> String {
        if offset < bytes.count && bytes[offset] == 0 {
            offset += 1
            return ""  // the common case (no content type), without an allocation or validation
        }
        let raw = try readLengthPrefixed(lengthMax: lengthMax)
        guard let string = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    public mutating func readRaw(count: Int) throws(DecodeError) -> [UInt8] {
        try need(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a count that announces `count` following items of at least one byte each, so a forged
    /// count cannot make the decoder reserve more than the input could hold.
    public mutating func readCount(itemsMax: Int) throws(DecodeError) -> Int {
        let count = try readVarint()
        guard count <= UInt64(itemsMax), count <= UInt64(remaining) else {
            throw .lengthTooLarge(length: count, lengthMax: min(itemsMax, remaining))
        }
        return Int(count)
    }

    private func need(_ count: Int) throws(DecodeError) {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, available: remaining) }
    }
}
