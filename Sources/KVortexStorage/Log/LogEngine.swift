import Glibc
import KVortexCore
import Synchronization

/// The append-only log engine (Bitcask-like, `--storage log`): every update appends a checksummed
/// record to the active segment; an in-memory key directory points at each key's latest record.
///
/// A write is acknowledged after its bytes are fsynced (`always`, or `batch` with group commit), or at
/// once (`none`). On open, segments are replayed in order; a torn or corrupt record ends its segment,
/// which is cut there, and the dropped bytes are reported (`StorageStats` and a log line).
/// Compaction (`LogCompaction.swift`) rewrites closed segments without dead records and writes an
/// index file beside each output, so a restart reads indexes rather than values.
public final class LogEngine: StorageEngine {
    public struct Configuration: Sendable {
        public var directory: String
        public var fsync: FsyncPolicy
        /// A segment is closed for writing and a new one started past this size.
        public var segmentBytesMax: Int
        public var reapGraceMs: UInt64
        /// `compactIfWorthwhile` waits for at least this many dead bytes (and half the closed bytes).
        public var compactionDeadBytesMin: Int
        /// Memory for the decoded objects of the keys written last (`RecentObjects`); 0 turns it off.
        public var recentObjectBytesMax: Int
        /// Told of every change (anti-entropy's trees, `PartitionTrees`); nil when anti-entropy is off.
        /// Opened with data, the engine calls its `changesLost` at once: what an earlier process stored
        /// was never reported, so every tree is `unbuilt` until rebuilt (`visitDigests`).
        public var changeObserver: (any ObjectChangeObserver)?

        public init(directory: String, fsync: FsyncPolicy = .batch, segmentBytesMax: Int = 64 << 20,
                    reapGraceMs: UInt64 = Limits.tombstoneGraceMsDefault, compactionDeadBytesMin: Int = 64 << 20,
                    recentObjectBytesMax: Int = 32 << 20, changeObserver: (any ObjectChangeObserver)? = nil) {
            self.directory = directory
            self.fsync = fsync
            self.segmentBytesMax = segmentBytesMax
            self.reapGraceMs = reapGraceMs
            self.compactionDeadBytesMin = compactionDeadBytesMin
            self.recentObjectBytesMax = recentObjectBytesMax
            self.changeObserver = changeObserver
        }
    }

    struct Location: Equatable {
        let segment: UInt32
        let offset: Int
        let size: Int
    }

    struct State {
        var keydir: [HashedKey: Location] = [:]
        /// Keys whose latest object holds a tombstone or a TTL: the only ones a sweep needs to read.
        var reapCandidates = ReapCandidates()
        /// The latest objects of recently written keys (none until the engine sets its bound).
        var recent = RecentObjects(bytesMax: 0)
        var segments: [UInt32: LogSegment] = [:]
        var activeID: UInt32 = 0
        /// Bytes appended since open, across segments: what group commit waits on.
        var position: UInt64 = 0
        var closed = false
        var stats = StorageStats()
    }

    public let configuration: Configuration
    let state: Mutex<State>
    /// True while a compaction runs (one at a time), and for good after one failed to install.
    let compacting = Mutex(false)
    /// Group commit for `batch`: one fsync for every write waiting (nil for `always` and `none`).
    private let syncer: SyncThread?
    /// What recovery dropped: torn or corrupt bytes cut from segment ends.
    public let recoveredDroppedBytes: Int
    /// Segments recovery read from their index files rather than in full.
    public let recoveredFromIndex: Int

    public init(configuration: Configuration) throws(StorageError) {
        self.configuration = configuration
        guard mkdir(configuration.directory, 0o755) == 0 || errno == EEXIST else {
            throw .io(operation: "mkdir \(configuration.directory)", errno: errno)
        }
        let recovered = try LogRecovery.open(directory: configuration.directory)
        recoveredDroppedBytes = recovered.droppedBytes
        recoveredFromIndex = recovered.indexedSegments
        var opened = recovered.state
        opened.recent = RecentObjects(bytesMax: configuration.recentObjectBytesMax)
        if opened.stats.keyCount > 0 { configuration.changeObserver?.changesLost() }
        state = Mutex(opened)
        let reference = WeakReference<LogEngine>()
        syncer = configuration.fsync != .batch ? nil : SyncThread {
            guard let engine = reference.object else { return .success(.max) }
            do throws(StorageError) {
                // Buffered appends are written under the lock, the fsync runs outside it.
                let (segment, covered) = try engine.state.withLock { state throws(StorageError) in
                    let segment = state.segments[state.activeID]!
                    try segment.flush()
                    return (segment, state.position)
                }
                try segment.sync()
                return .success(covered)
            } catch {
                return .failure(error)
            }
        }
        reference.object = self
    }

    deinit {
        syncer?.stop()
    }

    public var defersDurability: Bool { syncer != nil }

    public var stats: StorageStats { state.withLock { $0.stats } }

