import KVortexCore

extension MemoryEngine {
    /// Merges a replica's object into the stored one. When it supersedes what is stored (the usual
    /// case: a replica receiving the next version of a key), the stored clock is read from the entry's
    /// bytes and the incoming object stored as it is: the stored siblings are never decoded. Otherwise
    /// the full merge goes through `modify`.
    public func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        try merge(key, supersedes: { incoming.supersedes(encoded: $0, mode: mode) }, decoded: { incoming }, nowMs: nowMs,
                  mode: mode, siblingsMax: siblingsMax) { self.block(key: $0, object: incoming) }
    }

    /// As `merge(_:incoming:...)` for an object still encoded: a superseding one's bytes are copied
    /// into the entry as they are, so neither the stored nor the incoming object is ever decoded.
    public func merge(_ key: [UInt8], encoded incoming: EncodedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        try merge(key, supersedes: { incoming.supersedes(encoded: $0, mode: mode) }, decoded: { incoming.decoded() },
                  nowMs: nowMs, mode: mode, siblingsMax: siblingsMax) { self.block(key: $0, encoded: incoming) }
    }

    /// The shortcut under the shard's lock: stores `block(key)` when the key is absent or the incoming
    /// object `supersedes` the stored encoding; otherwise merges `decoded()` in full through `modify`.
    private func merge(_ key: [UInt8], supersedes: (UnsafeRawBufferPointer) -> Bool, decoded: () -> VersionedObject,
                       nowMs: UInt64, mode: ConflictMode, siblingsMax: Int,
                       block: (UnsafeRawBufferPointer) -> EntryBlock) throws(StorageError) -> ApplyOutcome {
        let stored = try withSlot(key) { shard, entry, raw, hash -> Bool in
            if let entry {
                guard supersedes(shard.entries[entry].block!.objectBytes) else { return false }
                assert(Self.decode(shard.entries[entry].block!)?.merging(decoded(), mode: mode, siblingsMax: siblingsMax)
                       == decoded(), "a superseding object is not what the merge gives")
            }
            store(block: block(raw), hash: hash, entry: entry, in: &shard)
            return true
        }
        guard stored else {
            let incoming = decoded()
            return try update(key, nowMs: nowMs) {
                VersionedObject.merge(incoming, into: &$0, mode: mode, siblingsMax: siblingsMax)
            }
        }
        evictIfOverBound()
        return ApplyOutcome()
    }
}
