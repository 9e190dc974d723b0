import KVortexStorage
import Testing

/// A replica's merge through each engine's `merge` (the memory engine reads the stored clock from
/// its bytes; the others take the default through `modify`).
@Suite struct EngineMergeTests {
    @Test func memoryEngine() throws {
        try EngineConformance { MemoryEngine(configuration: .init(shardCount: 4)) }.replicaMerge()
    }

    @Test func readCachedMemoryEngine() throws {
        try EngineConformance {
            ReadCachedEngine(base: MemoryEngine(configuration: .init(shardCount: 4)), cacheBytes: 1 << 20)
        }.replicaMerge()
    }
}
