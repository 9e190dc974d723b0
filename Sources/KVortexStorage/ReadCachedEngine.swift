import KVortexCore
import Synchronization

/// A bounded LRU read cache (`--cache-bytes`) in front of a durable engine, made of a `MemoryEngine`.
///
/// The cache is only ever written under the base engine's lock for the key (inside `modify`'s
/// transform), both on writes and when a miss fills it, so a cached version can never be older than
/// the stored one. A write the base fails to store or make durable drops the key from the cache.
/// Durability, scans and sweeps are the base engine's.
public final class ReadCachedEngine: StorageEngine {
    public let base: any StorageEngine
    let cache: MemoryEngine
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    public init(base: any StorageEngine, cacheBytes: Int, reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault) {
        self.base = base
        cache = MemoryEngine(configuration: .init(memoryBytesMax: cacheBytes, reapGraceMs: reapGraceMs))
    }

    public var defersDurability: Bool { base.defersDurability }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        if let cached = try cache.get(key, nowMs: nowMs) {
            hits.wrappingAdd(1, ordering: .relaxed)
            return cached
        }
        misses.wrappingAdd(1, ordering: .relaxed)
        // Fill under the base engine's lock (an unchanged transform writes nothing to the base).
        var found: VersionedObject?
        let cache = self.cache
        try base.modify(key, nowMs: nowMs) { stored in
            found = stored
            if let stored { try? cache.modify(key, nowMs: nowMs) { $0 = stored } }
        }
        guard let found, !found.isReapable(atMs: nowMs, graceMs: cache.configuration.reapGraceMs) else { return nil }
        return found
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        let cache = self.cache
        do throws(StorageError) {
            try base.modify(key, nowMs: nowMs) { stored in
                transform(&stored)
                Self.mirror(stored, key: key, nowMs: nowMs, into: cache)
            }
        } catch {
            Self.forget(key, nowMs: nowMs, in: cache)
            throw error
        }
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        let cache = self.cache
        do throws(StorageError) {
            try base.modify(key, nowMs: nowMs, { stored in
                transform(&stored)
                Self.mirror(stored, key: key, nowMs: nowMs, into: cache)
            }, whenDurable: { error in
                if error != nil { Self.forget(key, nowMs: nowMs, in: cache) }
                whenDurable(error)
            })
        } catch {
            Self.forget(key, nowMs: nowMs, in: cache)
            throw error
        }
    }

    /// Keeps the cache equal to the base for `key`: the new object, or no entry.
    private static func mirror(_ object: VersionedObject?, key: [UInt8], nowMs: UInt64, into cache: MemoryEngine) {
        try? cache.modify(key, nowMs: nowMs) { $0 = object }
    }

    /// Drops `key` from the cache after the base failed to store (or keep) what was mirrored: the
    /// base may not have it (SQLite rolls a failed transaction back). Safe without the base's lock,
    /// since a missing entry is refilled from the base.
    private static func forget(_ key: [UInt8], nowMs: UInt64, in cache: MemoryEngine) {
        try? cache.modify(key, nowMs: nowMs) { $0 = nil }
    }

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        try base.forEach(partition: partition, of: partitioning, body)
    }

    public func maintain() throws(StorageError) -> String? {
        try base.maintain()
    }

    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        _ = cache.sweep(nowMs: nowMs, keysMax: keysMax)
        return base.sweep(nowMs: nowMs, keysMax: keysMax)
    }

    public var stats: StorageStats {
        var stats = base.stats
        stats.cacheHits = hits.load(ordering: .relaxed)
        stats.cacheMisses = misses.load(ordering: .relaxed)
        return stats
    }

    public func close() throws(StorageError) {
        try cache.close()
        try base.close()
    }
}
