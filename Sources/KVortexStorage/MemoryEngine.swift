import KVortexCore
import Synchronization

/// The in-memory storage engine: sharded, one lock per shard, one compact block per key.
///
/// Objects are kept in their binary encoding and decoded on read. A key is accounted as its block plus
/// 32 bytes (entry and slot); resident memory runs about 12 % above the accounted bytes (table slack and
/// malloc overhead), which is how far `--max-memory` can be exceeded in RSS. With `memoryBytesMax` set (the cache tier, `--max-memory`), writes that push
/// the accounted bytes past the bound evict least-recently-used keys: each shard keeps an exact LRU list,
/// and eviction takes the shard whose oldest entry was used longest ago, so the order is exact LRU
/// across the engine up to races between concurrent writers.
public final class MemoryEngine: StorageEngine {
    public struct Configuration: Sendable {
        /// Shards (locks); a power of two.
        public var shardCount: Int
        /// Bound on accounted bytes; nil for none.
        public var memoryBytesMax: Int?
        /// Grace before a fully deleted or expired object may be forgotten (`VersionedObject.isReapable`).
        public var reapGraceMs: UInt64
        /// Told of every change (anti-entropy's trees, `PartitionTrees`); nil when anti-entropy is off.
        /// A memory engine starts empty, so its trees start `ready`.
        public var changeObserver: (any ObjectChangeObserver)?

        public init(shardCount: Int = 64, memoryBytesMax: Int? = nil, reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault,
                    changeObserver: (any ObjectChangeObserver)? = nil) {
            self.shardCount = shardCount
            self.memoryBytesMax = memoryBytesMax
            self.reapGraceMs = reapGraceMs
            self.changeObserver = changeObserver
        }
    }

