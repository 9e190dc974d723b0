/// A write held for a primary that could not take it (DESIGN.md "Hinted handoff", Dynamo §4.6).
public struct Hint: Equatable, Sendable {
    /// Changes whenever the hint changes, so an acknowledgement of an older delivery does not remove
    /// a hint that has since absorbed a newer write.
    public internal(set) var sequence: UInt64
    public let target: NodeID
    public let key: [UInt8]
    public internal(set) var object: VersionedObject

    public init(sequence: UInt64, target: NodeID, key: [UInt8], object: VersionedObject) {
        self.sequence = sequence
        self.target = target
        self.key = key
        self.object = object
    }
}

public enum HintAddResult: Equatable, Sendable {
    case stored
    /// The target already had a hint for this key; the objects were merged.
    case merged
    /// The target's queue is at `hintsPerTargetMax`; the write was not kept (counted, logged by the driver).
    case full
    /// A durable store could not make the hint durable (an I/O error); the write was not kept.
    case failed(String)
}

/// Counters of a hint store, for metrics and the simulator's figures.
public struct HintStats: Equatable, Sendable {
    public var pending = 0
    public var stored: UInt64 = 0
    public var delivered: UInt64 = 0
    public var droppedFull: UInt64 = 0

    public init() {}
}

/// Hints kept per target in a bounded queue. Memory now (`MemoryHintStore`); durable engines provide
/// their own. Hints are dropped only after the target acknowledges (`remove`), or when full on `add`.
public protocol HintStore: AnyObject, Sendable {
    /// Keeps `object` for `target`, merging with a pending hint for the same key.
    func add(target: NodeID, key: [UInt8], object: VersionedObject, mode: ConflictMode, siblingsMax: Int) -> HintAddResult
    /// Up to `limit` pending hints for `target`, oldest first. Does not remove them.
    func pending(for target: NodeID, limit: Int) -> [Hint]
    /// Drops the hint for (`target`, `key`) if it is still at `sequence`; true when removed.
    func acknowledge(target: NodeID, key: [UInt8], sequence: UInt64) -> Bool
    /// Targets with pending hints, sorted.
    func targets() -> [NodeID]
    var stats: HintStats { get }
}
