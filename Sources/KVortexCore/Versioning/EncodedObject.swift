/// A versioned object still in its binary encoding (`VersionedObject+Binary`), as it came off the wire.
///
/// Validated when it is read, so decoding it later cannot fail, and with its clock already decoded:
/// a replica that receives the next version of a key checks the clock against the stored one and, when
/// it supersedes it, stores these bytes as they are (`StorageEngine.merge(_:encoded:...)`), without
/// building the object's siblings and payload arrays only to encode them again. Validation is stricter
/// than decoding in one way: siblings must already be in dot order (our encoder always writes them so,
/// and the decoder would sort them), so the bytes decode to an object with siblings in their order.
public struct EncodedObject: Equatable, Sendable {
    /// The whole encoding, version byte first.
    public let bytes: [UInt8]
    public let clock: VersionVector
    /// True when a sibling is a tombstone or has an expiry: the object may become reapable.
    public let mayBecomeReapable: Bool

    /// Encodes `object`.
    public init(_ object: VersionedObject) {
        bytes = object.encoded()
        clock = object.clock
        mayBecomeReapable = object.mayBecomeReapable
    }

    /// Parts that belong together: `bytes` encode an object with this clock and reapability.
    init(bytes: [UInt8], clock: VersionVector, mayBecomeReapable: Bool) {
        self.bytes = bytes
        self.clock = clock
        self.mayBecomeReapable = mayBecomeReapable
    }

    /// An encoding this process wrote (a storage engine's own bytes), copied; only its clock is read.
    public init(storedBytes: UnsafeRawBufferPointer, mayBecomeReapable: Bool) {
        var reader = RawByteReader(storedBytes)
        do {
            guard try reader.readByte() == VersionedObject.binaryVersion else { throw DecodeError.unknownVersion(storedBytes[0]) }
            clock = try VersionVector(from: &reader)
        } catch {
            preconditionFailure("a stored object's clock failed to decode: \(error)")
        }
        bytes = Array(storedBytes)
        self.mayBecomeReapable = mayBecomeReapable
    }

    /// Reads and validates one encoding at the reader's position, leaving the reader after it, and
    /// copies its bytes once. Throws what decoding would throw, and `.invalid` for unsorted siblings.
    public init(from reader: inout RawByteReader) throws(DecodeError) {
        let start = reader.offset
        (clock, mayBecomeReapable) = try Self.validate(&reader)
        bytes = reader.copy(from: start)
    }

    /// As above, from an array.
    public init(from reader: inout ByteReader) throws(DecodeError) {
        let start = reader.offset
        let read = reader.bytes.withUnsafeBytes { all in
            var raw = RawByteReader(UnsafeRawBufferPointer(rebasing: all[start...]))
            return Result { () throws(DecodeError) in (try EncodedObject(from: &raw), raw.offset) }
        }
        let (object, count) = try read.get()
        try reader.skip(count: count)
        self = object
    }

    /// Walks one encoding without building it: what the decoder checks, plus sibling order. Returns the
    /// clock and whether a sibling is a tombstone or has an expiry.
    private static func validate(_ reader: inout RawByteReader) throws(DecodeError) -> (VersionVector, Bool) {
        let version = try reader.readByte()
        guard version == VersionedObject.binaryVersion else { throw .unknownVersion(version) }
        let clock = try VersionVector(from: &reader)
        let count = try reader.readCount(itemsMax: VersionedObject.decodeSiblingsMax)
        var previous: Dot?
        var mayBecomeReapable = false
        // Dots must come in order (checked first), so the clock's entries are walked once alongside
        // them instead of searched for each sibling.
        let entries = clock.entries
        var entry = 0
        for _ in 0..<count {
            let header = try SiblingHeader(from: &reader)
            if let previous, !(previous < header.dot) { throw .invalid("sibling dots unsorted or repeated") }
            previous = header.dot
            while entry < entries.count && entries[entry].actor < header.dot.actor { entry += 1 }
            guard entry < entries.count, entries[entry].actor == header.dot.actor, entries[entry].counter >= header.dot.counter else {
                throw .invalid("sibling dot \(header.dot) not covered by the clock")
            }
            if header.isTombstone || header.expiryMs != nil { mayBecomeReapable = true }
            try reader.skipString(lengthMax: VersionedObject.decodeContentTypeBytesMax)
            if !header.isTombstone {
                let length = try reader.readVarint()
                guard length <= UInt64(VersionedObject.decodeValueBytesMax) else {
                    throw .lengthTooLarge(length: length, lengthMax: VersionedObject.decodeValueBytesMax)
                }
                try reader.skip(count: Int(length))
            }
        }
        return (clock, mayBecomeReapable)
    }

    /// The object. Cannot fail: the bytes were validated (or encoded here).
    public func decoded() -> VersionedObject {
        do {
            return try VersionedObject(decoding: bytes)
        } catch {
            preconditionFailure("a validated encoding failed to decode: \(error)")
        }
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeRaw(bytes)
    }

    /// True when storing this object over one whose encoding is `stored` is what merging gives, in
    /// `mode` (see `VersionedObject+Supersede`).
    public func supersedes(encoded stored: UnsafeRawBufferPointer, mode: ConflictMode) -> Bool {
        mode == .siblings && clock.descendsClock(ofEncoded: stored)
    }

    /// Equal when the objects are. Equal bytes are equal objects; different bytes may still be (a
    /// varint can be written in more than one way), so those are decoded and compared.
    public static func == (lhs: EncodedObject, rhs: EncodedObject) -> Bool {
        lhs.bytes == rhs.bytes || lhs.decoded() == rhs.decoded()
    }
}

/// The object a peer message carries: decoded when this process made it (a coordinator's write, every
/// message in the simulator), or still encoded when it came off the wire.
public enum MessageObject: Equatable, Sendable {
    case decoded(VersionedObject)
    case encoded(EncodedObject)

    public var clock: VersionVector {
        switch self {
        case .decoded(let object): object.clock
        case .encoded(let encoded): encoded.clock
        }
    }

    /// The object itself, decoding it if needed.
    public var object: VersionedObject {
        switch self {
        case .decoded(let object): object
        case .encoded(let encoded): encoded.decoded()
        }
    }

    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .decoded(let object): object.encode(into: &writer)
        case .encoded(let encoded): encoded.encode(into: &writer)
        }
    }

    /// Equal when the objects are, however each is held.
    public static func == (lhs: MessageObject, rhs: MessageObject) -> Bool {
        switch (lhs, rhs) {
        case (.decoded(let left), .decoded(let right)): left == right
        case (.encoded(let left), .encoded(let right)): left == right
        case (.decoded(let object), .encoded(let encoded)), (.encoded(let encoded), .decoded(let object)):
            object == encoded.decoded()
        }
    }
}
