/// The digest of an object still in its binary encoding (`VersionedObject+Binary`), read where it lies:
/// what storage engines that keep encodings (the memory engine's blocks, log records, SQLite rows)
/// compute on every change and every rebuild visit.
///
/// Decoding would build the sibling array and copy every value (one allocation per sibling, and up to
/// 16 MiB copied); this walk reads the clock and each sibling's dot and skips the rest: the clock is
/// read twice (to size a buffer on the stack), each sibling once. Equal to `ObjectDigest(decoded)`,
/// non-canonical varints included (`ObjectDigestEncodingTests`). It checks only what it reads (bounds,
/// the version, dot order), not what decoding checks (UTF-8, flags, dots covered by the clock).
extension ObjectDigest {
    /// The digest of the object `bytes` encode. The bytes must be an encoding this process validated
    /// or wrote (a stored object, an `EncodedObject`): damage is a bug here, and traps.
    public init(encoding bytes: UnsafeRawBufferPointer) {
        do {
            try self.init(checkingEncoding: bytes)
        } catch {
            preconditionFailure("a stored object's encoding failed to walk: \(error)")
        }
    }

    /// As `init(encoding:)` for bytes read back from a file, which may be damaged: throws what the walk
    /// finds wrong.
    public init(checkingEncoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        var walk = EncodingWalk(bytes)
        let version = try walk.byte()
        guard version == VersionedObject.binaryVersion else { throw .unknownVersion(version) }
        let clockStart = walk.offset
        let clockCount = try walk.count()
        for _ in 0..<clockCount {
            _ = try walk.fixed64()
            try walk.skipVarint()
        }
        let siblingCount = try walk.count()
        let wordCount = 2 + 2 * (clockCount + siblingCount)
        let walked = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wordCount) { words in
            Result { () throws(DecodeError) -> UInt64? in
                var again = EncodingWalk(bytes, at: clockStart)
                return try Self.fill(words, from: &again) ? StableHash.hash64(UnsafeRawBufferPointer(words)) : nil
            }
        }
        if let value = try walked.get() {
            self.init(value: value)
        } else {
            // Siblings out of dot order: never written by this process (encodings keep dot order), so
            // taken the slow way, which sorts them.
            self.init(try VersionedObject(decoding: bytes))
        }
    }

    /// Writes the clock's entries and the siblings' dots into `words` (as the decoded digest does) from
    /// a walk at the clock; false when the dots are not in ascending order.
    private static func fill(_ words: UnsafeMutableBufferPointer<UInt64>, from walk: inout EncodingWalk)
        throws(DecodeError) -> Bool
    {
        // Written through the base pointer: `words.count` was computed from these very counts.
        let base = words.baseAddress!
        let clockCount = try walk.count()
        base[0] = UInt64(clockCount).littleEndian
        var index = 1
        for _ in 0..<clockCount {
            base[index] = try walk.fixed64().littleEndian
            base[index + 1] = try walk.varint().littleEndian
            index += 2
        }
        let siblingCount = try walk.count()
        precondition(index + 1 + 2 * siblingCount == words.count, "\(siblingCount) siblings for \(words.count) digest words")
        base[index] = UInt64(siblingCount).littleEndian
        index += 1
        var previous: (actor: UInt64, counter: UInt64) = (0, 0)
        for sibling in 0..<siblingCount {
            // actor fixed64, counter varint, flags u8, timestamp varint, [expiry varint], content type, [value]
            let actor = try walk.fixed64()
            let counter = try walk.varint()
            if sibling > 0 && !(previous < (actor, counter)) { return false }
            previous = (actor, counter)
            base[index] = actor.littleEndian
            base[index + 1] = counter.littleEndian
            index += 2
            let flags = try walk.byte()
            try walk.skipVarint()
            if flags & 2 != 0 { try walk.skipVarint() }
            try walk.skipLengthPrefixed()
            if flags & 1 == 0 { try walk.skipLengthPrefixed() }
        }
        return true
    }
}

/// A bounds-checked cursor over an encoding that reads only what the digest needs and skips the rest
/// without decoding it (a skipped varint is found from one 64-bit load).
private struct EncodingWalk {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    @inline(__always)
    mutating func byte() throws(DecodeError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(needed: 1, available: 0) }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    mutating func fixed64() throws(DecodeError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw .truncated(needed: 8, available: bytes.count - offset) }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    mutating func varint() throws(DecodeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw .varintTooLong }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A count of items that each take at least one byte: no more than the bytes left.
    @inline(__always)
    mutating func count() throws(DecodeError) -> Int {
        let count = try varint()
        guard count <= UInt64(bytes.count - offset) else {
            throw .lengthTooLarge(length: count, lengthMax: bytes.count - offset)
        }
        return Int(count)
    }

    @inline(__always)
    mutating func skipVarint() throws(DecodeError) {
        if bytes.count - offset >= 8 {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let ends = ~word & 0x8080_8080_8080_8080
            if ends != 0 {
                offset += (ends.trailingZeroBitCount + 1) >> 3
                return
            }
            offset += 8  // a nine-byte varint (a timestamp) or longer: the rest byte by byte
        }
        while try byte() & 0x80 != 0 {}
    }

    /// Moves past a varint length and that many bytes (a content type, a value).
    @inline(__always)
    mutating func skipLengthPrefixed() throws(DecodeError) {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else {
            throw .truncated(needed: Int(clamping: length), available: bytes.count - offset)
        }
        offset += Int(length)
    }
}
