/// What a read tells the write that follows it (`X-Context`): the clock it saw and the newest
/// timestamp among the versions it saw.
///
/// The clock says which versions the write supersedes. The timestamp lets the write order after
/// them: a version that supersedes another must also win last-write-wins against it, or replicas
/// that merge in different orders keep different winners (and can drop every version; LWWTests).
public struct WriteContext: Hashable, Sendable, CustomStringConvertible {
    public var clock: VersionVector
    /// The latest timestamp of any version `clock` covers, as far as the reader knew; zero if unknown.
    public var newest: HybridTimestamp

    public init(clock: VersionVector = VersionVector(), newest: HybridTimestamp = .zero) {
        self.clock = clock
        self.newest = newest
    }

    /// The context a read of `object` hands out. The newest kept sibling is also the newest version
    /// the clock covers: dropped versions were superseded by, or lost LWW or the cap to, a later one.
    public init(of object: VersionedObject) {
        self.init(clock: object.clock, newest: object.newestTimestamp)
    }

    /// Folds in another read's context (a client that read from several replicas).
    public mutating func merge(_ other: WriteContext) {
        clock.merge(other.clock)
        newest = max(newest, other.newest)
    }

    public var description: String { "\(clock)@\(newest)" }
}

extension VersionedObject {
    /// The latest timestamp among the siblings, or zero when there are none.
    public var newestTimestamp: HybridTimestamp { siblings.newestTimestamp }
}

extension Array where Element: StampedSibling {
    /// The latest timestamp among these siblings, decoded or still encoded; zero when there are none.
    var newestTimestamp: HybridTimestamp {
        reduce(HybridTimestamp.zero) { Swift.max($0, $1.timestamp) }
    }
}