    public func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        let result: Result<VersionedObject?, StorageError> = state.withLock { state in
            guard !state.closed else { return .failure(.closed) }
            return Result { () throws(StorageError) in try Self.read(key, in: state) }
        }
        guard let object = try result.get() else { return nil }
        guard object.isReapable(atMs: nowMs, graceMs: configuration.reapGraceMs) else { return object }
        try reap(key, nowMs: nowMs)
        return nil
    }

    /// Appends a removal for `key` if it is still reapable, and counts it.
    func reap(_ key: [UInt8], nowMs: UInt64) throws(StorageError) {
        let grace = configuration.reapGraceMs
        let outcome: Result<Void, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard let current = try Self.read(key, in: state), current.isReapable(atMs: nowMs, graceMs: grace) else { return }
                try append(key: key, old: current, object: nil, to: &state)
                state.stats.reaped += 1
            }
        }
        try outcome.get()
    }

    /// Waits for durability (group commit under `batch`) before returning.
    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        try modifyWaitingUntilDurable(key, nowMs: nowMs, transform)
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        let appended = try state.withLock { state throws(StorageError) -> UInt64? in
            guard !state.closed else { throw .closed }
            var object = try Self.read(key, in: state)
            let before = object
            transform(&object)
            guard object != before else { return nil }
            try append(key: key, old: before, object: object, to: &state, awaitsGroupCommit: syncer != nil)
            return state.position
        }
        guard let position = appended, let syncer else { return whenDurable(nil) }
        syncer.enqueue(position: position, whenDurable)
    }

    /// Appends a record of `key` changing from `old` to `object` (nil: removed), points the key directory
    /// at it and tells the observer, under the state's lock (every key's). Called with the state locked.
    /// Compaction moves records without this: it changes no object.
    /// `awaitsGroupCommit`: a caller waits for the sync thread, which writes the record with its group;
    /// otherwise (removals by reaping) it is written at once, as nothing else would write it soon.
    func append(key: [UInt8], old: VersionedObject?, object: VersionedObject?, to state: inout State,
                awaitsGroupCommit: Bool = false) throws(StorageError) {
        if state.segments[state.activeID]!.size >= configuration.segmentBytesMax { try rotate(&state) }
        let segment = state.segments[state.activeID]!
        let objectBytes = object?.encodedByteCount ?? 0
        let recordBytes = LogRecord.byteCount(key: key, objectBytes: objectBytes)
        let offset = try segment.append(byteCount: recordBytes, buffered: awaitsGroupCommit) {
            LogRecord.encode(key: key, object: object, objectBytes: objectBytes, to: $0)
        }
        state.position += UInt64(recordBytes)
        state.stats.diskBytes += recordBytes
        Self.noteReapability(key, object, in: &state)
        state.recent.set(key, object)
        if object != nil {
            let previous = state.keydir.updateValue(Location(segment: segment.id, offset: offset, size: recordBytes), forKey: HashedKey(key))
            if previous == nil { state.stats.keyCount += 1 }
            state.stats.bytes += recordBytes - (previous?.size ?? 0)
        } else if let previous = state.keydir.removeValue(forKey: HashedKey(key)) {
            state.stats.keyCount -= 1
            state.stats.bytes -= previous.size
        }
        // Told before the sync, which may fail with the record already in the key directory.
        if let observer = configuration.changeObserver {
            observer.replaced(keyHash: StableHash.hash64(key), old: old.map(ObjectDigest.init), new: object.map(ObjectDigest.init))
        }
        if configuration.fsync == .always { try segment.sync() }
    }

    /// Keeps `reapCandidates` in step with the key's latest object (the rule `LogRecord` encodes too).
    static func noteReapability(_ key: [UInt8], _ object: VersionedObject?, in state: inout State) {
        if let object, object.mayBecomeReapable {
            state.reapCandidates.insert(key)
        } else {
            state.reapCandidates.remove(key)
        }
    }

    private func rotate(_ state: inout State) throws(StorageError) {
        let closing = state.segments[state.activeID]!
        try closing.finishAppending()
        try closing.sync()  // everything before the new segment is durable
        let next = state.activeID + 1
        state.segments[next] = try LogSegment(directory: configuration.directory, id: next, create: true)
        state.activeID = next
    }

    /// The object of `key` from its latest record, or nil. Called with the state locked.
    static func read(_ key: [UInt8], in state: State) throws(StorageError) -> VersionedObject? {
        if let recent = state.recent[key] { return recent }
        guard let location = state.keydir[HashedKey(key)], let segment = state.segments[location.segment] else { return nil }
        let bytes = try segment.read(offset: location.offset, count: location.size)
        let decoded: Result<VersionedObject, StorageError> = bytes.withUnsafeBytes { raw in
            guard case .record(let frame) = LogRecord.parse(raw, at: 0), frame.kind != .remove else {
                return .failure(.corrupt("record of a live key at \(segment.path):\(location.offset) fails its checks"))
            }
            do {
                return .success(try VersionedObject(decoding: UnsafeRawBufferPointer(rebasing: raw[frame.objectRange])))
            } catch {
                return .failure(.corrupt("object at \(segment.path):\(location.offset) does not decode: \(error)"))
            }
        }
        return try decoded.get()
    }

    public func close() throws(StorageError) {
        syncer?.stop()
        let active: Result<LogSegment?, StorageError> = state.withLock { state in
            guard !state.closed else { return .success(nil) }
            state.closed = true
            let segment = state.segments[state.activeID]!
            return Result { () throws(StorageError) in
                try segment.flush()
                return segment
            }
        }
        try active.get()?.sync()
    }
}
