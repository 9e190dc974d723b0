import KVortexCore
import Synchronization

/// A plain in-memory `StorageEngine` for simulated nodes: objects by key number behind a lock. Simple
/// on purpose, so the simulator tests the node and not an engine.
final class SimulatedStorage: StorageEngine {
    /// The keys ever stored and their objects, nil for a key removed since.
    private struct Contents {
        var keys = KeyTable()
        var objects: [VersionedObject?] = []
        var count = 0
        /// The partition of each key by number, under `partitioning`, for the keys numbered so far
        /// (`cachePartitions`): a partition scan reads it instead of hashing every key again.
        var partitions: [Int] = []
        var partitioning: Partitioning?
        /// Where `reapCandidates` resumes, by key number.
        var candidatesCursor = 0

        /// Extends `partitions` to every key numbered, under `partitioning` (all again if it changed).
        mutating func cachePartitions(of partitioning: Partitioning) {
            if self.partitioning != partitioning {
                self.partitioning = partitioning
                partitions.removeAll(keepingCapacity: true)
            }
            while partitions.count < keys.keys.count { partitions.append(partitioning.partition(of: keys.keys[partitions.count])) }
        }

        /// The number of `key`, given it (and an empty object slot) when it is new.
        mutating func number(of key: [UInt8]) -> Int {
            let number = keys.insert(key)
            if number == objects.count { objects.append(nil) }
            return number
        }
    }

    private let contents = Mutex(Contents())
    /// The grace after which the storage reaps on its own (in `get` and `sweep`), as the engines do;
    /// nil for never (scenarios without reaping).
    let reapGraceMs: UInt64?
    /// Told of every change under the lock (anti-entropy's trees); nil when anti-entropy is off.
    let observer: (any ObjectChangeObserver)?

