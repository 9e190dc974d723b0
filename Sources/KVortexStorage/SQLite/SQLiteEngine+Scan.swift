import KVortexCore

extension SQLiteEngine {
    /// Rows read per lock hold while scanning.
    static let scanBatchMax = 256

    /// A stored row as read by a scan: key and encoded object.
    typealias Row = (key: [UInt8], object: [UInt8])

    public func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool)
        throws(StorageError)
    {
        var after: [UInt8] = []
        while true {
            let batch: Result<[Row], StorageError> = state.withLock { state in
                guard !state.closed else { return .failure(.closed) }
                return Result { () throws(StorageError) in try Self.rows(state.statements.scan, after: after, rowsMax: Self.scanBatchMax) }
            }
            let rows = try batch.get()
            for row in rows where partitioning.partition(of: row.key) == partition {
                guard body(row.key, try Self.decode(row.object, key: row.key)) else { return }
            }
            guard rows.count == Self.scanBatchMax, let last = rows.last else { return }
            after = last.key
        }
    }

    /// Lists up to `keysMax` objects reapable after `graceMs`, from the rows flagged `reapable`, at most
    /// `keysMax` rows per call, resuming after the last key read (a cursor of its own, `candidatesAfter`).
    public func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        state.withLock { state in
            guard !state.closed, keysMax > 0,
                  let rows = try? Self.rows(state.statements.reapable, after: state.candidatesAfter, rowsMax: keysMax)
            else { return [] }
            state.candidatesAfter = rows.count < keysMax ? [] : rows[rows.count - 1].key
            return rows.compactMap { row in
                guard let object = try? Self.decode(row.object, key: row.key), object.isReapable(atMs: nowMs, graceMs: graceMs)
                else { return nil }
                return ReapCandidate(key: row.key, object: object)
            }
        }
    }

    /// Deletes up to `keysMax` reapable objects. Reads only rows flagged `reapable` (a tombstone or a
    /// TTL), at most `keysMax` per call, resuming after the last key read, so candidates that are not
    /// reapable yet (a long TTL) do not hide the others. Rows that do not decode are left alone.
    public func sweep(nowMs: UInt64, keysMax: Int) -> Int {
        let grace = configuration.reapGraceMs
        return state.withLock { state in
            guard !state.closed, keysMax > 0,
                  let candidates = try? Self.rows(state.statements.reapable, after: state.sweepAfter, rowsMax: keysMax)
            else { return 0 }
            state.sweepAfter = candidates.count < keysMax ? [] : candidates[candidates.count - 1].key
            let reapable = candidates.filter { row in
                (try? Self.decode(row.object, key: row.key))?.isReapable(atMs: nowMs, graceMs: grace) == true
            }
            guard !reapable.isEmpty else { return 0 }
            let removed = (try? remove(reapable, in: &state)) ?? 0
            state.stats.reaped += removed
            return removed
        }
    }

    /// Deletes `rows` in one transaction: the shared one under `batch` (committed by the sync thread),
    /// its own otherwise, so a sweep under `always` costs one fsync rather than one per key.
    private func remove(_ rows: [Row], in state: inout State) throws(StorageError) -> Int {
        if syncer != nil {
            defer { requestCommit(in: state) }
            for (index, row) in rows.enumerated() {
                guard (try? write(row.key, nil, replacing: row.key.count + row.object.count, old: Self.digest(of: row),
                                  in: &state)) != nil else { return index }
            }
            return rows.count
        }
        try state.statements.begin.run()
        do throws(StorageError) {
            for row in rows {
                try write(row.key, nil, replacing: row.key.count + row.object.count, old: Self.digest(of: row), in: &state)
            }
            try commit(&state)
        } catch {
            if state.connection.isInTransaction { try? state.statements.rollback.run() }
            reportRolledBack()
            try? Self.recount(&state)
            throw error
        }
        return rows.count
    }

    /// The digest of a row's object, which decoded (the sweep checked it), read from its encoding.
    static func digest(of row: Row) -> ObjectDigest {
        row.object.withUnsafeBytes { ObjectDigest(encoding: $0) }
    }

    /// Up to `rowsMax` rows of `query` (binding a key to start after and a limit), in key order.
    static func rows(_ query: SQLiteStatement, after: [UInt8], rowsMax: Int) throws(StorageError) -> [Row] {
        defer { query.reset() }
        query.bind(1, after)
        query.bind(2, rowsMax)
        var rows: [Row] = []
        rows.reserveCapacity(min(rowsMax, 1_024))
        while try query.step() { rows.append((query.blob(0), query.blob(1))) }
        return rows
    }
}
