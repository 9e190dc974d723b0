/// The binary form of a stored object, shared by storage engines and peer messages.
///
/// Layout (version 1): `version u8`, clock (`count varint`, then `actor fixed64, counter varint` each),
/// siblings (`count varint`, then per sibling `actor fixed64, counter varint, flags u8, timestamp varint,
/// [expiryMs varint], contentType bytes, [value bytes]`). Flags: bit 0 tombstone, bit 1 has expiry.
extension VersionedObject {
    static let binaryVersion: UInt8 = 1
    /// Decoding bounds: far above what writes produce, low enough that forged input cannot exhaust memory.
    static let decodeClockEntriesMax = 1 << 16
    static let decodeSiblingsMax = 1 << 12
    static let decodeContentTypeBytesMax = 1 << 10
    static let decodeValueBytesMax = 1 << 26

    /// The encoding as a new array, written in one pass into exactly `encodedByteCount` bytes.
    public func encoded() -> [UInt8] {
        let count = encodedByteCount
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = encode(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            precondition(initialized == count, "encoded \(initialized) bytes, computed \(count)")
        }
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeInPlace(count: encodedByteCount) { encode(to: $0) }
    }

    /// The exact size of the encoding, so it can be written without growing a buffer.
    public var encodedByteCount: Int {
        var count = 1 + clock.encodedByteCount + RawByteWriter.varintSize(UInt64(siblings.count))
        for sibling in siblings { count += sibling.encodedByteCount }
        return count
    }

    /// Writes the encoding at `destination`, which must have `encodedByteCount` bytes of room; returns
    /// the bytes written.
    public func encode(to destination: UnsafeMutableRawPointer) -> Int {
        var writer = RawByteWriter(destination)
        writer.write(Self.binaryVersion)
        clock.encode(to: &writer)
        writer.writeVarint(UInt64(siblings.count))
        // Through the buffer, so each sibling is read in place rather than copied out (a retain and
        // release of its payload and content type each).
        siblings.withUnsafeBufferPointer { siblings in
            for index in siblings.indices { siblings[index].encode(to: &writer) }
        }
        return writer.offset
    }

    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes(reader.remaining) }
    }

    /// Decodes from memory the caller keeps alive, without copying it into an array first.
    public init(decoding raw: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = RawByteReader(raw)
        try self.init(from: &reader)
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
    }

    public init<Reader: BinaryReading>(from reader: inout Reader) throws(DecodeError) {
        let version = try reader.readByte()
        guard version == Self.binaryVersion else { throw .unknownVersion(version) }
        let clock = try VersionVector(from: &reader)
        let count = try reader.readCount(itemsMax: Self.decodeSiblingsMax)
        var siblings: [Sibling] = []
        siblings.reserveCapacity(count)
        for _ in 0..<count {
            siblings.append(try Self.decodeSibling(from: &reader))
        }
        guard let object = VersionedObject(clock: clock, siblings: siblings) else {
            throw .invalid("sibling dots not covered by the clock, or repeated")
        }
        self = object
    }

    private static func decodeSibling<Reader: BinaryReading>(from reader: inout Reader) throws(DecodeError) -> Sibling {
        let header = try SiblingHeader(from: &reader)
        let contentType = try reader.readString(lengthMax: decodeContentTypeBytesMax)
        let payload: Sibling.Payload =
            header.isTombstone ? .tombstone : .value(try reader.readLengthPrefixed(lengthMax: decodeValueBytesMax))
        return Sibling(
            dot: header.dot, payload: payload, timestamp: header.timestamp, expiryMs: header.expiryMs,
            contentType: contentType)
    }
}

/// A sibling's fields before its content type and value, read by the decoder and by `EncodedObject`'s
/// validation alike.
struct SiblingHeader {
    let dot: Dot
    let isTombstone: Bool
    let timestamp: HybridTimestamp
    let expiryMs: UInt64?

