/// One shard of the memory engine: an open-addressing table (linear probing, backward-shift delete)
/// over an array of entries, and an exact least-recently-used order of those entries (`LRUList`).
/// Not thread-safe: the engine guards each shard with a `Mutex`.
struct MemoryShard: ~Copyable, Sendable {
    struct Entry: Sendable {
        var block: EntryBlock?
        /// The engine-wide use clock at the last access: compares recency across shards.
        var lastUse: UInt64 = 0
    }

    /// Slot: 0 empty, else `(hash >> 32) << 32 | (entry index + 1)`.
    private var slots: [UInt64]
    private(set) var entries: [Entry] = []
    private var freeEntries: [Int32] = []
    private(set) var count = 0
    private(set) var bytes = 0
    private var order = LRUList()

    static let slotsInitial = 64
    /// Grow when more than 3/4 of the slots are used.
    static func needsGrowth(count: Int, slots: Int) -> Bool { count * 4 >= slots * 3 }

    init() {
        slots = [UInt64](repeating: 0, count: Self.slotsInitial)
    }

    deinit {
        for entry in entries { entry.block?.free() }
    }

    /// Accounted bytes of a block: the block plus the entry and slot overhead.
    static func accountedBytes(_ block: EntryBlock) -> Int { block.totalBytes + 32 }

    var oldestUse: UInt64? { order.leastRecentlyUsed.map { entries[$0].lastUse } }

    /// The entry index holding `key`, or nil.
    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        let tag = hash >> 32
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let entry = Int(slot & 0xFFFF_FFFF) - 1
                if entries[entry].block!.keyEquals(key) { return entry }
            }
            index = (index + 1) & mask
        }
    }

    /// Adds a new key's block (the key must be absent); returns its entry index.
    mutating func insert(_ block: EntryBlock, hash: UInt64, use: UInt64) -> Int {
        if Self.needsGrowth(count: count + 1, slots: slots.count) { grow() }
        let entry: Int
        if let free = freeEntries.popLast() {
            entry = Int(free)
            entries[entry] = Entry(block: block)
        } else {
            entry = entries.count
            precondition(entry < Int(Int32.max), "shard entry index overflow")
            entries.append(Entry(block: block))
        }
        place(entry: entry, hash: hash)
        count += 1
        bytes += Self.accountedBytes(block)
        touch(entry, use: use)
        return entry
    }

    /// Swaps an entry's block for a new one (same key); frees the old.
    mutating func replace(_ entry: Int, with block: EntryBlock, use: UInt64) {
        let old = entries[entry].block!
        bytes += Self.accountedBytes(block) - Self.accountedBytes(old)
        entries[entry].block = block
        old.free()
        touch(entry, use: use)
    }

    /// Removes an entry and frees its block.
    mutating func remove(_ entry: Int, hash: UInt64) {
        let block = entries[entry].block!
        order.remove(entry)
        removeSlot(of: entry, hash: hash)
        bytes -= Self.accountedBytes(block)
        count -= 1
        block.free()
        entries[entry] = Entry()
        freeEntries.append(Int32(entry))
    }

    /// Marks an entry most recently used.
    mutating func touch(_ entry: Int, use: UInt64) {
        entries[entry].lastUse = use
        order.touch(entry)
    }

    /// The least recently used entry, or nil when empty.
    var leastRecentlyUsed: Int? { order.leastRecentlyUsed }

    private mutating func place(entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = (hash >> 32) << 32 | UInt64(entry + 1)
    }

    /// Linear-probing delete with backward shift, so no tombstones accumulate.
    private mutating func removeSlot(of entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while Int(slots[index] & 0xFFFF_FFFF) - 1 != entry { index = (index + 1) & mask }
        var hole = index
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: hashOfSlot(next)) & mask
            // Move the entry at `next` into the hole if the hole lies on its probe path.
            let distanceToHole = (hole - home) & mask
            let distanceToNext = (next - home) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    /// The full hash of the key in slot `index`, recomputed from the key (slots keep only 32 bits).
    private func hashOfSlot(_ index: Int) -> UInt64 {
        let entry = Int(slots[index] & 0xFFFF_FFFF) - 1
        return MemoryEngine.hash(entries[entry].block!.key)
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        for slot in old where slot != 0 {
            let entry = Int(slot & 0xFFFF_FFFF) - 1
            place(entry: entry, hash: MemoryEngine.hash(entries[entry].block!.key))
        }
    }
}
