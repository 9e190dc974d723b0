/// What a node reaped lately: for each key hash, the tombstone it forgot (docs/anti-entropy.md §4,
/// item 3): its clock, and its tombstone siblings (a dot and a timestamp each, no value).
///
/// A stale copy can arrive after every primary reaped (a hint held by a cut-off stand-in, a late
/// message, a leftover). An object whose clock the remembered clock descends holds nothing the delete
/// had not seen, so every merge path drops it. Anything else is merged as if the tombstone were still
/// stored, and writes apply to it likewise: so a replica that reaped computes exactly what one still
/// holding the tombstone computes (equal clocks keep meaning equal objects), and a new write mints a
/// dot past the tombstone's, which is never dropped.
///
/// Bounded in time (`memoryMs`), in entries (`entriesMax`) and in the value bytes of the expired siblings
/// it keeps (`valueBytesMax`; tombstones carry none): past a bound the oldest entries are forgotten and
/// counted. Entries are kept in the order they were remembered (a queue of key hashes beside the
/// map), so expiry and eviction never depend on a dictionary's order.
public struct ReapedMemory: Sendable {
    struct Entry: Sendable {
        var object: VersionedObject
        /// The bytes of its siblings' values (expired ones; a tombstone has none).
        var valueBytes: Int
        var rememberedAtMs: UInt64
        /// Which of the key's places in `order` is current (a key remembered again moves to the back).
        var sequence: UInt64
    }

    public let memoryMs: UInt64
    public let entriesMax: Int
    public let valueBytesMax: Int
    /// The value bytes of every entry, at most `valueBytesMax`.
    public private(set) var valueBytes = 0
    private var entries: [UInt64: Entry] = [:]
    /// Key hashes in the order remembered, with the sequence each was remembered under; places whose
    /// sequence is no longer the entry's are stale and skipped.
    private var order: [(keyHash: UInt64, sequence: UInt64)] = []
    private var head = 0
    private var nextSequence: UInt64 = 0
    /// Entries forgotten because the bound was reached (not by age).
    public private(set) var evictions: UInt64 = 0

    public init(memoryMs: UInt64, entriesMax: Int, valueBytesMax: Int = Limits.reapedMemoryValueBytesMaxDefault) {
        precondition(entriesMax >= 1, "entriesMax \(entriesMax) must be at least 1")
        precondition(valueBytesMax >= 0, "valueBytesMax \(valueBytesMax) must not be negative")
        self.memoryMs = memoryMs
        self.entriesMax = entriesMax
        self.valueBytesMax = valueBytesMax
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The remembered tombstone of `keyHash` at `nowMs`, or nil (never reaped, or remembered too long
    /// ago). Leaves the memory unchanged.
    public func object(for keyHash: UInt64, nowMs: UInt64) -> VersionedObject? {
        guard let entry = entries[keyHash], !isExpired(entry, nowMs: nowMs) else { return nil }
        return entry.object
    }

    /// The remembered tombstone's clock of `keyHash` at `nowMs`, or nil.
    public func clock(for keyHash: UInt64, nowMs: UInt64) -> VersionVector? {
        object(for: keyHash, nowMs: nowMs)?.clock
    }

    /// Remembers that `keyHash` was reaped holding `object` (tombstones, or expired values) at `nowMs`.
    /// A key remembered already keeps the merge of both: every dot either clock covers was a tombstone
    /// or superseded. Forgets the oldest entry when the bound is reached (counted in `evictions`).
    public mutating func remember(_ keyHash: UInt64, object: VersionedObject, nowMs: UInt64) {
        var merged = object
        if let old = entries[keyHash], !isExpired(old, nowMs: nowMs) {
            _ = merged.merge(old.object, mode: .siblings, siblingsMax: .max)
        }
        let bytes = merged.siblings.reduce(0) { $0 + ($1.value?.count ?? 0) }
        guard bytes <= valueBytesMax else {
            // Larger than the whole bound: not remembered (counted), as if forgotten at once.
            if let old = entries.removeValue(forKey: keyHash) { valueBytes -= old.valueBytes }
            evictions += 1
            return
        }
        if let old = entries.removeValue(forKey: keyHash) { valueBytes -= old.valueBytes }
        while !entries.isEmpty && (entries.count >= entriesMax || valueBytes + bytes > valueBytesMax) {
            forgetOldest()
            evictions += 1
        }
        entries[keyHash] = Entry(object: merged, valueBytes: bytes, rememberedAtMs: nowMs, sequence: nextSequence)
        valueBytes += bytes
        order.append((keyHash, nextSequence))
        nextSequence += 1
        precondition(entries.count <= entriesMax, "reaped memory holds \(entries.count), bound \(entriesMax)")
        precondition(valueBytes <= valueBytesMax, "reaped memory holds \(valueBytes) value bytes, bound \(valueBytesMax)")
        compactIfStale()
    }

    /// Forgets the entries remembered `memoryMs` or longer before `nowMs`, visiting at most
    /// `orderPlacesMax` places of the order (all it can hold). Not counted as evictions: that is
    /// their normal end.
    public mutating func expire(nowMs: UInt64) {
        var visited = 0
        while head < order.count && visited < orderPlacesMax {
            let (keyHash, sequence) = order[head]
            if let entry = entries[keyHash], entry.sequence == sequence {
                guard isExpired(entry, nowMs: nowMs) else { break }
                entries[keyHash] = nil
                valueBytes -= entry.valueBytes
            }
            head += 1
            visited += 1
        }
        compactIfStale()
    }

    private func isExpired(_ entry: Entry, nowMs: UInt64) -> Bool {
        let (endMs, overflow) = entry.rememberedAtMs.addingReportingOverflow(memoryMs)
        return !overflow && endMs <= nowMs
    }

    /// Removes the entry remembered longest ago.
    private mutating func forgetOldest() {
        while head < order.count {
            let (keyHash, sequence) = order[head]
            head += 1
            if let entry = entries[keyHash], entry.sequence == sequence {
                entries[keyHash] = nil
                valueBytes -= entry.valueBytes
                return
            }
        }
        preconditionFailure("reaped memory holds \(entries.count) entries and none in its order")
    }

    /// Places of `order` past `head` at most: twice the entries, plus slack so compaction is rare.
    private var orderPlacesMax: Int { 2 * entriesMax + 1_024 }

    /// Drops the places already passed, and stale places (keys remembered again) once they are more
    /// than `orderPlacesMax`, so `order` stays within about twice the bound.
    private mutating func compactIfStale() {
        if order.count - head > orderPlacesMax {
            let live = order[head...].filter { entries[$0.keyHash]?.sequence == $0.sequence }
            order = Array(live)
            head = 0
        } else if head > 1_024 && head > order.count / 2 {
            order.removeFirst(head)
            head = 0
        }
    }
}