    @inline(__always)
    init<Reader: BinaryReading>(from reader: inout Reader) throws(DecodeError) {
        let actor = ActorID(rawValue: try reader.readFixed64())
        let counter = try reader.readVarint()
        guard counter > 0 else { throw .invalid("dot counter 0") }
        let flags = try reader.readByte()
        guard flags & ~3 == 0 else { throw .invalid("unknown sibling flags \(flags)") }
        dot = Dot(actor: actor, counter: counter)
        isTombstone = flags & 1 != 0
        timestamp = HybridTimestamp(rawValue: try reader.readVarint())
        expiryMs = flags & 2 != 0 ? try reader.readVarint() : nil
    }
}

extension Sibling {
    /// The exact size of this sibling's part of an object's encoding.
    var encodedByteCount: Int {
        var count = 8 + RawByteWriter.varintSize(dot.counter) + 1 + RawByteWriter.varintSize(timestamp.rawValue)
        if let expiryMs { count += RawByteWriter.varintSize(expiryMs) }
        let typeBytes = contentType.utf8.count
        count += RawByteWriter.varintSize(UInt64(typeBytes)) + typeBytes
        if case .value(let bytes) = payload { count += RawByteWriter.varintSize(UInt64(bytes.count)) + bytes.count }
        return count
    }

    /// Writes this sibling's part of an object's encoding (see the layout above).
    func encode(to writer: inout RawByteWriter) {
        writer.writeFixed64(dot.actor.rawValue)
        writer.writeVarint(dot.counter)
        writer.write((isTombstone ? 1 : 0) | (expiryMs != nil ? 2 : 0))
        writer.writeVarint(timestamp.rawValue)
        if let expiryMs { writer.writeVarint(expiryMs) }
        var contentType = contentType
        contentType.withUTF8 { writer.writeLengthPrefixed(UnsafeRawBufferPointer($0)) }
        if case .value(let bytes) = payload { bytes.withUnsafeBytes { writer.writeLengthPrefixed($0) } }
    }
}

extension VersionVector {
    /// The exact size of the clock's part of an object's encoding.
    var encodedByteCount: Int {
        var count = RawByteWriter.varintSize(UInt64(entries.count))
        for entry in entries { count += 8 + RawByteWriter.varintSize(entry.counter) }
        return count
    }

    func encode(to writer: inout RawByteWriter) {
        writer.writeVarint(UInt64(entries.count))
        for entry in entries {
            writer.writeFixed64(entry.actor.rawValue)
            writer.writeVarint(entry.counter)
        }
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(entries.count))
        for entry in entries {
            writer.writeFixed64(entry.actor.rawValue)
            writer.writeVarint(entry.counter)
        }
    }

    /// True when `bytes`, an object's encoding, carries this clock: compared where it lies, without
    /// decoding the object's clock (a replica answering a conditional read).
    /// Entries are compared by value (a varint written with redundant bytes still matches; stored
    /// clocks were validated, sorted and without zeros), stopping at the first difference.
    public func isClock(ofEncodedObject bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = RawByteReader(bytes)
        guard (try? reader.readByte()) == VersionedObject.binaryVersion,
            let count = try? reader.readVarint(), count == UInt64(entries.count)
        else { return false }
        for entry in entries {
            guard let actor = try? reader.readFixed64(), actor == entry.actor.rawValue,
                let counter = try? reader.readVarint(), counter == entry.counter
            else { return false }
        }
        return true
    }

    /// Decodes a vector; rejects unsorted or repeated actors and zero counters rather than repairing them.
    public init<Reader: BinaryReading>(from reader: inout Reader) throws(DecodeError) {
        let count = try reader.readCount(itemsMax: VersionedObject.decodeClockEntriesMax)
        // Entries arrive sorted (checked): appended to an array of their count, not each inserted
        // where a search puts it (an insert and a regrowth per entry, on every object read).
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let actor = ActorID(rawValue: try reader.readFixed64())
            let counter = try reader.readVarint()
            guard counter > 0 else { throw .invalid("clock counter 0") }
            if let previous = entries.last, !(previous.actor < actor) { throw .invalid("clock actors unsorted") }
            entries.append(Entry(actor: actor, counter: counter))
        }
        self.init(sortedEntries: entries)
    }
}
