import CSQLite
import KVortexCore

/// One SQLite database connection and the statements prepared on it. Not thread-safe: the engine
/// holds it under its lock.
final class SQLiteConnection: @unchecked Sendable {
    let path: String
    private var handle: OpaquePointer?
    /// Every statement prepared here, finalized by `close` (SQLite cannot close a connection with
    /// live statements).
    private var statements: [SQLiteStatement] = []

    init(path: String) throws(StorageError) {
        self.path = path
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        handle = db
        guard code == SQLITE_OK else {
            let failure = error(code, "open")
            close()
            throw failure
        }
    }

    deinit {
        close()
    }

    /// Finalizes every statement and closes the file; a `kvortex.sqlite-wal` left by the last
    /// connection is checkpointed and removed. Does not commit: an open transaction is rolled back.
    func close() {
        for statement in statements { statement.finalize() }
        statements = []
        guard let handle else { return }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// True inside BEGIN ... COMMIT. Read from SQLite, not remembered: SQLite rolls a transaction back
    /// by itself on some errors (SQLITE_FULL, SQLITE_IOERR).
    var isInTransaction: Bool {
        handle.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// Runs SQL without results, once (schema, pragmas).
    func execute(_ sql: String) throws(StorageError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, sql) }
    }

    /// Prepares `sql` to be run many times (`SQLITE_PREPARE_PERSISTENT`).
    func prepare(_ sql: String) throws(StorageError) -> SQLiteStatement {
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard code == SQLITE_OK, let prepared else { throw error(code, sql) }
        let statement = SQLiteStatement(prepared, connection: self)
        statements.append(statement)
        return statement
    }

    /// The error of a failed call, with SQLite's message: `.corrupt` when SQLite finds the file
    /// damaged or not a database, `.io` otherwise (the result code in `errno`).
    func error(_ code: Int32, _ what: String) -> StorageError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        switch code & 0xFF {
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt("sqlite \(what) on \(path): \(message)")
        default: return .io(operation: "sqlite \(what) on \(path): \(message)", errno: code)
        }
    }
}
