/// How a replica reconciles concurrent writes to one key (DESIGN.md "Conflict modes").
public enum ConflictMode: String, Sendable, CaseIterable {
    /// Keep concurrent writes as siblings for the client to resolve. Loses nothing.
    case siblings
    /// Keep only the write with the greatest (timestamp, dot). For the cache tier: concurrent
    /// writes are lost by design, and the simulator counts how many.
    case lww
}
