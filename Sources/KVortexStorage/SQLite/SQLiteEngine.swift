import Dispatch
import Glibc
import KVortexCore
import Synchronization

/// The SQLite engine (`--storage sqlite`): one table `objects(key, object, reapable)` in WAL mode,
/// prepared statements reused, every object in the same binary encoding as the other engines.
///
/// Under `batch`, writes join one open transaction that a sync thread commits (group commit; with
/// `synchronous=FULL` the commit fsyncs the WAL) before their callers are answered; under `always`
/// each write commits before `modify` returns; under `none` each write commits with
/// `synchronous=OFF`. One connection behind one lock: SQLite serialises writers anyway, and reads
/// are short. A commit holds the lock, so writers wait for the fsync of the batch before theirs.
public final class SQLiteEngine: StorageEngine {
    public struct Configuration: Sendable {
        public var path: String
        public var fsync: FsyncPolicy
        public var reapGraceMs: UInt64

        public init(path: String, fsync: FsyncPolicy = .batch, reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault) {
            self.path = path
            self.fsync = fsync
            self.reapGraceMs = reapGraceMs
        }
    }

    struct Statements {
        let select: SQLiteStatement
        let upsert: SQLiteStatement
        let delete: SQLiteStatement
        let scan: SQLiteStatement
        let reapable: SQLiteStatement
    }

    struct State {
        var connection: SQLiteConnection
        var statements: Statements
        var inTransaction = false
        /// Writes made so far; what group commit waits on.
        var position: UInt64 = 0
        var closed = false
        var stats = StorageStats()
    }

    public let configuration: Configuration
    let state: Mutex<State>
    private let syncer: SyncThread?

    public init(configuration: Configuration) throws(StorageError) {
        self.configuration = configuration
        let connection = try SQLiteConnection(path: configuration.path)
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=\(configuration.fsync == .none ? "OFF" : "FULL")")
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS objects(key BLOB PRIMARY KEY, object BLOB NOT NULL, reapable INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS reapable_keys ON objects(reapable) WHERE reapable = 1;
            """)
        let statements = Statements(
            select: try connection.prepare("SELECT object FROM objects WHERE key = ?1"),
            upsert: try connection.prepare("INSERT OR REPLACE INTO objects(key, object, reapable) VALUES (?1, ?2, ?3)"),
            delete: try connection.prepare("DELETE FROM objects WHERE key = ?1"),
            scan: try connection.prepare("SELECT key, object FROM objects WHERE key > ?1 ORDER BY key LIMIT ?2"),
            reapable: try connection.prepare("SELECT key, object FROM objects WHERE reapable = 1 LIMIT ?1"))
        let count = try connection.prepare("SELECT count(*), coalesce(sum(length(key) + length(object)), 0) FROM objects")
        var stats = StorageStats()
        if try count.step() { (stats.keyCount, stats.bytes) = (count.int(0), count.int(1)) }
        count.reset()
        state = Mutex(State(connection: connection, statements: statements, stats: stats))
        let reference = WeakSQLiteEngine()
        syncer = configuration.fsync != .batch ? nil : SyncThread {
            guard let engine = reference.engine else { return .success(.max) }
            return engine.state.withLock { state in
                Result { () throws(StorageError) in
                    if state.inTransaction {
                        try state.connection.execute("COMMIT")
                        state.inTransaction = false
                    }
                    return state.position
                }
            }
        }
        reference.engine = self
    }

    deinit {
        syncer?.stop()
    }

    public var defersDurability: Bool { syncer != nil }

    public var stats: StorageStats { state.withLock { $0.stats } }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        let grace = configuration.reapGraceMs
        let result: Result<VersionedObject?, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { throw .closed }
                guard let object = try Self.read(key, in: state) else { return nil }
                guard object.isReapable(atMs: nowMs, graceMs: grace) else { return object }
                try write(key, nil, in: &state)
                state.stats.reaped += 1
                return nil
            }
        }
        return try result.get()
    }

    /// Waits for durability (group commit under `batch`) before returning.
    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<StorageError?>(nil)
        try modify(key, nowMs: nowMs, transform) { error in
            failure.withLock { $0 = error }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        let written: Result<UInt64?, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { throw .closed }
                var object = try Self.read(key, in: state)
                let before = object
                transform(&object)
                guard object != before else { return nil }
                try write(key, object, in: &state)
                return state.position
            }
        }
        guard let position = try written.get(), let syncer else { return whenDurable(nil) }
        syncer.enqueue(position: position, whenDurable)
    }

    /// Stores or deletes one object; under `batch` inside the open transaction. Called locked.
    func write(_ key: [UInt8], _ object: VersionedObject?, in state: inout State) throws(StorageError) {
        if syncer != nil && !state.inTransaction {
            try state.connection.execute("BEGIN")
            state.inTransaction = true
        }
        let previous = try Self.storedBytes(key, in: state)
        if let object {
            let encoded = object.encoded()
            let statements = state.statements
            statements.upsert.bind(1, key)
            statements.upsert.bind(2, encoded)
            statements.upsert.bind(3, object.siblings.contains { $0.isTombstone || $0.expiryMs != nil } ? 1 : 0)
            try statements.upsert.run()
            if previous == nil { state.stats.keyCount += 1 }
            state.stats.bytes += key.count + encoded.count - (previous ?? 0)
        } else if let previous {
            state.statements.delete.bind(1, key)
            try state.statements.delete.run()
            state.stats.keyCount -= 1
            state.stats.bytes -= previous
        }
        state.position += 1
    }

    static func storedBytes(_ key: [UInt8], in state: State) throws(StorageError) -> Int? {
        let select = state.statements.select
        defer { select.reset() }
        select.bind(1, key)
        return try select.step() ? key.count + select.blob(0).count : nil
    }

    static func read(_ key: [UInt8], in state: State) throws(StorageError) -> VersionedObject? {
        let select = state.statements.select
        defer { select.reset() }
        select.bind(1, key)
        guard try select.step() else { return nil }
        return try decode(select.blob(0), key: key)
    }

    static func decode(_ bytes: [UInt8], key: [UInt8]) throws(StorageError) -> VersionedObject {
        do {
            return try VersionedObject(decoding: bytes)
        } catch {
            throw .corrupt("object of key \(key.count)-byte key does not decode: \(error)")
        }
    }

    public func close() throws(StorageError) {
        syncer?.stop()
        let result: Result<Void, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { return }
                state.closed = true
                if state.inTransaction { try state.connection.execute("COMMIT") }
                state.inTransaction = false
            }
        }
        try result.get()
    }
}

/// Lets the sync thread reach its engine without keeping it alive.
private final class WeakSQLiteEngine: @unchecked Sendable {
    weak var engine: SQLiteEngine?
}
