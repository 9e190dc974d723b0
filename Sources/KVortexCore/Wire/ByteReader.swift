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

    public mutating func readRaw(count: Int) throws(DecodeError) -> [UInt8] {
        try need(count)
        defer { offset += count }
        // Through a buffer pointer: one memcpy, where an array slice takes the generic copy loop.
        return bytes.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)])) }
    }

    public func peekByte() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    public mutating func readUTF8(count: Int) throws(DecodeError) -> String? {
        try need(count)
        defer { offset += count }
        return bytes.withUnsafeBytes { CommonStrings.decode(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
    }

    public mutating func skip(count: Int) throws(DecodeError) {
        try need(count)
        offset += count
    }

    private func need(_ count: Int) throws(DecodeError) {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, available: remaining) }
    }
}