    init(reapGraceMs: UInt64? = nil, changeObserver: (any ObjectChangeObserver)? = nil) {
        self.reapGraceMs = reapGraceMs
        observer = changeObserver
    }

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        guard let grace = reapGraceMs else { return snapshot(key) }
        return withObject(key) { stored in
            if let object = stored, object.isReapable(atMs: nowMs, graceMs: grace) { stored = nil }
            return stored
        }
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        withObject(key, transform)
    }

    /// Applies a client write to the stored object in place under the lock. The protocol's default
    /// copies the stored object before the write rule changes it, so its siblings were copied on
    /// every write, and goes through an optional result.
    func write(_ key: [UInt8], _ request: WriteRequest, actor: ActorID, timestamp: HybridTimestamp, nowMs: UInt64,
               mode: ConflictMode, siblingsMax: Int) throws(StorageError) -> StoredWrite {
        contents.withLock { contents in
            let number = contents.number(of: key)
            if contents.objects[number] == nil { contents.count += 1 }
            let old = observer == nil ? nil : contents.objects[number].map(ObjectDigest.init)
            var object = contents.objects[number].take() ?? VersionedObject()
            let outcome = object.applyWrite(request, actor: actor, timestamp: timestamp, mode: mode, siblingsMax: siblingsMax)
            contents.objects[number] = object
            observer?.replaced(keyHash: StableHash.hash64(key), old: old, new: ObjectDigest(object))
            return StoredWrite(object: .decoded(object), context: WriteContext(of: object), outcome: outcome)
        }
    }

    /// Merges a replica's object under the lock: stores it as it is when it supersedes the stored one
    /// (`VersionedObject+Supersede`), as the engines do, and merges in full otherwise. The protocol's
    /// default goes through `update`, whose closure is not specialised: it looked up `Optional`
    /// metadata at run time on every merge (about 500 instructions, 2 % of a run).
    func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
               siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        withObject(key) { stored in
            if let clock = stored?.clock, incoming.supersedes(clock: clock, mode: mode) {
                assert(stored!.merging(incoming, mode: mode, siblingsMax: siblingsMax) == incoming,
                       "a superseding object is not what the merge gives")
                stored = incoming
                return ApplyOutcome()
            }
            return VersionedObject.merge(incoming, into: &stored, mode: mode, siblingsMax: siblingsMax)
        }
    }

    /// Lets `body` change the object of `key` (nil when absent; setting nil removes it) in place
    /// under the lock, and keeps the count of keys present.
    private func withObject<Result>(_ key: [UInt8], _ body: (inout VersionedObject?) -> Result) -> Result {
        contents.withLock { contents in
            let number = contents.number(of: key)
            let wasPresent = contents.objects[number] != nil
            let old = observer == nil ? nil : contents.objects[number].map(ObjectDigest.init)
            // In place: a copy taken out of the array would make the transform copy the siblings.
            let result = body(&contents.objects[number])
            let isPresent = contents.objects[number] != nil
            if wasPresent != isPresent { contents.count += isPresent ? 1 : -1 }
            observer?.replaced(keyHash: StableHash.hash64(key), old: old, new: contents.objects[number].map(ObjectDigest.init))
            return result
        }
    }

    /// The objects of `partition`, in key order. Only they are copied out and sorted: ownership
    /// transfers scan every partition a node held after each ring change (and again after a failed
    /// delivery), and copying and sorting every object per scan was half of a run with a leave.
    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        let matching = contents.withLock { contents in
            contents.cachePartitions(of: partitioning)
            var matching: [(key: [UInt8], object: VersionedObject)] = []
            for number in contents.partitions.indices where contents.partitions[number] == partition {
                if let object = contents.objects[number] { matching.append((contents.keys.keys[number], object)) }
            }
            return matching
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (key, object) in matching {
            guard body(key, object) else { return }
        }
    }

    /// Removes up to `keysMax` objects reapable after the storage's own grace (`reapGraceMs`; nil:
    /// never, the default, so scenarios without reaping stay as they were), in key-number order.
    func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        guard let grace = reapGraceMs else { return 0 }
        return contents.withLock { contents in
            var removed = 0
            for number in contents.objects.indices where removed < keysMax {
                guard let object = contents.objects[number], object.isReapable(atMs: nowMs, graceMs: grace) else { continue }
                contents.objects[number] = nil
                contents.count -= 1
                removed += 1
                observer?.replaced(keyHash: StableHash.hash64(contents.keys.keys[number]), old: ObjectDigest(object), new: nil)
            }
            return removed
        }
    }

    /// Up to `keysMax` objects reapable after `graceMs`, in key-number order from where the last call
    /// stopped (a rotating cursor, so deferred candidates do not hide the others). Deterministic.
    func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        contents.withLock { contents in
            var found: [ReapCandidate] = []
            let total = contents.objects.count
            guard total > 0 else { return [] }
            var visited = 0
            var number = contents.candidatesCursor % total
            while visited < total && found.count < keysMax {
                if let object = contents.objects[number], object.isReapable(atMs: nowMs, graceMs: graceMs) {
                    found.append(ReapCandidate(key: contents.keys.keys[number], object: object))
                }
                number = (number + 1) % total
                visited += 1
            }
            contents.candidatesCursor = number
            return found
        }
    }

    /// A rebuild's pass in key-number order (a key keeps its number for good), under the lock per batch.
    func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                      _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        precondition(keysMax > 0, "keysMax \(keysMax) must be positive")
        let start: Int
        switch cursor {
        case .start: start = 0
        case .slot(table: 0, let index): start = index
        case .slot, .afterKey, .keys: preconditionFailure("cursor \(cursor) is not the simulated storage's")
        }
        return contents.withLock { contents -> DigestCursor? in
            contents.cachePartitions(of: partitioning)
            let end = min(contents.objects.count, start + keysMax)
            for number in start..<end where contents.partitions[number] == partition {
                guard let object = contents.objects[number] else { continue }
                visit(StableHash.hash64(contents.keys.keys[number]), ObjectDigest(object))
            }
            return end < contents.objects.count ? .slot(table: 0, index: end) : nil
        }
    }

    var stats: StorageStats {
        var stats = StorageStats()
        stats.keyCount = contents.withLock { $0.count }
        return stats
    }

    func close() throws(StorageError) {}

    /// The object as stored, for the checkers (no reaping, no side effects).
    func snapshot(_ key: [UInt8]) -> VersionedObject? {
        contents.withLock { contents in contents.keys.number(of: key).flatMap { contents.objects[$0] } }
    }
}
