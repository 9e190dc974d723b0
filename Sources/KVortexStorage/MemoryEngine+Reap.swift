import KVortexCore

extension MemoryEngine {
    /// Lists up to `keysMax` objects reapable after `graceMs`, decoding only entries flagged as possibly
    /// reapable, from where the last call stopped; visits each entry at most once per call.
    public func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        var found: [ReapCandidate] = []
        let origin = candidatesCursor.withLock { $0 }
        while found.count < keysMax {
            let (shardIndex, start) = candidatesCursor.withLock { $0 }
            let end = candidates(shard: shardIndex, from: start, nowMs: nowMs, graceMs: graceMs,
                                 budget: keysMax - found.count, into: &found)
            candidatesCursor.withLock { (cursor: inout (shard: Int, entry: Int)) in
                if let end { cursor = (shardIndex, end) } else { cursor = ((shardIndex + 1) % shardCount, 0) }
            }
            if end == nil && shardIndex == (origin.shard + shardCount - 1) % shardCount { break }
        }
        return found
    }

    /// Appends the reapable objects of one shard from `start`, at most `budget`, scanning at most
    /// `scanBatchMax` entries under the lock; returns where to resume (nil when the shard is done).
    private func candidates(shard index: Int, from start: Int, nowMs: UInt64, graceMs: UInt64, budget: Int,
                            into found: inout [ReapCandidate]) -> Int? {
        shards[index].mutex.withLock { shard in
            Self.scanReapable(&shard, from: start, nowMs: nowMs, graceMs: graceMs, budget: budget) { _, _, block, object in
                found.append(ReapCandidate(key: Array(block.key), object: object))
            }.2
        }
    }
}
