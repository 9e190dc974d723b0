import CSQLite
import Testing

/// A second, independent connection to an engine's database file (tests only). It sees only
/// committed transactions: what a process restarted after `kill -9` would find.
final class RawSQLite {
    private var db: OpaquePointer?

    init(path: String) throws {
        try #require(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, "open \(path)")
    }

    deinit { sqlite3_close_v2(db) }

    /// Runs SQL that returns no rows; true when it succeeded.
    func execute(_ sql: String) -> Bool {
        sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK
    }

    /// Whether a committed row holds `key`.
    func contains(_ key: String) throws -> Bool {
        var statement: OpaquePointer?
        try #require(sqlite3_prepare_v2(db, "SELECT 1 FROM objects WHERE key = ?1", -1, &statement, nil) == SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        let bytes = Array(key.utf8)
        _ = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, 1, $0.baseAddress, Int32($0.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self)) }
        let code = sqlite3_step(statement)
        try #require(code == SQLITE_ROW || code == SQLITE_DONE, "step: \(code)")
        return code == SQLITE_ROW
    }
}
