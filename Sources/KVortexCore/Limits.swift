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
}
