import KVortexCore

extension MemoryEngine {
    /// Entries copied out of a shard per lock hold while scanning, so a scan never blocks writers long.
    static let scanBatchMax = 256

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool)
        throws(StorageError)
    {
        for shardIndex in 0..<shardCount where mayHold(partition, of: partitioning, shard: shardIndex) {
            var next = 0
            while true {
                let (batch, resume) = copyBatch(shard: shardIndex, from: next) { key in
                    partitioning.partition(ofHash: StableHash.hash64(key)) == partition
                }
                for (key, object) in batch where !body(key, object) { return }
                guard let resume else { break }
                next = resume
            }
        }
    }

    /// False when no key of `partition` can lie in `shard`. Shards and partitions both take the top
    /// bits of the key's hash, so with 64 shards and 256 partitions a partition lies in one shard:
    /// a handoff scan of one partition visits 1/64 of the keys, not all of them.
    func mayHold(_ partition: Int, of partitioning: Partitioning, shard: Int) -> Bool {
        guard shardCount > 1 else { return true }
        let shardBits = UInt64(shardCount.trailingZeroBitCount)
        let lowest = UInt64(shard) << (64 - shardBits)
        let highest = lowest | (UInt64.max >> shardBits)
        return (partitioning.partition(ofHash: lowest)...partitioning.partition(ofHash: highest)).contains(partition)
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
