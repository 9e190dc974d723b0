
/// Why a storage engine could not serve a call: an operating error (disk full, I/O failure), never a bug.
public enum StorageError: Error, Equatable, Sendable {
    case io(operation: String, errno: Int32)
    case corrupt(String)
    case closed
}

/// Counters every engine reports; exported on `/metrics`.
public struct StorageStats: Equatable, Sendable {
    public var keyCount = 0
    /// Bytes of keys and encoded objects held (the accounting `--max-memory` applies to).
    public var bytes = 0
    /// Keys evicted by the memory bound (least recently used first).
    public var evictions = 0
    /// Objects removed because every sibling had expired or was a tombstone past the grace.
    public var reaped = 0
    /// Reads answered by the read cache in front of a durable engine, and reads it had to pass on.
    public var cacheHits = 0
    public var cacheMisses = 0
    /// The read cache's accounted bytes (bounded by `--cache-bytes`), keys, and keys it evicted.
    public var cacheBytes = 0
    public var cacheKeys = 0
    public var cacheEvictions = 0
    /// Bytes of the engine's files (log segments), live or dead; 0 for memory.
    public var diskBytes = 0
    /// Bytes recovery cut from segment ends at open (torn or corrupt records).
    public var recoveryDroppedBytes = 0
    /// Log compactions run, and the bytes they read and wrote (segments and indexes).
    public var compactions = 0
    public var compactionBytesRead = 0
    public var compactionBytesWritten = 0

    public init() {}
}

/// What a storage engine's `write` did: the object as stored after the write (in whichever form the
/// engine had it), the client's next context, and what the write rule reported.
public struct StoredWrite: Sendable {
    public var object: MessageObject
    public var context: WriteContext
    public var outcome: ApplyOutcome

    public init(object: MessageObject, context: WriteContext, outcome: ApplyOutcome) {
        self.object = object
        self.context = context
        self.outcome = outcome
    }

    /// The write rule on a decoded stored object (nil: the key is absent), which it replaces: what an
    /// engine that keeps no encodings does in `write`, and a caller with its own `modify` likewise.
    public static func applying(
        _ request: WriteRequest, to stored: inout VersionedObject?, actor: ActorID, timestamp: HybridTimestamp,
        mode: ConflictMode, siblingsMax: Int
    ) -> StoredWrite {
        var object = stored ?? VersionedObject()
        let outcome = object.applyWrite(request, actor: actor, timestamp: timestamp, mode: mode, siblingsMax: siblingsMax)
        stored = object
        return StoredWrite(object: .decoded(object), context: WriteContext(of: object), outcome: outcome)
    }
}

/// Where a node keeps its replicas. The one synchronous call the core makes (DESIGN.md "The shape").
///
/// Implementations are thread-safe: calls for different keys may run in parallel; calls for one key
/// are serialised. `update` is the only write: read-modify-write under the key's lock, which is what
/// makes the DVV write and merge rules atomic per key.
public protocol StorageEngine: AnyObject, Sendable {
    /// The object stored for `key`, or nil. An object reapable at `nowMs` (see `VersionedObject.isReapable`)
    /// is removed and reported as nil. Counts as a use for LRU eviction.
    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject?

    /// `get` for a peer's read: the object in whichever form is cheaper to send (the default: decoded;
    /// an engine that stores encodings: the bytes as they are). With `unlessClock`, the clock of an
    /// object the coordinator holds already: `.unchanged` when this replica's object has that very
    /// clock (clocks decide: the same object), which an engine that stores encodings finds out where
    /// the clock lies, copying nothing.
    func getForPeer(_ key: [UInt8], nowMs: UInt64, unlessClock: VersionVector?) throws(StorageError) -> PeerRead

