import KVortexCore

/// Writes, commits and what a failed one undoes. Everything here is called with the state locked.
extension SQLiteEngine {
    /// Stores or deletes one object; under `batch` inside the shared transaction, begun here when none
    /// is open. `replacing` is the stored size of the key's row (key and object bytes), nil if absent;
    /// `old` the digest of its object, evaluated only for the observer, which is told once the
    /// statement succeeded (a statement that fails changes nothing; a rollback of reported changes
    /// calls `changesLost`).
    func write(_ key: [UInt8], _ object: VersionedObject?, replacing previousBytes: Int?, old: @autoclosure () -> ObjectDigest?,
               in state: inout State) throws(StorageError)
    {
        let wasInTransaction = syncer != nil && state.connection.isInTransaction
        do throws(StorageError) {
            if syncer != nil && !wasInTransaction { try state.statements.begin.run() }
            try store(key, object, replacing: previousBytes, in: &state)
        } catch {
            noteFailure(error, hadTransaction: wasInTransaction, in: &state)
            throw error
        }
        guard let observer = configuration.changeObserver else { return }
        observer.replaced(keyHash: StableHash.hash64(key), old: old(), new: object.map(ObjectDigest.init))
    }

    /// Changes reported to the observer were undone by a rollback: every tree is unbuilt until rebuilt.
    func reportRolledBack() {
        configuration.changeObserver?.changesLost()
    }

    private func store(_ key: [UInt8], _ object: VersionedObject?, replacing previousBytes: Int?, in state: inout State)
        throws(StorageError)
    {
        let statements = state.statements
        if let object {
            let encoded = object.encoded()
            statements.upsert.bind(1, key)
            statements.upsert.bind(2, encoded)
            statements.upsert.bind(3, object.mayBecomeReapable ? 1 : 0)
            try statements.upsert.run()
            if previousBytes == nil { state.stats.keyCount += 1 }
            state.stats.bytes += key.count + encoded.count - (previousBytes ?? 0)
        } else if let previousBytes {
            statements.delete.bind(1, key)
            try statements.delete.run()
            state.stats.keyCount -= 1
            state.stats.bytes -= previousBytes
        }
        state.position += 1
    }

    /// After a failed statement: if SQLite rolled back the shared transaction by itself (it does on
    /// SQLITE_FULL and SQLITE_IOERR), the writes waiting in it are gone; the next commit reports
    /// that to them, and the counts are read again. Otherwise only the failed statement was undone.
    func noteFailure(_ error: StorageError, hadTransaction: Bool, in state: inout State) {
        guard hadTransaction, !state.connection.isInTransaction else { return }
        state.rolledBack = state.rolledBack ?? error
        reportRolledBack()
        try? Self.recount(&state)
    }

    /// Group commit (the sync thread's call under `batch`): commits the shared transaction and returns
    /// the last write position it covers, or the failure every write then waiting must get.
    func commitWaiting() -> Result<UInt64, StorageError> {
        state.withLock { state in
            guard !state.closed else { return .failure(.closed) }
            let rolledBack = state.rolledBack
            state.rolledBack = nil
            do throws(StorageError) {
                try commit(&state)
            } catch {
                return .failure(error)
            }
            // Writes committed now share the failure with those rolled back: they may be retried, never lost.
            if let rolledBack { return .failure(rolledBack) }
            return .success(state.position)
        }
    }

    /// Commits the open transaction, if any. When COMMIT fails the transaction is rolled back, so
    /// the connection is left usable, and the counts are read again.
    func commit(_ state: inout State) throws(StorageError) {
        guard state.connection.isInTransaction else { return }
        do throws(StorageError) {
            try state.statements.commit.run()
        } catch {
            if state.connection.isInTransaction { try? state.statements.rollback.run() }
            reportRolledBack()
            try? Self.recount(&state)
            throw error
        }
    }

    /// Asks the sync thread to commit a write no caller waits for (a reap), so it does not sit in
    /// the open transaction until the next write.
    func requestCommit(in state: State) {
        guard let syncer, state.connection.isInTransaction else { return }
        syncer.enqueue(position: state.position) { _ in }
    }

    /// Sets `keyCount` and `bytes` from the table (at open, and after a rollback).
    static func recount(_ state: inout State) throws(StorageError) {
        let count = state.statements.count
        defer { count.reset() }
        guard try count.step() else { return }
        (state.stats.keyCount, state.stats.bytes) = (count.int(0), count.int(1))
    }

    /// The object of `key` and its row's size (key and object bytes), or nil.
    static func read(_ key: [UInt8], in state: State) throws(StorageError) -> (object: VersionedObject, bytes: Int)? {
        let select = state.statements.select
        defer { select.reset() }
        select.bind(1, key)
        guard try select.step() else { return nil }
        let bytes = select.blob(0)
        return (try decode(bytes, key: key), key.count + bytes.count)
    }

    /// Decodes a stored object; one that does not decode is `.corrupt`, never a trap.
    static func decode(_ bytes: [UInt8], key: [UInt8]) throws(StorageError) -> VersionedObject {
        do {
            return try VersionedObject(decoding: bytes)
        } catch {
            throw .corrupt("sqlite object of a \(key.count)-byte key (\(bytes.count) bytes) does not decode: \(error)")
        }
    }
}
