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
        var words: [UInt64] = []
        words.reserveCapacity(2 + 2 * (object.clock.entries.count + object.siblings.count))
        words.append(UInt64(object.clock.entries.count).littleEndian)
        for entry in object.clock.entries {
            words.append(entry.actor.rawValue.littleEndian)
            words.append(entry.counter.littleEndian)
        }
        let dots = object.siblings.map(\.dot).sorted()
        words.append(UInt64(dots.count).littleEndian)
        for dot in dots {
            words.append(dot.actor.rawValue.littleEndian)
            words.append(dot.counter.littleEndian)
        }
        value = Self.hash(words)
    }

    public init(_ object: EncodedObject) {
        self.init(object.decoded())
    }

    /// xxHash64 of `words` as fixed 64-bit little-endian integers (the caller stores them so).
    static func hash(_ words: [UInt64]) -> UInt64 {
        words.withUnsafeBytes { StableHash.hash64($0) }
    }

    public var description: String { "digest " + String(value, radix: 16) }
}
