import KVortexCore

extension SQLiteEngine {
    /// Rows read per lock hold while scanning.
    static let scanBatchMax = 256

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool)
        throws(StorageError)
    {
        var after: [UInt8] = []
        while true {
            let batch: Result<[([UInt8], [UInt8])], StorageError> = state.withLock { state in
                Result { () throws(StorageError) in
                    guard !state.closed else { throw .closed }
                    let scan = state.statements.scan
                    defer { scan.reset() }
                    scan.bind(1, after)
                    scan.bind(2, Self.scanBatchMax)
                    var rows: [([UInt8], [UInt8])] = []
                    while try scan.step() { rows.append((scan.blob(0), scan.blob(1))) }
                    return rows
                }
            }
            let rows = try batch.get()
            for (key, bytes) in rows where partitioning.partition(of: key) == partition {
                guard body(key, try Self.decode(bytes, key: key)) else { return }
            }
            guard rows.count == Self.scanBatchMax, let last = rows.last else { return }
            after = last.0
        }
    }

    /// Deletes up to `keysMax` reapable objects, reading only rows marked as possibly reapable.
    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        let grace = configuration.reapGraceMs
        return state.withLock { state in
            guard !state.closed else { return 0 }
            let candidates = state.statements.reapable
            candidates.bind(1, keysMax)
            var reapable: [[UInt8]] = []
            while (try? candidates.step()) == true {
                let key = candidates.blob(0)
                if let object = try? Self.decode(candidates.blob(1), key: key), object.isReapable(atMs: nowMs, graceMs: grace) {
                    reapable.append(key)
                }
            }
            candidates.reset()
            var removed = 0
            for key in reapable {
                guard (try? write(key, nil, in: &state)) != nil else { break }
                state.stats.reaped += 1
                removed += 1
            }
            return removed
        }
    }
}
