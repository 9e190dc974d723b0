/// What anti-entropy compares of a stored object (docs/anti-entropy.md §1): a 64-bit hash of its clock
/// and of its siblings' dots, not of its values. A dot names one write, so equal dots mean equal
/// values; hashing values would read up to 16 MiB per change.
///
/// Taken from the decoded numbers, so two encodings of one object (varints need not be canonical)
/// have one digest, and from the dots in sorted order, so sibling order does not matter. The dots
/// guard states the clock alone would not tell apart (LWW mode, or a bug).
public struct ObjectDigest: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    /// A digest as a peer sent it.
    public init(value: UInt64) {
        self.value = value
    }

    public init(_ object: VersionedObject) {
        let clock = object.clock.entries
        let siblings = object.siblings
        let wordCount = 2 + 2 * (clock.count + siblings.count)
        // The words on the stack for the usual object (a heap array per change otherwise); siblings are
        // kept sorted by dot (`VersionedObject`'s invariant), so no sort.
        value = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wordCount) { words in
            var index = 0
            func append(_ word: UInt64) {
                words[index] = word.littleEndian
                index += 1
            }
            append(UInt64(clock.count))
            for entry in clock {
                append(entry.actor.rawValue)
                append(entry.counter)
            }
            append(UInt64(siblings.count))
            var previous: Dot?
            for sibling in siblings {
                precondition(previous.map { $0 < sibling.dot } ?? true, "siblings out of dot order")
                previous = sibling.dot
                append(sibling.dot.actor.rawValue)
                append(sibling.dot.counter)
            }
            return StableHash.hash64(UnsafeRawBufferPointer(words))
        }
    }

    /// The digest of an encoding, read where it lies (`init(encoding:)`): the values are skipped.
    public init(_ object: EncodedObject) {
        self = object.bytes.withUnsafeBytes { ObjectDigest(encoding: $0) }
    }

    public var description: String { "digest " + String(value, radix: 16) }
}
