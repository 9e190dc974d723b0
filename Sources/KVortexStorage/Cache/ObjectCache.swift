import KVortexCore
import Synchronization

/// The read cache's store (`--cache-bytes`): decoded objects, so a hit costs a lock, a hash lookup
/// and a reference count, never the decoding of an encoded copy. Sharded by key hash, one lock per
/// shard; each shard holds `bytesMax / shardCount` and evicts its own least recently used keys (an
/// exact LRU per shard, approximately LRU across the cache since keys spread evenly over shards).
///
/// Accounted bytes (`accountedBytes`) approximate resident memory: an object's `approximateBytes`,
/// the key, and the headers of the arrays a decoded object and its entry hold. Knows nothing of the
/// engine behind it: `ReadCachedEngine` decides what goes in and when.
final class ObjectCache: Sendable {
    /// Bytes counted per entry besides the object's `approximateBytes` and the key: the entry and its
    /// index slot, and the allocations of the key, clock, sibling and value arrays (header and malloc
    /// overhead each). Measured with single-sibling 100-byte values filled by reads after a restart:
    /// RSS grew ~1.1 × the accounted bytes. Objects a write mirrors in share their arrays with the log
    /// engine's recent objects and cost less than they count.
    static let entryOverheadBytes = 224
    static let shardCount = 16

    let bytesMax: Int
    private let shards: [LockedCacheShard]

    init(bytesMax: Int) {
        precondition(bytesMax >= 0, "cache bound \(bytesMax) is negative")
        self.bytesMax = bytesMax
        shards = (0..<Self.shardCount).map { _ in LockedCacheShard(bytesMax: bytesMax / Self.shardCount) }
    }

    static func accountedBytes(key: [UInt8], object: VersionedObject) -> Int {
        object.approximateBytes + key.count + entryOverheadBytes
    }

    private func shard(_ key: [UInt8]) -> LockedCacheShard {
        shards[Int(StableHash.hash64(key) % UInt64(Self.shardCount))]
    }

    /// The cached object of `key` (marked most recently used), or nil when it is not cached.
    func object(for key: [UInt8]) -> VersionedObject? {
        shard(key).mutex.withLock { $0.object(for: key) }
    }

    /// Caches `object` as `key`'s, or drops the key (nil); may evict least recently used keys.
    func set(_ key: [UInt8], _ object: VersionedObject?) {
        let entryBytes = object.map { Self.accountedBytes(key: key, object: $0) } ?? 0
        shard(key).mutex.withLock { $0.set(key, object, bytes: entryBytes) }
    }

    /// Accounted bytes, keys and evictions so far, summed over the shards.
    var totals: (bytes: Int, count: Int, evictions: Int) {
        shards.reduce((0, 0, 0)) { sum, shard in
            shard.mutex.withLock { (sum.0 + $0.bytes, sum.1 + $0.count, sum.2 + $0.evictions) }
        }
    }
}

/// A cache shard behind its lock; a class because `Mutex` cannot live in an array.
final class LockedCacheShard: Sendable {
    let mutex: Mutex<ObjectCacheShard>

    init(bytesMax: Int) {
        mutex = Mutex(ObjectCacheShard(bytesMax: bytesMax))
    }
}
