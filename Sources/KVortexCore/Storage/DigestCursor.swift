/// Where a rebuild's pass over one partition's keys (`StorageEngine.visitDigests`) resumes. The caller
/// starts with `.start` and hands back what each call returned; each engine uses the case that fits
/// how it holds its keys, and traps on another's (a bug: cursors never cross engines).
public enum DigestCursor: Equatable, Sendable {
    case start
    /// The next slot of an engine whose keys keep their slot while present (the memory engine: shard
    /// and entry index; the simulator's storage: key number, `table` 0).
    case slot(table: Int, index: Int)
    /// The last key read by an engine that reads keys in key order (SQLite).
    case afterKey([UInt8])
    /// The partition's keys left to visit, listed when the pass started, by an engine that cannot
    /// resume a walk of its keys (the log engine's key directory, and the protocol's default).
    case keys(ArraySlice<[UInt8]>)
}
