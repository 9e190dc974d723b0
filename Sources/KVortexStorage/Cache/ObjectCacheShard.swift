import KVortexCore

/// One shard of the read cache: decoded objects by key, bounded by `bytesMax` accounted bytes, the
/// least recently used evicted first. Not thread-safe: `ObjectCache` guards each shard with a `Mutex`.
struct ObjectCacheShard: Sendable {
    struct Entry: Sendable {
        let key: [UInt8]
        let object: VersionedObject
        /// What the entry counts against `bytesMax` (`ObjectCache.accountedBytes`).
        let bytes: Int
    }

    let bytesMax: Int
    private(set) var bytes = 0
    private(set) var evictions = 0
    /// Key → index in `entries`.
    private var indices: [HashedKey: Int32] = [:]
    /// nil where an entry was removed (its index is in `freeIndices`, reused first).
    private var entries: [Entry?] = []
    private var freeIndices: [Int32] = []
    private var order = LRUList()

    init(bytesMax: Int) {
        self.bytesMax = bytesMax
    }

    var count: Int { indices.count }

    /// The cached object of `key`, marked most recently used; nil when the key is not cached.
    mutating func object(for key: [UInt8]) -> VersionedObject? {
        guard let index = indices[HashedKey(key)] else { return nil }
        order.touch(Int(index))
        return entries[Int(index)]!.object
    }

    /// Caches `object` as `key`'s (most recently used), or drops the key when `object` is nil or would
    /// take more than the whole bound; then evicts down to `bytesMax`.
    mutating func set(_ key: [UInt8], _ object: VersionedObject?, bytes entryBytes: Int) {
        guard let object, entryBytes <= bytesMax else {
            remove(key)
            return
        }
        let entry = Entry(key: key, object: object, bytes: entryBytes)
        if let index = indices[HashedKey(key)] {
            bytes += entryBytes - entries[Int(index)]!.bytes
            entries[Int(index)] = entry
            order.touch(Int(index))
        } else {
            let index = freeIndices.popLast().map(Int.init) ?? entries.count
            if index == entries.count { entries.append(entry) } else { entries[index] = entry }
            indices[HashedKey(key)] = Int32(index)
            bytes += entryBytes
            order.touch(index)
        }
        while bytes > bytesMax, let victim = order.leastRecentlyUsed {
            remove(entries[victim]!.key)
            evictions += 1
        }
    }

    /// Drops `key`'s entry, if any.
    mutating func remove(_ key: [UInt8]) {
        guard let index = indices.removeValue(forKey: HashedKey(key)).map(Int.init) else { return }
        bytes -= entries[index]!.bytes
        entries[index] = nil
        freeIndices.append(Int32(index))
        order.remove(index)
    }
}
