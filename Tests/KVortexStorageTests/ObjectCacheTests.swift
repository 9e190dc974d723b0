import KVortexCore
@testable import KVortexStorage
import Testing

/// The read cache's store: exact LRU within a shard, bounded to the byte, and whole objects only.
@Suite struct ObjectCacheTests {
    static func object(_ value: String, tombstone: Bool = false, atMs: UInt64 = 1_000) -> VersionedObject {
        var object = VersionedObject()
        _ = object.applyWrite(WriteRequest(payload: tombstone ? .tombstone : .value(Array(value.utf8)), context: nil),
                              actor: ActorID(rawValue: 7), timestamp: HybridTimestamp(physicalMs: atMs, logical: 0),
                              mode: .siblings, siblingsMax: 8)
        return object
    }

    static func key(_ index: Int) -> [UInt8] { Array("k\(index)".utf8) }

    @Test func aShardFilledToExactlyItsBoundKeepsEverything() {
        let entryBytes = ObjectCache.accountedBytes(key: Self.key(0), object: Self.object("v"))
        var shard = ObjectCacheShard(bytesMax: 3 * entryBytes)
        for index in 0..<3 { shard.set(Self.key(index), Self.object("v"), bytes: entryBytes) }
        #expect(shard.bytes == 3 * entryBytes)
        #expect(shard.count == 3)
        #expect(shard.evictions == 0)
        shard.set(Self.key(3), Self.object("v"), bytes: entryBytes)
        #expect(shard.count == 3, "one past the bound evicts one")
        #expect(shard.evictions == 1)
        #expect(shard.bytes == 3 * entryBytes)
    }

    @Test func evictsTheLeastRecentlyUsedFirst() {
        var shard = ObjectCacheShard(bytesMax: 300)
        for index in 0..<3 { shard.set(Self.key(index), Self.object("v\(index)"), bytes: 100) }
        #expect(shard.object(for: Self.key(0)) == Self.object("v0"))  // k1 is now the oldest
        shard.set(Self.key(3), Self.object("v3"), bytes: 100)
        #expect(shard.object(for: Self.key(1)) == nil)
        for index in [0, 2, 3] { #expect(shard.object(for: Self.key(index)) == Self.object("v\(index)"), "k\(index)") }
        shard.set(Self.key(2), Self.object("newer"), bytes: 250)  // an update counts its new size
        #expect(shard.bytes <= 300)
        #expect(shard.object(for: Self.key(2)) == Self.object("newer"))
    }

    @Test func removalAndOversizeObjectsLeaveNoEntry() {
        var shard = ObjectCacheShard(bytesMax: 300)
        shard.set(Self.key(0), Self.object("v"), bytes: 100)
        shard.set(Self.key(0), nil, bytes: 0)
        #expect(shard.object(for: Self.key(0)) == nil)
        #expect(shard.bytes == 0)
        shard.set(Self.key(1), Self.object("v"), bytes: 100)
        shard.set(Self.key(1), Self.object("huge"), bytes: 301)
        #expect(shard.object(for: Self.key(1)) == nil, "an object larger than the bound drops the key")
        #expect(shard.bytes == 0)
        #expect(shard.evictions == 0)
        for index in 0..<10 { shard.set(Self.key(index), Self.object("v"), bytes: 10) }  // reuses freed slots
        #expect(shard.count == 10)
        #expect(shard.bytes == 100)
    }

    @Test func theCacheStaysWithinItsBound() {
        let cache = ObjectCache(bytesMax: 64 << 10)
        for index in 0..<5_000 { cache.set(Self.key(index), Self.object(String(repeating: "x", count: index % 200))) }
        let totals = cache.totals
        #expect(totals.bytes <= 64 << 10)
        #expect(totals.evictions + totals.count == 5_000)
        #expect(cache.object(for: Self.key(4_999)) == Self.object(String(repeating: "x", count: 4_999 % 200)))
    }

    /// A reapable object is never served from the cache: the read goes to the base, and counts as a miss.
    @Test func aReapableCachedObjectIsNotServed() throws {
        let base = MemoryEngine(configuration: .init(reapGraceMs: 10))
        let engine = ReadCachedEngine(base: base, cacheBytes: 1 << 20, reapGraceMs: 10)
        let deleted = Self.object("", tombstone: true, atMs: 1_000)
        try engine.update(Self.key(0), nowMs: 1_000) { $0 = deleted }
        #expect(try engine.get(Self.key(0), nowMs: 1_005) == deleted, "within the grace")
        #expect(engine.stats.cacheHits == 1)
        #expect(try engine.get(Self.key(0), nowMs: 1_011) == nil)
        #expect(engine.stats.cacheMisses == 1)
        #expect(engine.stats.cacheKeys == 0, "not put back")
    }
}
