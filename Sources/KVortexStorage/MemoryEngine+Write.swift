import KVortexCore

extension MemoryEngine {
    /// A client write applied to the entry's encoding as it is (`EncodedObject.applyingWrite`): the
    /// stored siblings are copied as bytes, never decoded. Debug builds check the result against
    /// decoding, applying and encoding.
    public func write(_ key: [UInt8], _ request: WriteRequest, actor: ActorID, timestamp: HybridTimestamp,
                      nowMs: UInt64, mode: ConflictMode, siblingsMax: Int) throws(StorageError) -> StoredWrite {
        let written = try withSlot(key) { shard, entry, raw, hash -> EncodedWrite in
            let stored = entry.map { shard.entries[$0].block!.objectBytes }
            let written = EncodedObject.applyingWrite(request, toStored: stored, actor: actor, timestamp: timestamp,
                                                      mode: mode, siblingsMax: siblingsMax)
            assert(Self.checkedAgainstDecoding(written, request, stored: stored, actor: actor, timestamp: timestamp,
                                               mode: mode, siblingsMax: siblingsMax))
            store(block: block(key: raw, encoded: written.object), hash: hash, entry: entry, in: &shard)
            return written
        }
        evictIfOverBound()
        return StoredWrite(object: .encoded(written.object), context: written.context, outcome: written.outcome)
    }

    /// True when `written` is what decoding `stored`, applying the write and encoding give.
    private static func checkedAgainstDecoding(
        _ written: EncodedWrite, _ request: WriteRequest, stored: UnsafeRawBufferPointer?, actor: ActorID,
        timestamp: HybridTimestamp, mode: ConflictMode, siblingsMax: Int
    ) -> Bool {
        var object = stored.map { try! VersionedObject(decoding: $0) } ?? VersionedObject()
        let outcome = object.applyWrite(request, actor: actor, timestamp: timestamp, mode: mode, siblingsMax: siblingsMax)
        return written.object.bytes == object.encoded() && written.outcome == outcome
            && written.context == WriteContext(of: object) && written.object.mayBecomeReapable == object.mayBecomeReapable
    }
}
