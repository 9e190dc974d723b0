import KVortexCore

extension MemoryEngine {
    /// A rebuild's pass over the shards that may hold `partition` (`mayHold`), entry by entry: an entry
    /// keeps its index while its key is present, so a key present throughout the pass is reached once.
    /// Digests are read from the blocks' encodings under the shard's lock, at most `scanBatchMax`
    /// entries per lock hold and `keysMax` entries (of any partition in the shard) per call.
    public func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                             _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        precondition(keysMax > 0, "keysMax \(keysMax) must be positive")
        guard !closed.load(ordering: .relaxed) else { throw .closed }
        var position: (shard: Int, entry: Int)
        switch cursor {
        case .start: position = (0, 0)
        case .slot(let shard, let entry): position = (shard, entry)
        case .afterKey, .keys: preconditionFailure("cursor \(cursor) is not the memory engine's")
        }
        var examined = 0
        while examined < keysMax {
            while position.shard < shardCount && !mayHold(partition, of: partitioning, shard: position.shard) {
                position = (position.shard + 1, 0)
            }
            guard position.shard < shardCount else { return nil }
            let budget = min(Self.scanBatchMax, keysMax - examined)
            let (count, resume) = visitShard(position.shard, from: position.entry, entriesMax: budget, partition: partition,
                                             of: partitioning, visit)
            examined += count
            position = resume.map { (position.shard, $0) } ?? (position.shard + 1, 0)
        }
        return position.shard < shardCount ? .slot(table: position.shard, index: position.entry) : nil
    }

    /// Visits the entries of `partition` among up to `entriesMax` entries of one shard from `start`,
    /// under its lock; returns the entries examined and where to resume (nil when the shard is done).
    private func visitShard(_ index: Int, from start: Int, entriesMax: Int, partition: Int, of partitioning: Partitioning,
                            _ visit: (UInt64, ObjectDigest) -> Void) -> (Int, Int?) {
        shards[index].mutex.withLock { shard in
            var position = start
            while position < shard.entries.count && position - start < entriesMax {
                if let block = shard.entries[position].block {
                    let keyHash = Self.hash(block.key)
                    if partitioning.partition(ofHash: keyHash) == partition { visit(keyHash, Self.digest(of: block)) }
                }
                position += 1
            }
            return (position - start, position < shard.entries.count ? position : nil)
        }
    }
}
