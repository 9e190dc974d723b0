import KVortexCore

extension SQLiteEngine {
    /// A rebuild's pass in key order: each call reads up to `keysMax` rows after the cursor's key (of
    /// every partition: the table has no index on the stable hash yet, docs/anti-entropy.md §3) under
    /// the engine's lock, and visits those of `partition`, digests read from the rows' encodings. The
    /// connection sees writes of the open transaction, as the observer was told of them.
    public func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                             _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        precondition(keysMax > 0, "keysMax \(keysMax) must be positive")
        let after: [UInt8]
        switch cursor {
        case .start: after = []
        case .afterKey(let key): after = key
        case .slot, .keys: preconditionFailure("cursor \(cursor) is not the SQLite engine's")
        }
        let result: Result<DigestCursor?, StorageError> = state.withLock { state in
            Result { () throws(StorageError) -> DigestCursor? in
                guard !state.closed else { throw .closed }
                let rows = try Self.rows(state.statements.scan, after: after, rowsMax: keysMax)
                for row in rows {
                    let keyHash = StableHash.hash64(row.key)
                    guard partitioning.partition(ofHash: keyHash) == partition else { continue }
                    visit(keyHash, try Self.digest(checking: row))
                }
                guard rows.count == keysMax, let last = rows.last else { return nil }
                return .afterKey(last.key)
            }
        }
        return try result.get()
    }

    /// The digest of a row read back from the file, which may be damaged: `.corrupt` then, never a trap.
    static func digest(checking row: Row) throws(StorageError) -> ObjectDigest {
        let digest = row.object.withUnsafeBytes { raw in
            Result { () throws(DecodeError) in try ObjectDigest(checkingEncoding: raw) }
        }
        switch digest {
        case .success(let digest): return digest
        case .failure(let error):
            throw .corrupt("sqlite object of a \(row.key.count)-byte key (\(row.object.count) bytes) does not decode: \(error)")
        }
    }
}
