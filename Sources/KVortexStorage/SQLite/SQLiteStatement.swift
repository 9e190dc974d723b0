import CSQLite
import KVortexCore

/// A prepared statement, reused for every call: bind, step, read columns, reset. Used under the
/// engine's lock, like its connection.
final class SQLiteStatement: @unchecked Sendable {
    private var statement: OpaquePointer?
    private unowned let connection: SQLiteConnection
    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes, so the array need not outlive the bind.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit {
        finalize()
    }

    /// Releases the statement; its connection does this before closing. Later steps throw `.closed`;
    /// binds and resets do nothing.
    func finalize() {
        sqlite3_finalize(statement)
        statement = nil
    }

    /// Binds bytes as a blob; an empty array binds the empty blob, not NULL.
    func bind(_ index: Int32, _ bytes: [UInt8]) {
        guard let statement else { return }
        _ = bytes.withUnsafeBytes { raw in
            sqlite3_bind_blob(statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    func bind(_ index: Int32, _ value: Int) {
        guard let statement else { return }
        sqlite3_bind_int64(statement, index, Int64(value))
    }

    /// Steps once: true when a row is ready, false when done.
    func step() throws(StorageError) -> Bool {
        guard let statement else { throw .closed }
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code, String(cString: sqlite3_sql(statement)))
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    func run() throws(StorageError) {
        defer { reset() }
        _ = try step()
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(statement, column))
    }

    /// Makes the statement ready to run again and drops its bindings (bound blobs are not kept alive).
    func reset() {
        guard let statement else { return }
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }
}
