/// Appends fixed-width little-endian integers, LEB128 varints and length-prefixed bytes to a buffer.
///
/// The one encoder behind stored objects, context tokens and peer messages.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Swaps the buffer for `other`: a writer takes over an array to append to, and gives it back.
    public mutating func exchangeBytes(with other: inout [UInt8]) {
        swap(&bytes, &other)
    }

    public mutating func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Replaces the 4 bytes at `offset` (written before, e.g. a length not known then).
    public mutating func overwriteFixed32(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "no 4 bytes at \(offset) of \(bytes.count)")
        withUnsafeBytes(of: value.littleEndian) { new in
            bytes.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: offset).copyMemory(from: new.baseAddress!, byteCount: 4) }
        }
    }

    /// A varint length followed by the bytes.
    public mutating func writeLengthPrefixed(_ data: some Collection<UInt8>) {
        writeVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    public mutating func writeString(_ string: String) {
        writeLengthPrefixed(string.utf8)
    }

    public mutating func writeRaw(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// Appends exactly `count` bytes that `body` writes at the pointer it is given and returns the
    /// count of: an encoder that knows its size writes into the buffer, with no array of its own.
    /// Leaves `slack` bytes of spare capacity after them, so what follows does not grow the buffer.
    public mutating func writeInPlace(count: Int, slack: Int = 64, _ body: (UnsafeMutableRawPointer) -> Int) {
        let start = bytes.count
        if bytes.capacity < start + count { bytes.reserveCapacity(start + count + slack) }
        bytes.append(contentsOf: repeatElement(0, count: count))
        let written = bytes.withUnsafeMutableBytes { body($0.baseAddress! + start) }
        precondition(written == count, "wrote \(written) bytes in place of \(count)")
    }
}
