import KVortexCore

extension MemoryEngine {
    /// Merges a replica's object into the stored one. When it supersedes what is stored (the usual
    /// case: a replica receiving the next version of a key), the stored clock is read from the entry's
    /// bytes and the incoming object stored as it is: the stored siblings are never decoded. Otherwise
    /// the full merge goes through `modify`.
    public func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        guard !closed.load(ordering: .relaxed) else { throw .closed }
        let superseded = key.withUnsafeBytes { raw in
            let hash = Self.hash(raw)
            return shards[shardIndex(hash)].mutex.withLock { shard -> Bool in
                guard let entry = shard.find(raw, hash: hash),
                    incoming.supersedes(encoded: shard.entries[entry].block!.objectBytes, mode: mode)
                else { return false }
                assert(Self.decode(shard.entries[entry].block!)?.merging(incoming, mode: mode, siblingsMax: siblingsMax)
                       == incoming, "a superseding object is not what the merge gives")
                store(incoming, key: raw, hash: hash, entry: entry, in: &shard)
                return true
            }
        }
        guard superseded else {
            return try update(key, nowMs: nowMs) {
                VersionedObject.merge(incoming, into: &$0, mode: mode, siblingsMax: siblingsMax)
            }
        }
        evictIfOverBound()
        return ApplyOutcome()
    }
}
