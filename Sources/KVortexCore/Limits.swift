/// Named bounds of the core. Each is configurable where DESIGN.md says so; hitting one is counted.
public enum Limits {
    /// Longest key accepted, in bytes (DESIGN.md "Data model"); longer keys are rejected with 400.
    public static let keyBytesMax = 1024
    /// Largest value accepted by default; larger bodies are rejected with 413. Configurable up to 16 MiB.
    public static let valueBytesMaxDefault = 1 << 20
    public static let valueBytesMaxCeiling = 16 << 20
    /// Siblings kept per key; past it the oldest are merged away by LWW and counted.
    public static let siblingsMaxDefault = 16
    /// Longest `Content-Type` stored with a value.
    public static let contentTypeBytesMax = 256
    /// Grace before a tombstone every replica holds may be reaped.
    public static let tombstoneGraceMsDefault: UInt64 = 60_000
    /// Age after which an engine reaps a tombstone whose reap no primary confirmed (10 days, as
    /// Cassandra's `gc_grace_seconds`): a primary that never returns must not keep it forever.
    public static let reapBackstopMsDefault: UInt64 = 10 * 24 * 3_600_000
    /// Reap candidates a node checks per round (docs/anti-entropy.md §4).
    public static let reapCandidatesPerTickMax = 256
    /// Entries of one `reapCheck` message at most; also what a decoder accepts.
    public static let reapCheckEntriesPerMessageMax = 256
    /// How long, and how many, reaped (keyHash, clock) pairs a node remembers.
    public static let reapedMemoryMsDefault: UInt64 = 3_600_000
    public static let reapedMemoryEntriesMaxDefault = 100_000
    /// Value bytes the reaped memory may hold: the values of expired siblings it keeps (tombstones have
    /// none), so 100 000 reaped keys with large expired values cannot take gigabytes.
    public static let reapedMemoryValueBytesMaxDefault = 64 << 20
    /// Anti-entropy exchange messages (docs/anti-entropy.md §3), bounded on decode. Branches of one
    /// `aeBranches`: √S for the largest S allowed (4096).
    public static let exchangeBranchesMax = 64
    /// Segment hashes of one `aeBranchesReply` (8 KiB); also the segments one `aeKeys` may list.
    public static let exchangeReplySegmentsMax = 1024
    /// Entries of one key list (`aeKeys`), and keys of one `aeWanted`.
    public static let exchangeKeyListEntriesMax = 16_384
    /// Bytes of the entries of one key list (`aeKeys`), and of the keys of one `aeWanted`.
    public static let exchangeKeyListBytesMax = 1 << 20
    /// The largest partition number and segment count a peer may name (Q and S are far smaller; the
    /// responder checks them against its own shape).
    public static let exchangePartitionMax = 1 << 20
    public static let exchangeSegmentCountMax = 1 << 16
}