    public let configuration: Configuration
    /// `configuration.changeObserver`, read once per change under the shard's lock.
    let observer: (any ObjectChangeObserver)?
    let shards: [LockedShard]
    private let shardShift: UInt64
    /// Increases on every access; entries record it to compare recency across shards.
    private let useClock = Atomic<UInt64>(1)
    private let accountedBytes = Atomic<Int>(0)
    private let keyCount = Atomic<Int>(0)
    private let evictions = Atomic<Int>(0)
    let reaped = Atomic<Int>(0)
    let closed = Atomic<Bool>(false)
    let sweepCursor = Mutex<(shard: Int, entry: Int)>((0, 0))
    /// Where `reapCandidates` resumes (a cursor of its own, so sweeps and candidate lists do not
    /// skip each other's entries).
    let candidatesCursor = Mutex<(shard: Int, entry: Int)>((0, 0))
    /// Eviction is serialised so concurrent writers do not evict twice for one overflow.
    private let evictionLock = Mutex(())

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.shardCount > 0 && configuration.shardCount & (configuration.shardCount - 1) == 0,
                     "shard count \(configuration.shardCount) must be a power of two")
        self.configuration = configuration
        observer = configuration.changeObserver
        shards = (0..<configuration.shardCount).map { _ in LockedShard() }
        shardShift = UInt64(64 - configuration.shardCount.trailingZeroBitCount)
    }

    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        StableHash.hash64(key)
    }

    /// Shards take the top bits of the hash, as partitions do: a partition lies in exactly one shard
    /// when there are at least as many partitions as shards.
    func shardIndex(_ hash: UInt64) -> Int {
        shards.count == 1 ? 0 : Int(hash >> shardShift)
    }

    private func nextUse() -> UInt64 {
        useClock.wrappingAdd(1, ordering: .relaxed).newValue
    }

    public var stats: StorageStats {
        var stats = StorageStats()
        stats.keyCount = keyCount.load(ordering: .relaxed)
        stats.bytes = accountedBytes.load(ordering: .relaxed)
        stats.evictions = evictions.load(ordering: .relaxed)
        stats.reaped = reaped.load(ordering: .relaxed)
        return stats
    }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        try withEntry(key) { shard, entry, hash in liveObject(&shard, entry, hash: hash, nowMs: nowMs) }
    }

    /// A peer's read: the entry's bytes as they are (compared with `unlessClock` where they lie),
    /// unless the object may have become reapable, which only decoding tells (then as `get`).
    public func getForPeer(_ key: [UInt8], nowMs: UInt64, unlessClock clock: VersionVector?) throws(StorageError) -> PeerRead {
        let read = try withEntry(key) { shard, entry, hash -> PeerRead? in
            let block = shard.entries[entry].block!
            guard block.flags & EntryBlock.mayBecomeReapable == 0 else {
                let object = liveObject(&shard, entry, hash: hash, nowMs: nowMs)
                if let object, object.clock == clock { return .unchanged }
                return .object(object.map(MessageObject.decoded))
            }
            shard.touch(entry, use: nextUse())
            if let clock, clock.isClock(ofEncodedObject: block.objectBytes) { return .unchanged }
            return .object(.encoded(EncodedObject(storedBytes: block.objectBytes, mayBecomeReapable: false)))
        }
        return read ?? .object(nil)
    }

    /// Runs `body` on the entry of `key` under its shard's lock; nil when the key is absent.
    private func withEntry<Result>(
        _ key: [UInt8], _ body: (inout MemoryShard, Int, UInt64) -> sending Result?
    ) throws(StorageError) -> Result? {
        try withSlot(key) { shard, entry, _, hash -> sending Result? in
            guard let entry else { return nil }
            return body(&shard, entry, hash)
        }
    }

    /// Runs `body` under the shard's lock of `key` with its entry (nil: absent), the key's bytes and
    /// its hash: every read-modify-write of the engine.
    func withSlot<Result>(
        _ key: [UInt8], _ body: (inout MemoryShard, Int?, UnsafeRawBufferPointer, UInt64) -> sending Result
    ) throws(StorageError) -> Result {
        guard !closed.load(ordering: .relaxed) else { throw .closed }
        return key.withUnsafeBytes { raw in
            let hash = Self.hash(raw)
            return shards[shardIndex(hash)].mutex.withLock { shard -> Result in
                body(&shard, shard.find(raw, hash: hash), raw, hash)
            }
        }
    }

    /// The entry's object, counted as a use; nil (and removed) when it is reapable at `nowMs`.
    private func liveObject(_ shard: inout MemoryShard, _ entry: Int, hash: UInt64, nowMs: UInt64) -> VersionedObject? {
        guard let object = Self.decode(shard.entries[entry].block!) else { return nil }
        if object.isReapable(atMs: nowMs, graceMs: configuration.reapGraceMs) {
            removeCounted(&shard, entry, hash: hash, counter: reaped)
            return nil
        }
        shard.touch(entry, use: nextUse())
        return object
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        try withSlot(key) { shard, entry, raw, hash in
            var object = entry.flatMap { Self.decode(shard.entries[$0].block!) }
            transform(&object)
            store(object, key: raw, hash: hash, entry: entry, in: &shard)
        }
        evictIfOverBound()
    }

    /// Writes the transformed object back: insert, replace or remove.
    func store(_ object: VersionedObject?, key: UnsafeRawBufferPointer, hash: UInt64, entry: Int?,
               in shard: inout MemoryShard) {
        store(block: object.map { block(key: key, object: $0) }, hash: hash, entry: entry, in: &shard)
    }

    /// Puts `block` (nil: none) in the place of `entry` (nil: absent), keeping the counts, and tells the
    /// observer (every insert, replace and removal but reaps and evictions goes through here).
    func store(block: EntryBlock?, hash: UInt64, entry: Int?, in shard: inout MemoryShard) {
        guard let observer else { return storeUnobserved(block: block, hash: hash, entry: entry, in: &shard) }
        // The old digest before the store frees the old block (kept in it); the new one walked from the
        // new block's encoding and kept in it for the next change.
        let old = entry.map { Self.digest(of: shard.entries[$0].block!) }
        let new = block.map { block in
            let digest = ObjectDigest(encoding: block.objectBytes)
            block.setDigest(digest)
            return digest
        }
        storeUnobserved(block: block, hash: hash, entry: entry, in: &shard)
        observer.replaced(keyHash: hash, old: old, new: new)
    }

    private func storeUnobserved(block: EntryBlock?, hash: UInt64, entry: Int?, in shard: inout MemoryShard) {
        let before = shard.bytes
        switch (block, entry) {
        case (nil, nil):
            return
        case (nil, let entry?):
            shard.remove(entry, hash: hash)
            keyCount.wrappingSubtract(1, ordering: .relaxed)
        case (let block?, nil):
            _ = shard.insert(block, hash: hash, use: nextUse())
            keyCount.wrappingAdd(1, ordering: .relaxed)
        case (let block?, let entry?):
            shard.replace(entry, with: block, use: nextUse())
        }
        accountedBytes.wrappingAdd(shard.bytes - before, ordering: .relaxed)
    }

    /// Removes an entry the engine dropped by itself (a reap, an eviction), counted in `counter`, and
    /// tells the observer.
    func removeCounted(_ shard: inout MemoryShard, _ entry: Int, hash: UInt64, counter: borrowing Atomic<Int>) {
        guard let observer else { return removeCountedUnobserved(&shard, entry, hash: hash, counter: counter) }
        let old = Self.digest(of: shard.entries[entry].block!)
        removeCountedUnobserved(&shard, entry, hash: hash, counter: counter)
        observer.replaced(keyHash: hash, old: old, new: nil)
    }

    private func removeCountedUnobserved(_ shard: inout MemoryShard, _ entry: Int, hash: UInt64, counter: borrowing Atomic<Int>) {
        let before = shard.bytes
        shard.remove(entry, hash: hash)
        accountedBytes.wrappingAdd(shard.bytes - before, ordering: .relaxed)
        keyCount.wrappingSubtract(1, ordering: .relaxed)
        counter.wrappingAdd(1, ordering: .relaxed)
    }

    /// The digest of an entry's object: the one kept in its block, or read from its encoding without
    /// decoding it.
    static func digest(of block: EntryBlock) -> ObjectDigest {
        block.digest ?? ObjectDigest(encoding: block.objectBytes)
    }

    /// A new block holding `object`, with room for its digest when an observer is told of changes.
    func block(key: UnsafeRawBufferPointer, object: VersionedObject) -> EntryBlock {
        EntryBlock.make(key: key, object: object,
                        flags: EntryBlock.flags(mayBecomeReapable: object.mayBecomeReapable, keepsDigest: observer != nil))
    }

    /// A block holding an encoding as it is (a replica's superseding object, a write applied to bytes).
    func block(key: UnsafeRawBufferPointer, encoded: EncodedObject) -> EntryBlock {
        encoded.bytes.withUnsafeBytes {
            EntryBlock.make(key: key, encoded: $0,
                            flags: EntryBlock.flags(mayBecomeReapable: encoded.mayBecomeReapable, keepsDigest: observer != nil))
        }
    }

    static func decode(_ block: EntryBlock) -> VersionedObject? {
        // Our own encoding; a failure here means memory corruption, not bad input.
        let object = try? VersionedObject(decoding: block.objectBytes)
        assert(object != nil, "stored object failed to decode")
        return object
    }

    /// Evicts least-recently-used keys until the accounted bytes are within `memoryBytesMax`.
    func evictIfOverBound() {
        guard let bound = configuration.memoryBytesMax, accountedBytes.load(ordering: .relaxed) > bound else { return }
        evictionLock.withLock { _ in
            while accountedBytes.load(ordering: .relaxed) > bound {
                guard let victim = shardWithOldestEntry() else { return }
                shards[victim].mutex.withLock { shard in
                    guard let entry = shard.leastRecentlyUsed else { return }
                    let hash = Self.hash(shard.entries[entry].block!.key)
                    removeCounted(&shard, entry, hash: hash, counter: evictions)
                }
            }
        }
    }

    private func shardWithOldestEntry() -> Int? {
        var best: (shard: Int, use: UInt64)?
        for index in shards.indices {
            guard let use = shards[index].mutex.withLock({ $0.oldestUse }) else { continue }
            if best == nil || use < best!.use { best = (index, use) }
        }
        return best?.shard
    }

    var shardCount: Int { shards.count }

    /// Copies up to `scanBatchMax` entries of a shard, from entry index `start`, that pass `filter`;
    /// returns them and where to resume (nil when the shard is done).
    func copyBatch(shard index: Int, from start: Int, filter: (UnsafeRawBufferPointer) -> Bool)
        -> ([([UInt8], VersionedObject)], resume: Int?)
    {
        shards[index].mutex.withLock { shard in
            var batch: [([UInt8], VersionedObject)] = []
            var position = start
            while position < shard.entries.count && batch.count < Self.scanBatchMax {
                if let block = shard.entries[position].block, filter(block.key), let object = Self.decode(block) {
                    batch.append((Array(block.key), object))
                }
                position += 1
            }
            return (batch, position < shard.entries.count ? position : nil)
        }
    }

    func cursor() -> (shard: Int, entry: Int) {
        sweepCursor.withLock { $0 }
    }

    /// Moves the sweep cursor past `end` in `shard`, or on to the next shard when it is done.
    func advanceCursor(shard: Int, end: Int?) {
        sweepCursor.withLock { (cursor: inout (shard: Int, entry: Int)) in
            if let end { cursor = (shard, end) } else { cursor = ((shard + 1) % shards.count, 0) }
        }
    }

    /// Removes reapable objects of one shard from `start`, at most `budget`; returns the count removed,
    /// entries scanned, and where to resume (nil when the shard is done).
    func sweepShard(_ index: Int, from start: Int, nowMs: UInt64, budget: Int) -> (Int, Int, Int?) {
        shards[index].mutex.withLock { shard in
            Self.scanReapable(&shard, from: start, nowMs: nowMs, graceMs: configuration.reapGraceMs, budget: budget) {
                shard, position, block, _ in
                removeCounted(&shard, position, hash: Self.hash(block.key), counter: reaped)
            }
        }
    }

    /// Hands `body` the objects of `shard` reapable after `graceMs` at `nowMs`, from `start`, until
    /// `budget` were handed or `scanBatchMax` entries examined (the sweep removes them, the reap
    /// candidates list them). Returns how many were handed, how many entries were examined, and where
    /// to resume (nil when the shard is done). Called under the shard's lock.
    static func scanReapable(_ shard: inout MemoryShard, from start: Int, nowMs: UInt64, graceMs: UInt64, budget: Int,
                             _ body: (inout MemoryShard, Int, EntryBlock, VersionedObject) -> Void) -> (Int, Int, Int?) {
        var handed = 0
        var position = start
        while position < shard.entries.count && handed < budget && position - start < scanBatchMax {
            if let block = shard.entries[position].block, block.flags & EntryBlock.mayBecomeReapable != 0,
                let object = decode(block), object.isReapable(atMs: nowMs, graceMs: graceMs)
            {
                body(&shard, position, block, object)
                handed += 1
            }
            position += 1
        }
        return (handed, position - start, position < shard.entries.count ? position : nil)
    }

    public func close() throws(StorageError) {
        closed.store(true, ordering: .relaxed)
    }
}

/// A shard behind its lock; a class because `Mutex` cannot live in an array.
final class LockedShard: Sendable {
    let mutex = Mutex(MemoryShard())
}
