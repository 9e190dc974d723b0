import KVortexCore
import Synchronization

/// A bounded LRU read cache (`--cache-bytes`) in front of a durable engine, holding decoded objects
/// (`ObjectCache`): a hit costs what a memory engine's read costs, less its decoding.
///
/// The cache is only ever written under the base engine's lock for the key (inside `modify`'s
/// transform), both on writes and when a miss fills it, so a cached version can never be older than
/// the stored one. A write the base fails to store or make durable drops the key from the cache.
/// Objects that are reapable when read are not served from the cache, nor put back in it; those the
/// base reaps behind the cache's back read as absent there too and leave it when read or evicted.
/// Durability, scans, sweeps and the anti-entropy observer (`ObjectChangeObserver`) are the base engine's.
public final class ReadCachedEngine: StorageEngine {
    public let base: any StorageEngine
    let cache: ObjectCache
    private let reapGraceMs: UInt64
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    public init(base: any StorageEngine, cacheBytes: Int, reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault) {
        self.base = base
        self.reapGraceMs = reapGraceMs
        cache = ObjectCache(bytesMax: cacheBytes)
    }

    public var defersDurability: Bool { base.defersDurability }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        guard !closed.load(ordering: .relaxed) else { throw .closed }
        let grace = reapGraceMs
        if let cached = cache.object(for: key), !cached.isReapable(atMs: nowMs, graceMs: grace) {
            hits.wrappingAdd(1, ordering: .relaxed)
            return cached
        }
        misses.wrappingAdd(1, ordering: .relaxed)
        // Fill under the base engine's lock (an unchanged transform writes nothing to the base).
        var found: VersionedObject?
        let cache = self.cache
        try base.modify(key, nowMs: nowMs) { stored in
            found = stored.flatMap { $0.isReapable(atMs: nowMs, graceMs: grace) ? nil : $0 }
            cache.set(key, found)
        }
        return found
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        let cache = self.cache
        do throws(StorageError) {
            try base.modify(key, nowMs: nowMs) { stored in
                transform(&stored)
                cache.set(key, stored)  // the cache equals the base for `key`
            }
        } catch {
            Self.forget(key, in: cache)
            throw error
        }
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        let cache = self.cache
        do throws(StorageError) {
            try base.modify(key, nowMs: nowMs, { stored in
                transform(&stored)
                cache.set(key, stored)  // the cache equals the base for `key`
            }, whenDurable: { error in
                if error != nil { Self.forget(key, in: cache) }
                whenDurable(error)
            })
        } catch {
            Self.forget(key, in: cache)
            throw error
        }
    }

    /// Drops `key` from the cache after the base failed to store (or keep) what was mirrored: the
    /// base may not have it (SQLite rolls a failed transaction back). Safe without the base's lock,
    /// since a missing entry is refilled from the base.
    private static func forget(_ key: [UInt8], in cache: ObjectCache) {
        cache.set(key, nil)
    }

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        try base.forEach(partition: partition, of: partitioning, body)
    }

    /// The base engine's pass: the cache holds nothing the base does not, and the base holds the observer
    /// (a write through the cache is the base's change, told by the base).
    public func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                             _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        try base.visitDigests(partition: partition, of: partitioning, from: cursor, keysMax: keysMax, visit)
    }

    public func maintain() throws(StorageError) -> String? {
        try base.maintain()
    }

    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        base.sweep(nowMs: nowMs, keysMax: keysMax)
    }

    /// The base engine's candidates: the cache holds no key the base does not.
    public func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        base.reapCandidates(nowMs: nowMs, graceMs: graceMs, keysMax: keysMax)
    }

    public var stats: StorageStats {
        var stats = base.stats
        stats.cacheHits = hits.load(ordering: .relaxed)
        stats.cacheMisses = misses.load(ordering: .relaxed)
        (stats.cacheBytes, stats.cacheKeys, stats.cacheEvictions) = cache.totals
        return stats
    }

    public func close() throws(StorageError) {
        closed.store(true, ordering: .relaxed)
        try base.close()
    }
}
