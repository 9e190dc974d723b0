extension StorageEngine {
    /// The default pass: lists the partition's keys with `forEach` on the first call, then visits each
    /// under its lock through a `modify` that changes nothing. Correct for any engine whose `modify`
    /// holds the key's lock (the protocol's rule); slow (an object decoded per key), so the engines
    /// override it. The listing holds every key present throughout the pass.
    public func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                             _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        precondition(keysMax > 0, "keysMax \(keysMax) must be positive")
        var remaining: ArraySlice<[UInt8]>
        switch cursor {
        case .start:
            var keys: [[UInt8]] = []
            try forEach(partition: partition, of: partitioning) { key, _ in keys.append(key); return true }
            remaining = keys[...]
        case .keys(let keys):
            remaining = keys
        case .slot, .afterKey:
            preconditionFailure("cursor \(cursor) is not the default pass's")
        }
        for key in remaining.prefix(keysMax) {
            try modify(key, nowMs: 0) { stored in
                if let stored { visit(StableHash.hash64(key), ObjectDigest(stored)) }
            }
        }
        remaining = remaining.dropFirst(keysMax)
        return remaining.isEmpty ? nil : .keys(remaining)
    }
}
