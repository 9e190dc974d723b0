import KVortexCore

extension MemoryEngine {
    /// Entries copied out of a shard per lock hold while scanning, so a scan never blocks writers long.
    static let scanBatchMax = 256

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool)
        throws(StorageError)
    {
        for shardIndex in 0..<shardCount {
            var next = 0
            while true {
                let (batch, resume) = copyBatch(shard: shardIndex, from: next) { key in
                    partitioning.partition(of: key) == partition
                }
                for (key, object) in batch where !body(key, object) { return }
                guard let resume else { break }
                next = resume
            }
        }
    }

    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        var removed = 0
        var visited = 0
        // Visit at most 4 × keysMax entries per call, so a sweep over many live keys stays bounded too.
        let visitsMax = max(1, keysMax * 4)
        while removed < keysMax && visited < visitsMax {
            let (shardIndex, start) = cursor()
            let (count, scanned, end) = sweepShard(shardIndex, from: start, nowMs: nowMs, budget: min(Self.scanBatchMax, keysMax - removed))
            removed += count
            visited += max(1, scanned)
            advanceCursor(shard: shardIndex, end: end)
        }
        return removed
    }
}
