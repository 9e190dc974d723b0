import KVortexStorage
import Testing

/// A replica's merge through each engine's `merge`, of decoded objects and of objects still encoded
/// (the memory engine reads the stored clock from its bytes and stores a superseding encoding as it
/// is; the others take the defaults through `modify`).
@Suite struct EngineMergeTests {
    @Test(arguments: [false, true]) func memoryEngine(encoded: Bool) throws {
        try EngineConformance { MemoryEngine(configuration: .init(shardCount: 4)) }.replicaMerge(encoded: encoded)
    }

    @Test(arguments: [false, true]) func readCachedMemoryEngine(encoded: Bool) throws {
        try EngineConformance {
            ReadCachedEngine(base: MemoryEngine(configuration: .init(shardCount: 4)), cacheBytes: 1 << 20)
        }.replicaMerge(encoded: encoded)
    }
}

/// A coordinator's client write through each engine's `write` (the memory engine applies it to the
/// stored encoding; the others decode through `modify`).
@Suite struct EngineWriteTests {
    @Test func memoryEngine() throws {
        try EngineConformance { MemoryEngine(configuration: .init(shardCount: 4)) }.clientWrites()
    }

    @Test func readCachedMemoryEngine() throws {
        try EngineConformance {
            ReadCachedEngine(base: MemoryEngine(configuration: .init(shardCount: 4)), cacheBytes: 1 << 20)
        }.clientWrites()
    }

    @Test func conditionalPeerReads() throws {
        try EngineConformance { MemoryEngine(configuration: .init(shardCount: 4)) }.conditionalPeerReads()
        try EngineConformance {
            ReadCachedEngine(base: MemoryEngine(configuration: .init(shardCount: 4)), cacheBytes: 1 << 20)
        }.conditionalPeerReads()
    }
}
