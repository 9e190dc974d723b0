/// A sibling still in an object's encoding: what the write rule reads of it, and where its bytes lie.
struct EncodedSiblingSpan: StampedSibling {
    let dot: Dot
    let timestamp: HybridTimestamp
    /// Its bytes in the stored encoding; nil for the sibling a write adds.
    let bytes: Range<Int>?
    /// A tombstone, or a value with an expiry.
    let mayBecomeReapable: Bool
}

/// An object encoding taken apart just enough for a write: the clock decoded, each sibling's dot,
/// timestamp and byte range read, and nothing built (no payload arrays, no strings).
struct EncodedSiblingSpans {
    var clock = VersionVector()
    var siblings: [EncodedSiblingSpan] = []

    /// Reads an encoding this process wrote (a storage engine's own bytes); a failure is memory
    /// corruption or a bug, never bad input.
    init(stored bytes: UnsafeRawBufferPointer) {
        var reader = RawByteReader(bytes)
        do {
            let version = try reader.readByte()
            guard version == VersionedObject.binaryVersion else { throw DecodeError.unknownVersion(version) }
            clock = try VersionVector(from: &reader)
            let count = try reader.readCount(itemsMax: VersionedObject.decodeSiblingsMax)
            siblings.reserveCapacity(count + 1)
            for _ in 0..<count {
                let start = reader.offset
                let header = try SiblingHeader(from: &reader)
                try reader.skipLengthPrefixed()  // the content type
                if !header.isTombstone { try reader.skipLengthPrefixed() }
                siblings.append(EncodedSiblingSpan(
                    dot: header.dot, timestamp: header.timestamp, bytes: start..<reader.offset,
                    mayBecomeReapable: header.isTombstone || header.expiryMs != nil))
            }
        } catch {
            preconditionFailure("a stored object failed to decode: \(error)")
        }
        precondition(reader.remaining == 0, "a stored object has \(reader.remaining) trailing bytes")
    }

    init() {}
}

/// A client write applied to an object still in its encoding.
public struct EncodedWrite: Sendable {
    /// The object after the write.
    public let object: EncodedObject
    /// The client's next `X-Context`: the new clock and the newest kept timestamp.
    public let context: WriteContext
    public let outcome: ApplyOutcome
}

extension EncodedObject {
    /// Applies a client write as `actor` to the object encoded in `stored` (nil when the key is
    /// absent), without decoding its siblings: the write rule (`VersionedObject.applyWrite`, the very
    /// same code) runs on their dots and timestamps, and the siblings it keeps are copied as bytes.
    /// Gives exactly the bytes that decoding, applying the write and encoding give (`EncodedWriteTests`;
    /// asserted by the memory engine in debug builds).
    ///
    /// What a coordinator's write at the sibling cap saves: decoding 16 siblings into arrays and
    /// strings, encoding them again, and freeing them all.
    public static func applyingWrite(
        _ write: WriteRequest, toStored stored: UnsafeRawBufferPointer?, actor: ActorID, timestamp: HybridTimestamp,
        mode: ConflictMode, siblingsMax: Int
    ) -> EncodedWrite {
        var spans = stored.map(EncodedSiblingSpans.init(stored:)) ?? EncodedSiblingSpans()
        var added: Sibling?
        let outcome = VersionedObject.applyWrite(
            write, clock: &spans.clock, siblings: &spans.siblings, actor: actor, timestamp: timestamp, mode: mode,
            siblingsMax: siblingsMax
        ) { dot, stamp in
            let sibling = Sibling(dot: dot, payload: write.payload, timestamp: stamp, expiryMs: write.expiryMs,
                                  contentType: write.contentType)
            added = sibling
            return EncodedSiblingSpan(dot: dot, timestamp: stamp, bytes: nil,
                                      mayBecomeReapable: sibling.isTombstone || sibling.expiryMs != nil)
        }
        let bytes = encode(clock: spans.clock, siblings: spans.siblings, stored: stored, added: added)
        let object = EncodedObject(bytes: bytes, clock: spans.clock,
                                   mayBecomeReapable: spans.siblings.contains { $0.mayBecomeReapable })
        let context = WriteContext(clock: spans.clock, newest: spans.siblings.newestTimestamp)
        return EncodedWrite(object: object, context: context, outcome: outcome)
    }

    /// The encoding of `clock` and `siblings`: stored siblings copied from `stored`, the added one
    /// encoded (it may have been capped away at once).
    private static func encode(clock: VersionVector, siblings: [EncodedSiblingSpan], stored: UnsafeRawBufferPointer?,
                               added: Sibling?) -> [UInt8] {
        var count = 1 + clock.encodedByteCount + RawByteWriter.varintSize(UInt64(siblings.count))
        for sibling in siblings { count += sibling.bytes?.count ?? added!.encodedByteCount }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var writer = RawByteWriter(UnsafeMutableRawPointer(buffer.baseAddress!))
            writer.write(VersionedObject.binaryVersion)
            clock.encode(to: &writer)
            writer.writeVarint(UInt64(siblings.count))
            for sibling in siblings {
                if let range = sibling.bytes {
                    writer.writeRaw(UnsafeRawBufferPointer(rebasing: stored![range]))
                } else {
                    added!.encode(to: &writer)
                }
            }
            precondition(writer.offset == count, "encoded \(writer.offset) bytes, computed \(count)")
            initialized = count
        }
    }
}
