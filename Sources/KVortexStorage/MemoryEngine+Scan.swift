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

    /// Visits each entry at most once per call (it stops when the cursor comes round to where it
    /// began), and decodes only entries flagged as possibly reapable.
    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        var removed = 0
        let origin = cursor()
        var wrapped = false
        while removed < keysMax {
            let (shardIndex, start) = cursor()
            let (count, _, end) = sweepShard(shardIndex, from: start, nowMs: nowMs,
                                             budget: min(Self.scanBatchMax, keysMax - removed))
            removed += count
            advanceCursor(shard: shardIndex, end: end)
            if end == nil && shardIndex == (origin.shard + shardCount - 1) % shardCount { wrapped = true }
            if wrapped { break }
        }
        return removed
    }
}
