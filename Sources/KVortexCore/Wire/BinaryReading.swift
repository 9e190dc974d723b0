/// The reads a decoder needs, so one decoding routine serves both a `ByteReader` over an array (peer
/// messages) and a `RawByteReader` over memory owned by someone else (the memory engine's blocks,
/// decoded without copying them first). Readers provide the primitives; the rest is shared below.
public protocol BinaryReading {
    var remaining: Int { get }
    mutating func readByte() throws(DecodeError) -> UInt8
    mutating func readFixed64() throws(DecodeError) -> UInt64
    /// `count` bytes as a new array; the count is checked against what is left.
    mutating func readRaw(count: Int) throws(DecodeError) -> [UInt8]
    /// The next byte without consuming it, or nil at the end.
    func peekByte() -> UInt8?
    /// The next `count` bytes as UTF-8, decoded where they lie (no intermediate array); nil when they
    /// are not valid UTF-8. The count is checked against what is left.
    mutating func readUTF8(count: Int) throws(DecodeError) -> String?
    /// Moves past `count` bytes without reading them; the count is checked against what is left.
    mutating func skip(count: Int) throws(DecodeError)
    /// A LEB128 varint of at most 64 bits. A requirement, so a reader can do better than byte by byte.
    mutating func readVarint() throws(DecodeError) -> UInt64
}

extension BinaryReading {
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

    /// A varint length (at most `lengthMax`) followed by that many bytes.
    public mutating func readLengthPrefixed(lengthMax: Int) throws(DecodeError) -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(lengthMax) else { throw .lengthTooLarge(length: length, lengthMax: lengthMax) }
        return try readRaw(count: Int(length))
    }

    public mutating func readString(lengthMax: Int) throws(DecodeError) -> String {
        if peekByte() == 0 {
            _ = try readByte()
            return ""  // the common case (no content type), without an allocation or validation
        }
        let length = try readVarint()
        guard length <= UInt64(lengthMax) else { throw .lengthTooLarge(length: length, lengthMax: lengthMax) }
        guard let string = try readUTF8(count: Int(length)) else { throw .invalidUTF8 }
        return string
    }

    /// A byte that must be 0 or 1.
    public mutating func readFlag() throws(DecodeError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let other: throw .invalid("flag byte \(other)")
        }
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
}

extension ByteReader: BinaryReading {}

