/// The digest of an object still in its binary encoding (`VersionedObject+Binary`), read where it lies:
/// what storage engines that keep encodings (the memory engine's blocks, log records, SQLite rows)
/// compute on every change and every rebuild visit.
///
/// Decoding would build the sibling array and copy every value (one allocation per sibling, and up to
/// 16 MiB copied); this walk reads the clock and each sibling's dot and skips the rest: two passes over
/// the header fields, the numbers hashed from a buffer on the stack. Equal to `ObjectDigest(decoded)`,
/// non-canonical varints included (`ObjectDigestEncodingTests`).
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
    /// finds wrong (it checks the fields it reads, not the whole encoding).
    public init(checkingEncoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try Self.digest(encoding: bytes)
    }

    private static func digest(encoding bytes: UnsafeRawBufferPointer) throws(DecodeError) -> ObjectDigest {
        var reader = RawByteReader(bytes)
        guard try reader.readByte() == VersionedObject.binaryVersion else { throw .unknownVersion(bytes[0]) }
        let clockStart = reader.offset
        let clockCount = try reader.readCount(itemsMax: VersionedObject.decodeClockEntriesMax)
        for _ in 0..<clockCount {
            _ = try reader.readFixed64()
            _ = try reader.readVarint()
        }
        let siblingCount = try reader.readCount(itemsMax: VersionedObject.decodeSiblingsMax)
        let wordCount = 2 + 2 * (clockCount + siblingCount)
        let walked = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wordCount) { words in
            Result { () throws(DecodeError) -> UInt64? in
                var again = RawByteReader(UnsafeRawBufferPointer(rebasing: bytes[clockStart...]))
                return try fill(words, from: &again) ? StableHash.hash64(UnsafeRawBufferPointer(words)) : nil
            }
        }
        if let value = try walked.get() { return ObjectDigest(value: value) }
        // Siblings out of dot order: never written by this process (encodings keep dot order), so
        // taken the slow way, which sorts them.
        return ObjectDigest(try VersionedObject(decoding: bytes))
    }

    /// Writes the clock's entries and the siblings' dots into `words` (as the decoded digest does) from
    /// a reader at the clock; false when the dots are not in ascending order.
    private static func fill(_ words: UnsafeMutableBufferPointer<UInt64>, from reader: inout RawByteReader)
        throws(DecodeError) -> Bool
    {
        var index = 0
        func append(_ word: UInt64) {
            words[index] = word.littleEndian
            index += 1
        }
        let clockCount = try reader.readVarint()
        append(clockCount)
        for _ in 0..<clockCount {
            append(try reader.readFixed64())
            append(try reader.readVarint())
        }
        let siblingCount = try reader.readVarint()
        append(siblingCount)
        var previous: Dot?
        for _ in 0..<siblingCount {
            let header = try SiblingHeader(from: &reader)
            if let previous, !(previous < header.dot) { return false }
            previous = header.dot
            append(header.dot.actor.rawValue)
            append(header.dot.counter)
            try reader.skipLengthPrefixed()  // the content type
            if !header.isTombstone { try reader.skipLengthPrefixed() }
        }
        precondition(index == words.count, "walked \(index) digest words of \(words.count)")
        return true
    }
}
