/// When a write is acknowledged relative to its fsync (`--fsync`).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Each write is fsynced before it is acknowledged.
    case always
    /// Writes are acknowledged once fsynced, and concurrent writes share one fsync (group commit).
    case batch
    /// No fsync: a crash of the machine may lose recent writes. For the cache tier only.
    case none
}