/// Reads from a raw buffer the caller keeps alive for the reader's lifetime.
public struct RawByteReader: BinaryReading {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    @inline(__always)
    public mutating func readByte() throws(DecodeError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(needed: 1, available: 0) }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    public mutating func readFixed64() throws(DecodeError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(needed: 8, available: remaining) }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    public mutating func readRaw(count: Int) throws(DecodeError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, available: remaining) }
        offset += count
        return copy(from: offset - count)
    }

    /// The bytes from `start` to the current position, copied (one memcpy).
    public func copy(from start: Int) -> [UInt8] {
        precondition(start >= 0 && start <= offset, "copy from \(start) past the position \(offset)")
        // Not `Array(unsafeUninitializedCapacity:)`: its closure cost about 350 instructions more per copy.
        return Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
    }

    public func peekByte() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    public mutating func readUTF8(count: Int) throws(DecodeError) -> String? {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, available: remaining) }
        defer { offset += count }
        return CommonStrings.decode(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }

    @inline(__always)
    public mutating func skip(count: Int) throws(DecodeError) {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, available: remaining) }
        offset += count
    }

    /// As the shared `readVarint`, without a call or bounds check per byte: one byte at once, up to
    /// eight from one 64-bit load (`compactVarint`), longer ones (a sibling's timestamp takes nine)
    /// finished byte by byte. Decoding objects is most of what a replica does.
    @inline(__always)
    public mutating func readVarint() throws(DecodeError) -> UInt64 {
        let start = offset
        guard start < bytes.count else { throw .truncated(needed: 1, available: 0) }
        let first = bytes[start]
        if first < 0x80 {
            offset = start + 1
            return UInt64(first)
        }
        guard bytes.count - start >= 8 else { return try readVarintByBytes(from: start, value: 0, shift: 0) }
        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        let ends = ~word & 0x8080_8080_8080_8080
        guard ends != 0 else {
            // Nine bytes (a timestamp) end with a ninth byte below 0x80; longer ones go byte by byte.
            if start + 8 < bytes.count, bytes[start + 8] < 0x80 {
                offset = start + 9
                return Self.compactVarint(word) | UInt64(bytes[start + 8]) << 56
            }
            return try readVarintByBytes(from: start + 8, value: Self.compactVarint(word), shift: 56)
        }
        let length = (ends.trailingZeroBitCount + 1) >> 3  // 2...8: the first byte continues
        offset = start + length
        return Self.compactVarint(word & (UInt64.max >> (64 - length * 8)))
    }

    /// The 7-bit groups of up to eight little-endian varint bytes, packed into one value.
    @inline(__always)
    static func compactVarint(_ word: UInt64) -> UInt64 {
        var value = word & 0x7F7F_7F7F_7F7F_7F7F
        value = (value & 0x007F_007F_007F_007F) | ((value & 0x7F00_7F00_7F00_7F00) >> 1)
        value = (value & 0x0000_3FFF_0000_3FFF) | ((value & 0x3FFF_0000_3FFF_0000) >> 2)
        value = (value & 0x0000_0000_0FFF_FFFF) | ((value & 0x0FFF_FFFF_0000_0000) >> 4)
        return value
    }

    /// The rest of a varint from `index`, whose groups so far make `value` up to `shift`.
    private mutating func readVarintByBytes(from index: Int, value: UInt64, shift: UInt64) throws(DecodeError) -> UInt64 {
        var index = index
        var value = value
        var shift = shift
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard shift < 63 || byte <= 1 else { throw .varintTooLong }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                offset = index
                return value
            }
            shift += 7
        }
        throw .truncated(needed: 1, available: 0)
    }

    /// Moves past a varint length and that many bytes, checking nothing else: for encodings this
    /// process wrote (a storage engine's own bytes), whose strings need no validation.
    @inline(__always)
    public mutating func skipLengthPrefixed() throws(DecodeError) {
        let length = try readVarint()
        guard length <= UInt64(remaining) else { throw .truncated(needed: Int(clamping: length), available: remaining) }
        offset += Int(length)
    }

    /// Moves past what `readString(lengthMax:)` reads, with the same checks, without making the string.
    @inline(__always)
    public mutating func skipString(lengthMax: Int) throws(DecodeError) {
        let length = try readVarint()
        guard length <= UInt64(lengthMax) else { throw .lengthTooLarge(length: length, lengthMax: lengthMax) }
        let count = Int(length)
        guard remaining >= count else { throw .truncated(needed: count, available: remaining) }
        guard CommonStrings.isValid(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])) else {
            throw .invalidUTF8
        }
        offset += count
    }
}

/// Strings decoded over and over, every sibling's content type above all: one of these comes back
/// as the shared string, without allocating or validating (a 24-byte `application/octet-stream` is
/// too long for Swift's inline small strings, so decoding it allocated twice per sibling).
public enum CommonStrings {
    static let known: [(bytes: [UInt8], string: String)] = [
        "application/octet-stream", "application/json", "text/plain", "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded", "text/html", "application/xml",
    ].map { (Array($0.utf8), $0) }

    /// `raw` as a string: a known one shared, anything else validated; nil when not UTF-8. (Also how
    /// the HTTP routes read a request's `Content-Type`.)
    public static func decode(_ raw: UnsafeRawBufferPointer) -> String? {
        if raw.count > 15, let string = knownString(raw) {  // shorter strings are inline, unallocated anyway
            return string
        }
        return String(validating: raw, as: UTF8.self)
    }

    /// True when `raw` is UTF-8, checked without making a string in the common cases (ASCII, known).
    static func isValid(_ raw: UnsafeRawBufferPointer) -> Bool {
        if isASCII(raw) { return true }
        return String(validating: raw, as: UTF8.self) != nil
    }

    /// No byte has its high bit set; eight bytes at a time.
    private static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < raw.count {
            high |= UInt64(raw[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    private static func knownString(_ raw: UnsafeRawBufferPointer) -> String? {
        for entry in known where entry.bytes.count == raw.count {
            let equal = entry.bytes.withUnsafeBytes { mine in
                (0..<raw.count).allSatisfy { mine[$0] == raw[$0] }
            }
            if equal { return entry.string }
        }
        return nil
    }
}
