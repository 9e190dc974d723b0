/// How a node in a cluster reaps tombstones: only once every other current primary of the key
/// confirms it holds the same tombstone (DESIGN.md "Data model", docs/anti-entropy.md §4).
///
/// With `isConfirming` off (a cluster of one replica, N = 1) the core does nothing and the engines
/// reap on the grace alone, as they always did. With it on, the driver gives the engines
/// `backstopMs` as their own grace, and the core reaps what the grace made reapable once confirmed.
public struct ReapSettings: Sendable, Equatable {
    /// True when reaps need every other primary's confirmation (N > 1).
    public var isConfirming: Bool
    /// Grace after which a tombstone (or an expired value) becomes a reap candidate.
    public var graceMs: UInt64
    /// After this long an engine reaps on its own, confirmed or not, so a primary that never comes
    /// back does not keep tombstones forever (Cassandra's `gc_grace_seconds`, 10 days). A durable
    /// node down for longer must start with an empty data directory (docs/operations.md).
    public var backstopMs: UInt64
    /// Time between two rounds of checks when the last one found fewer than `candidatesPerRoundMax`.
    public var roundIntervalMs: UInt64
    /// Candidates taken from storage per round; a round is in flight at most once.
    public var candidatesPerRoundMax: Int
    /// Entries per `reapCheck` message at most; a peer with more gets several messages.
    public var checkEntriesPerMessageMax: Int
    /// How long a round waits for answers; a peer silent until then defers its keys' reaps.
    public var checkTimeoutMs: UInt64
    /// How long a reaped (keyHash, clock) is remembered, and how many at most (oldest forgotten first).
    public var reapedMemoryMs: UInt64
    public var reapedMemoryEntriesMax: Int
    /// Value bytes (of expired siblings) the reaped memory holds at most; past it the oldest go.
    public var reapedMemoryValueBytesMax: Int

    public init(isConfirming: Bool = false, graceMs: UInt64 = Limits.tombstoneGraceMsDefault,
                backstopMs: UInt64 = Limits.reapBackstopMsDefault, roundIntervalMs: UInt64 = 1_000,
                candidatesPerRoundMax: Int = Limits.reapCandidatesPerTickMax,
                checkEntriesPerMessageMax: Int = Limits.reapCheckEntriesPerMessageMax, checkTimeoutMs: UInt64 = 2_000,
                reapedMemoryMs: UInt64 = Limits.reapedMemoryMsDefault,
                reapedMemoryEntriesMax: Int = Limits.reapedMemoryEntriesMaxDefault,
                reapedMemoryValueBytesMax: Int = Limits.reapedMemoryValueBytesMaxDefault) {
        precondition(candidatesPerRoundMax >= 1, "candidatesPerRoundMax \(candidatesPerRoundMax) must be at least 1")
        precondition(checkEntriesPerMessageMax >= 1, "checkEntriesPerMessageMax \(checkEntriesPerMessageMax) must be at least 1")
        precondition(checkEntriesPerMessageMax <= Limits.reapCheckEntriesPerMessageMax,
                     "checkEntriesPerMessageMax \(checkEntriesPerMessageMax) exceeds the wire's \(Limits.reapCheckEntriesPerMessageMax)")
        precondition(reapedMemoryEntriesMax >= 1, "reapedMemoryEntriesMax \(reapedMemoryEntriesMax) must be at least 1")
        self.isConfirming = isConfirming
        self.graceMs = graceMs
        self.backstopMs = backstopMs
        self.roundIntervalMs = roundIntervalMs
        self.candidatesPerRoundMax = candidatesPerRoundMax
        self.checkEntriesPerMessageMax = checkEntriesPerMessageMax
        self.checkTimeoutMs = checkTimeoutMs
        self.reapedMemoryMs = reapedMemoryMs
        self.reapedMemoryEntriesMax = reapedMemoryEntriesMax
        self.reapedMemoryValueBytesMax = reapedMemoryValueBytesMax
    }

    /// The grace the engines apply on their own: the backstop when reaps are confirmed, the grace
    /// otherwise (a cluster of one replica reaps as before).
    public var engineGraceMs: UInt64 { isConfirming ? backstopMs : graceMs }
}
