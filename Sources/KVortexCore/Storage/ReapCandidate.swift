/// An object the grace made reapable (every sibling a tombstone, or expired, for the grace), as
/// `StorageEngine.reapCandidates` lists it: its key, clock and digest, not its values.
public struct ReapCandidate: Hashable, Sendable {
    public var key: [UInt8]
    public var clock: VersionVector
    public var digest: ObjectDigest

    public init(key: [UInt8], clock: VersionVector, digest: ObjectDigest) {
        self.key = key
        self.clock = clock
        self.digest = digest
    }

    public init(key: [UInt8], object: VersionedObject) {
        self.init(key: key, clock: object.clock, digest: ObjectDigest(object))
    }
}

extension StorageEngine {
    /// Removes `key` if its object still has `digest` (nothing was written or merged since it was
    /// listed) and is still reapable at `nowMs` after `graceMs`; returns the object removed, or nil
    /// when it removed nothing. The confirmed reap's one `modify`: a write that came in meanwhile is
    /// never lost.
    public func removeIfUnchanged(_ key: [UInt8], digest: ObjectDigest, nowMs: UInt64,
                                  graceMs: UInt64) throws(StorageError) -> VersionedObject? {
        try update(key, nowMs: nowMs) { stored -> VersionedObject? in
            guard let object = stored, ObjectDigest(object) == digest, object.isReapable(atMs: nowMs, graceMs: graceMs) else {
                return nil
            }
            stored = nil
            return object
        }
    }
}
