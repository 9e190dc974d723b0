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

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: approximateBytes)
        encode(into: &writer)
        return writer.bytes
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.binaryVersion)
        clock.encode(into: &writer)
        writer.writeVarint(UInt64(siblings.count))
        for sibling in siblings {
            writer.writeFixed64(sibling.dot.actor.rawValue)
            writer.writeVarint(sibling.dot.counter)
            let flags: UInt8 = (sibling.isTombstone ? 1 : 0) | (sibling.expiryMs != nil ? 2 : 0)
            writer.write(flags)
            writer.writeVarint(sibling.timestamp.rawValue)
            if let expiryMs = sibling.expiryMs { writer.writeVarint(expiryMs) }
            writer.writeString(sibling.contentType)
            if case .value(let bytes) = sibling.payload { writer.writeLengthPrefixed(bytes) }
        }
    }

    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes(reader.remaining) }
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
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

    private static func decodeSibling(from reader: inout ByteReader) throws(DecodeError) -> Sibling {
        let actor = ActorID(rawValue: try reader.readFixed64())
        let counter = try reader.readVarint()
        guard counter > 0 else { throw .invalid("dot counter 0") }
        let flags = try reader.readByte()
        guard flags & ~3 == 0 else { throw .invalid("unknown sibling flags \(flags)") }
        let timestamp = HybridTimestamp(rawValue: try reader.readVarint())
        let expiryMs = flags & 2 != 0 ? try reader.readVarint() : nil
        let contentType = try reader.readString(lengthMax: decodeContentTypeBytesMax)
        let payload: Sibling.Payload =
            flags & 1 != 0 ? .tombstone : .value(try reader.readLengthPrefixed(lengthMax: decodeValueBytesMax))
        return Sibling(
            dot: Dot(actor: actor, counter: counter), payload: payload, timestamp: timestamp,
            expiryMs: expiryMs, contentType: contentType)
    }
}

extension VersionVector {
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(entries.count))
        for entry in entries {
            writer.writeFixed64(entry.actor.rawValue)
            writer.writeVarint(entry.counter)
        }
    }

    /// Decodes a vector; rejects unsorted or repeated actors and zero counters rather than repairing them.
    public init(from reader: inout ByteReader) throws(DecodeError) {
        let count = try reader.readCount(itemsMax: VersionedObject.decodeClockEntriesMax)
        var vector = VersionVector()
        var previous: ActorID?
        for _ in 0..<count {
            let actor = ActorID(rawValue: try reader.readFixed64())
            let counter = try reader.readVarint()
            guard counter > 0 else { throw .invalid("clock counter 0") }
            if let previous, !(previous < actor) { throw .invalid("clock actors unsorted") }
            previous = actor
            vector.raise(actor, to: counter)
        }
        self = vector
    }
}
