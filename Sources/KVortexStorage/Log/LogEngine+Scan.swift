import KVortexCore

extension LogEngine {
    /// Keys read per lock hold while scanning.
    static let scanBatchMax = 256

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool)
        throws(StorageError)
    {
        let keys = state.withLock { $0.keydir.keys.compactMap { partitioning.partition(of: $0.bytes) == partition ? $0.bytes : nil } }
        for batch in stride(from: 0, to: keys.count, by: Self.scanBatchMax) {
            let slice = keys[batch..<min(keys.count, batch + Self.scanBatchMax)]
            let objects: Result<[([UInt8], VersionedObject)], StorageError> = state.withLock { state in
                Result { () throws(StorageError) in
                    var found: [([UInt8], VersionedObject)] = []
                    for key in slice {
                        if let object = try Self.read(key, in: state) { found.append((key, object)) }
                    }
                    return found
                }
            }
            for (key, object) in try objects.get() where !body(key, object) { return }
        }
    }

    /// Lists up to `keysMax` objects reapable after `graceMs`, reading only the sweep's candidate keys,
    /// at most `keysMax` of them per call, continuing where the last call (or sweep) stopped.
    public func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        state.withLock { state in
            guard !state.closed else { return [] }
            var found: [ReapCandidate] = []
            for key in state.reapCandidates.next(keysMax) {
                guard let object = try? Self.read(key, in: state), object.isReapable(atMs: nowMs, graceMs: graceMs) else { continue }
                found.append(ReapCandidate(key: key, object: object))
            }
            return found
        }
    }

    /// Appends removal records for up to `keysMax` reapable objects. Reads only keys whose object holds
    /// a tombstone or a TTL, at most `keysMax` of them per call, so a sweep stays short whatever the
    /// number of keys (it runs every second and holds the engine's lock).
    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        let grace = configuration.reapGraceMs
        return state.withLock { state in
            guard !state.closed else { return 0 }
            var removed = 0
            for key in state.reapCandidates.next(keysMax) {
                guard let object = try? Self.read(key, in: state) else { continue }
                guard object.isReapable(atMs: nowMs, graceMs: grace) else { continue }
                guard (try? append(key: key, old: object, object: nil, to: &state)) != nil else { break }
                state.stats.reaped += 1
                removed += 1
            }
            return removed
        }
    }
}
