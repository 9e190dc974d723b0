import KVortexCore
import Synchronization

/// A plain in-memory `StorageEngine` for simulated nodes: a dictionary behind a lock. Simple on
/// purpose, so the simulator tests the node and not an engine.
final class SimulatedStorage: StorageEngine {
    private let objects = Mutex<[[UInt8]: VersionedObject]>([:])
    let reapGraceMs: UInt64

    init(reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault) {
        self.reapGraceMs = reapGraceMs
    }

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        objects.withLock { $0[key] }
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        // In place: a copy taken out of the dictionary would make the transform copy the siblings.
        objects.withLock { transform(&$0[key]) }
    }

    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        let all = objects.withLock { $0 }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (key, object) in all where partitioning.partition(of: key) == partition {
            guard body(key, object) else { return }
        }
    }

    func sweep(nowMs: UInt64, keysMax: Int) -> Int { 0 }

    var stats: StorageStats {
        var stats = StorageStats()
        stats.keyCount = objects.withLock { $0.count }
        return stats
    }

    func close() throws(StorageError) {}

    /// The object as stored, for the checkers (no reaping, no side effects).
    func snapshot(_ key: [UInt8]) -> VersionedObject? {
        objects.withLock { $0[key] }
    }
}
