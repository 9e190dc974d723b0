/// Writes into memory with room already checked by the caller (an exact size computed beforehand):
/// the fast path of object encoding, with no capacity checks per byte.
public struct RawByteWriter {
    public let base: UnsafeMutableRawPointer
    public private(set) var offset = 0

    public init(_ base: UnsafeMutableRawPointer) {
        self.base = base
    }

    @inline(__always)
    public mutating func write(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            write(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        write(UInt8(rest))
    }

    @inline(__always)
    public mutating func writeFixed64(_ value: UInt64) {
        (base + offset).storeBytes(of: value.littleEndian, as: UInt64.self)
        offset += 8
    }

    @inline(__always)
    public mutating func writeFixed32(_ value: UInt32) {
        (base + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
        offset += 4
    }

    public mutating func writeLengthPrefixed(_ bytes: UnsafeRawBufferPointer) {
        writeVarint(UInt64(bytes.count))
        writeRaw(bytes)
    }

    /// Copies `bytes` as they are, without a length.
    public mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) {
        if let source = bytes.baseAddress, bytes.count > 0 { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
        offset += bytes.count
    }

    /// Bytes a varint of `value` takes.
    @inline(__always)
    public static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
