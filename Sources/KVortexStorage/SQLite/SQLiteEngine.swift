import KVortexCore
import Synchronization

/// The SQLite engine (`--storage sqlite`): one table `objects(key, object, reapable)` in WAL mode,
/// prepared statements reused, every object in the same binary encoding as the other engines.
///
/// `synchronous=FULL` under `always` and `batch`: in WAL mode NORMAL does not fsync at commit, so an
/// acknowledged write could be lost with the power. Under `batch`, writes join one open transaction
/// that a sync thread commits (group commit) before their callers are answered; under `always` each
/// write commits before `modify` returns; under `none` each write commits at once with
/// `synchronous=OFF`, so a process crash keeps it (the WAL is in the kernel) and a machine crash may not.
///
/// One connection behind one lock, which is what makes read-modify-write atomic per key: SQLite
/// serialises writers anyway, and reads are short. A commit holds the lock, so writers wait for the
/// batch's fsync before theirs joins the next one.
public final class SQLiteEngine: StorageEngine {
    public struct Configuration: Sendable {
        public var path: String
        public var fsync: FsyncPolicy
        public var reapGraceMs: UInt64
        /// Told of every change (anti-entropy's trees, `PartitionTrees`); nil when anti-entropy is off.
        /// Opened with data, the engine calls its `changesLost` at once (an earlier process's writes were
        /// never reported), and again whenever a transaction whose changes it reported is rolled back.
        public var changeObserver: (any ObjectChangeObserver)?

        public init(path: String, fsync: FsyncPolicy = .batch, reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault,
                    changeObserver: (any ObjectChangeObserver)? = nil) {
            self.path = path
            self.fsync = fsync
            self.reapGraceMs = reapGraceMs
            self.changeObserver = changeObserver
        }
    }

    struct Statements {
        let select: SQLiteStatement
        let upsert: SQLiteStatement
        let delete: SQLiteStatement
        let scan: SQLiteStatement
        let reapable: SQLiteStatement
        let count: SQLiteStatement
        let begin: SQLiteStatement
        let commit: SQLiteStatement
        let rollback: SQLiteStatement

        init(_ connection: SQLiteConnection) throws(StorageError) {
            select = try connection.prepare("SELECT object FROM objects WHERE key = ?1")
            upsert = try connection.prepare("INSERT OR REPLACE INTO objects(key, object, reapable) VALUES (?1, ?2, ?3)")
            delete = try connection.prepare("DELETE FROM objects WHERE key = ?1")
            scan = try connection.prepare("SELECT key, object FROM objects WHERE key > ?1 ORDER BY key LIMIT ?2")
            // Uses the partial index `reapable_keys` (reapable = 1, key > ?1), in key order.
            reapable = try connection.prepare("SELECT key, object FROM objects WHERE reapable = 1 AND key > ?1 ORDER BY key LIMIT ?2")
            count = try connection.prepare("SELECT count(*), coalesce(sum(length(key) + length(object)), 0) FROM objects")
            begin = try connection.prepare("BEGIN")
            commit = try connection.prepare("COMMIT")
            rollback = try connection.prepare("ROLLBACK")
        }
    }

    struct State {
        var connection: SQLiteConnection
        var statements: Statements
        /// Writes made so far; what group commit waits on.
        var position: UInt64 = 0
        /// Why writes waiting for a commit were rolled back since the last one; the next commit
        /// reports it to every write then waiting.
        var rolledBack: StorageError?
        /// The sweep reads candidates after this key, then starts over (empty: from the start).
        var sweepAfter: [UInt8] = []
        /// Where `reapCandidates` resumes: the last key it read, or empty to start over.
        var candidatesAfter: [UInt8] = []
        var closed = false
        var stats = StorageStats()
    }

    public let configuration: Configuration
    let state: Mutex<State>
    /// Group commit for `batch`: one COMMIT for every write waiting (nil for `always` and `none`).
    let syncer: SyncThread?

    public init(configuration: Configuration) throws(StorageError) {
        self.configuration = configuration
        let connection = try SQLiteConnection(path: configuration.path)
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=\(configuration.fsync == .none ? "OFF" : "FULL")")
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS objects(key BLOB PRIMARY KEY, object BLOB NOT NULL, reapable INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS reapable_keys ON objects(reapable) WHERE reapable = 1;
            """)
        var state = State(connection: connection, statements: try Statements(connection))
        try Self.recount(&state)
        if state.stats.keyCount > 0 { configuration.changeObserver?.changesLost() }
        self.state = Mutex(state)
        let reference = WeakReference<SQLiteEngine>()
        syncer = configuration.fsync != .batch ? nil : SyncThread {
            // Without its engine (dropped unclosed) nothing waiting can be called durable.
            reference.object?.commitWaiting() ?? .failure(.closed)
        }
        reference.object = self
    }

    deinit {
        try? close()
    }

    public var defersDurability: Bool { syncer != nil }

    public var stats: StorageStats { state.withLock { $0.stats } }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        let grace = configuration.reapGraceMs
        let result: Result<VersionedObject?, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { throw .closed }
                guard let (object, bytes) = try Self.read(key, in: state) else { return nil }
                guard object.isReapable(atMs: nowMs, graceMs: grace) else { return object }
                try write(key, nil, replacing: bytes, old: ObjectDigest(object), in: &state)
                state.stats.reaped += 1
                requestCommit(in: state)
                return nil
            }
        }
        return try result.get()
    }

    /// Waits for durability (group commit under `batch`) before returning.
    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        try modifyWaitingUntilDurable(key, nowMs: nowMs, transform)
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        let waits: Result<Bool, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { throw .closed }
                let stored = try Self.read(key, in: state)
                var object = stored?.object
                transform(&object)
                // Unchanged: answered at once, as by the log engine (a read-through fill of the cache must not wait for a commit).
                guard object != stored?.object else { return false }
                try write(key, object, replacing: stored?.bytes, old: stored.map { ObjectDigest($0.object) }, in: &state)
                guard let syncer else { return false }
                // Registered under the lock, so a rollback before the next commit finds it waiting.
                syncer.enqueue(position: state.position, whenDurable)
                return true
            }
        }
        if try !waits.get() { whenDurable(nil) }
    }

    public func close() throws(StorageError) {
        syncer?.stop()
        let result: Result<Void, StorageError> = state.withLock { state in
            guard !state.closed else { return .success(()) }
            state.closed = true
            defer { state.connection.close() }
            return Result { () throws(StorageError) in try commit(&state) }
        }
        try result.get()
    }
}
