import KVortexCore

extension MemoryEngine {
    /// Merges a replica's object into the stored one. When it supersedes what is stored (the usual
    /// case: a replica receiving the next version of a key), the stored clock is read from the entry's
    /// bytes and the incoming object stored as it is: the stored siblings are never decoded.
    public func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        guard !closed.load(ordering: .relaxed) else { throw .closed }
        let outcome = key.withUnsafeBytes { raw in
            let hash = Self.hash(raw)
            return shards[shardIndex(hash)].mutex.withLock { shard -> ApplyOutcome in
                let entry = shard.find(raw, hash: hash)
                if let entry, incoming.supersedes(encoded: shard.entries[entry].block!.objectBytes, mode: mode) {
                    assert(Self.decode(shard.entries[entry].block!)?.merging(incoming, mode: mode, siblingsMax: siblingsMax)
                           == incoming, "a superseding object is not what the merge gives")
                    store(incoming, key: raw, hash: hash, entry: entry, in: &shard)
                    return ApplyOutcome()
                }
                var object = entry.flatMap { Self.decode(shard.entries[$0].block!) }
                let outcome = VersionedObject.merge(incoming, into: &object, mode: mode, siblingsMax: siblingsMax)
                store(object, key: raw, hash: hash, entry: entry, in: &shard)
                return outcome
            }
        }
        evictIfOverBound()
        return outcome
    }
}