    /// Reads the object of `key` (nil when absent), lets `transform` change it, and stores the result;
    /// setting it to nil removes the key. Atomic with respect to other calls for the same key.
    /// `transform` must not call back into the engine. Callers use `update`, which returns a value.
    ///
    /// Not generic on purpose: a generic requirement called through `any StorageEngine` instantiates
    /// type metadata at run time on every write (about 6 % of a SET's instructions in callgrind).
    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError)

    /// Applies a client write as `actor` to the stored object of `key` (the DVV write rule,
    /// `VersionedObject.applyWrite`) and stores the result, atomically for the key. The default
    /// decodes, applies and stores through `modify`; an engine that stores encodings applies the rule
    /// to the encoding itself (`EncodedObject.applyingWrite`) and returns the object still encoded.
    func write(_ key: [UInt8], _ request: WriteRequest, actor: ActorID, timestamp: HybridTimestamp, nowMs: UInt64,
               mode: ConflictMode, siblingsMax: Int) throws(StorageError) -> StoredWrite

    /// Merges `incoming` (a replica's write, a hint, a read repair, a handoff) into the stored object
    /// of `key` under the key's lock (or stores it when the key is absent) and returns what the merge
    /// reported. The default goes through `modify`; an engine that can read a stored clock without
    /// decoding the whole object overrides it to skip the decoding when `incoming` supersedes it.
    func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
               siblingsMax: Int) throws(StorageError) -> ApplyOutcome

    /// `merge` of an object still in its encoding, as a replica received it. The default decodes it;
    /// an engine that stores encodings overrides it to store a superseding object's bytes as they are.
    func merge(_ key: [UInt8], encoded incoming: EncodedObject, nowMs: UInt64, mode: ConflictMode,
               siblingsMax: Int) throws(StorageError) -> ApplyOutcome

    /// Calls `body` for each key in `partition` under `partitioning`, with its object, until `body`
    /// returns false. Sees each key present for the whole call once; may or may not see keys changed
    /// during it. Used by handoff and anti-entropy.
    func forEach(
        partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool
    ) throws(StorageError)

    /// One bounded batch of a rebuild's pass over `partition` (docs/anti-entropy.md §2, "States and
    /// rebuild"): calls `visit` with the stable hash and digest of keys of the partition from `cursor`
    /// on, **while holding the key's lock**, so a visit and the changes of that key reach the observer
    /// in the order they happened. Returns where to resume, or nil when the pass is done. A pass (the
    /// calls from `.start` until nil) visits every key present throughout it, each at most once; keys
    /// changed during it may or may not be visited (the tree counts them by their changes). Reads at
    /// most `keysMax` keys per call (the partition's, or any where the engine cannot tell a partition's
    /// keys without reading them); changes nothing. Engines override the default (`forEach`, then one
    /// unchanged `modify` per key) to read digests from their encodings under one lock hold per batch.
    func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                      _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor?

    /// Up to `keysMax` objects reapable at `nowMs` after `graceMs` (`VersionedObject.isReapable`), with
    /// their clocks and digests, for confirmed reaps (docs/anti-entropy.md §4). Removes nothing; reads
    /// only the candidates the engine keeps for its sweep, and continues where the last call stopped,
    /// so candidates that stay (a reap deferred) do not hide the others.
    func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate]

    /// Removes at most `keysMax` reapable objects; returns how many it removed. Called by a bounded
    /// background sweep so expired keys that are never read again still free their memory.
    func sweep(nowMs: UInt64, keysMax: Int) -> Int

    var stats: StorageStats { get }

    /// Background work the engine wants done from time to time (log compaction). Called by the
    /// node's sweep, off the request path; may take seconds. Returns a line worth logging, if any.
    func maintain() throws(StorageError) -> String?

    /// True when `modify` returns before the update is durable and `modify(_:nowMs:_:whenDurable:)`
    /// reports durability later (a durable engine with group commit); false when an update is as
    /// durable as it will get when `modify` returns (memory, or fsync inside `modify`).
    var defersDurability: Bool { get }

    /// `modify`, then `whenDurable` once the update is durable (nil) or failed to become so, called
    /// from any thread, possibly before this returns. Not called when `modify` itself throws.
    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError)

    /// Makes every acknowledged update durable and releases files. Later calls throw `.closed`.
    func close() throws(StorageError)
}

extension StorageEngine {
    public var defersDurability: Bool { false }

    public func maintain() throws(StorageError) -> String? { nil }

    public func getForPeer(_ key: [UInt8], nowMs: UInt64, unlessClock: VersionVector?) throws(StorageError) -> PeerRead {
        let object = try get(key, nowMs: nowMs)
        if let unlessClock, object?.clock == unlessClock { return .unchanged }
        return .object(object.map(MessageObject.decoded))
    }

    public func write(_ key: [UInt8], _ request: WriteRequest, actor: ActorID, timestamp: HybridTimestamp,
                      nowMs: UInt64, mode: ConflictMode, siblingsMax: Int) throws(StorageError) -> StoredWrite {
        // `modify` with a local, not the generic `update`: through `any StorageEngine` the latter's
        // closure runs unspecialised (about 1 700 instructions a write in the simulator).
        var written: StoredWrite?
        try modify(key, nowMs: nowMs) { stored in
            written = StoredWrite.applying(request, to: &stored, actor: actor, timestamp: timestamp, mode: mode,
                                           siblingsMax: siblingsMax)
        }
        return written!
    }

    /// Stores `incoming` as it is when it supersedes the stored object (`VersionedObject+Supersede`),
    /// which skips the merge; otherwise merges in full.
    public func merge(_ key: [UInt8], incoming: VersionedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        try update(key, nowMs: nowMs) { stored -> ApplyOutcome in
            if let current = stored, incoming.supersedes(clock: current.clock, mode: mode) {
                assert(current.merging(incoming, mode: mode, siblingsMax: siblingsMax) == incoming,
                       "a superseding object is not what the merge gives")
                stored = incoming
                return ApplyOutcome()
            }
            return VersionedObject.merge(incoming, into: &stored, mode: mode, siblingsMax: siblingsMax)
        }
    }

    public func merge(_ key: [UInt8], encoded incoming: EncodedObject, nowMs: UInt64, mode: ConflictMode,
                      siblingsMax: Int) throws(StorageError) -> ApplyOutcome {
        try merge(key, incoming: incoming.decoded(), nowMs: nowMs, mode: mode, siblingsMax: siblingsMax)
    }

    public func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                       whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
        try modify(key, nowMs: nowMs, transform)
        whenDurable(nil)
    }

    /// `modify`, returning what `transform` returns. Inlinable, so it is specialised where it is called.
    @inlinable
    public func update<Result>(
        _ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Result
    ) throws(StorageError) -> Result {
        var result: Result?
        try modify(key, nowMs: nowMs) { result = transform(&$0) }
        return result!
    }
}
