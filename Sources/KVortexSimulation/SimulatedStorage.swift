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
    }

    private let contents = Mutex(Contents())
    let reapGraceMs: UInt64

    init(reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault) {
        self.reapGraceMs = reapGraceMs
    }

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        snapshot(key)
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        contents.withLock { contents in
            let number = contents.keys.insert(key)
            if number == contents.objects.count { contents.objects.append(nil) }
            let wasPresent = contents.objects[number] != nil
            // In place: a copy taken out of the array would make the transform copy the siblings.
            transform(&contents.objects[number])
            let isPresent = contents.objects[number] != nil
            if wasPresent != isPresent { contents.count += isPresent ? 1 : -1 }
        }
    }

    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        let all = contents.withLock { contents in
            contents.keys.keys.indices.compactMap { number in contents.objects[number].map { (key: contents.keys.keys[number], object: $0) } }
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (key, object) in all where partitioning.partition(of: key) == partition {
            guard body(key, object) else { return }
        }
    }

    func sweep(nowMs: UInt64, keysMax: Int) -> Int { 0 }

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
