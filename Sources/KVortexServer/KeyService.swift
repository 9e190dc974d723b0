import KVortexCore
import KVortexStorage
import Synchronization

/// Counters of the versioning bounds, exported on `/metrics`.
public struct VersioningCounters: Sendable {
    public var siblingsCapped: UInt64 = 0
    public var lwwOverwrites: UInt64 = 0
}

/// Key operations of one node that is the whole cluster (N = 1): the local replica path, answered
/// inline on the event loop. `ClusterKeys` uses it while the node is alone.
///
/// Reads the wall clock only through `clockMs`, which the driver supplies; the versioning rules
/// themselves are the core's (`VersionedObject.applyWrite`).
public final class KeyService: KeyOperations {
    public let nodeID: NodeID
    public let actor: ActorID
    private let storage: any StorageEngine
    private let mode: ConflictMode
    private let siblingsMax: Int
    private let clockMs: @Sendable () -> UInt64
    private let hybridClock = Mutex(HybridLogicalClock())
    private let counters = Mutex(VersioningCounters())

    public init(nodeID: NodeID, actor: ActorID, storage: any StorageEngine, mode: ConflictMode,
                siblingsMax: Int, clockMs: @escaping @Sendable () -> UInt64) {
        self.nodeID = nodeID
        self.actor = actor
        self.storage = storage
        self.mode = mode
        self.siblingsMax = siblingsMax
        self.clockMs = clockMs
    }

    public var versioningCounters: VersioningCounters { counters.withLock { $0 } }

    /// True when writes are answered after a shared fsync (`write(_:…:completion:)`), not inline.
    public var defersWrites: Bool { storage.defersDurability }
    public var defersReads: Bool { false }
    public var clusterSize: Int { 1 }

    public func read(_ key: [UInt8], options: RequestOptions, completion: @escaping @Sendable (Result<ReadResult, KVError>) -> Void) {
        completion(Result { () throws(KVError) in try get(key, options: options) })
    }

    public func get(_ key: [UInt8], options: RequestOptions) throws(KVError) -> ReadResult {
        let nowMs = clockMs()
        let object: VersionedObject?
        do {
            object = try storage.get(key, nowMs: nowMs)
        } catch {
            throw .storageFailure("\(error)")
        }
        return ReadResult(object: object, nowMs: nowMs, replicasAcked: 1, replicasAsked: 1)
    }

    public func put(_ key: [UInt8], value: [UInt8], contentType: String, options: RequestOptions) throws(KVError)
        -> WriteResult
    {
        try write(key, payload: .value(value), contentType: contentType, options: options)
    }

    public func delete(_ key: [UInt8], options: RequestOptions) throws(KVError) -> WriteResult {
        try write(key, payload: .tombstone, contentType: "", options: options)
    }

    private func write(_ key: [UInt8], payload: Sibling.Payload, contentType: String, options: RequestOptions)
        throws(KVError) -> WriteResult
    {
        let nowMs = clockMs()
        let request = writeRequest(payload: payload, contentType: contentType, options: options, nowMs: nowMs)
        let timestamp = hybridClock.withLock { $0.tick(physicalMs: nowMs) }
        do {
            let written = try storage.write(key, request, actor: actor, timestamp: timestamp, nowMs: nowMs, mode: mode,
                                            siblingsMax: siblingsMax)
            count(written.outcome)
            return WriteResult(context: written.context, replicasAcked: 1, replicasAsked: 1)
        } catch {
            throw .storageFailure("\(error)")
        }
    }

    /// The write, answered through `completion` once it is durable (from the engine's reply queue), so
    /// no event loop waits for an fsync.
    public func write(_ key: [UInt8], payload: Sibling.Payload, contentType: String, options: RequestOptions,
                      completion: @escaping @Sendable (Result<WriteResult, KVError>) -> Void) {
        let nowMs = clockMs()
        let request = writeRequest(payload: payload, contentType: contentType, options: options, nowMs: nowMs)
        let timestamp = hybridClock.withLock { $0.tick(physicalMs: nowMs) }
        // The transform runs inside `modify`, always before `whenDurable`: the box carries its result over.
        let applied = Mutex<(WriteContext, ApplyOutcome)?>(nil)
        do {
            try storage.modify(key, nowMs: nowMs, { [actor, mode, siblingsMax] stored in
                let written = StoredWrite.applying(request, to: &stored, actor: actor, timestamp: timestamp, mode: mode,
                                                   siblingsMax: siblingsMax)
                applied.withLock { $0 = (written.context, written.outcome) }
            }, whenDurable: { [self] error in
                if let error { return completion(.failure(.storageFailure("\(error)"))) }
                let (context, outcome) = applied.withLock { $0 }!
                count(outcome)
                completion(.success(WriteResult(context: context, replicasAcked: 1, replicasAsked: 1)))
            })
        } catch {
            completion(.failure(.storageFailure("\(error)")))
        }
    }

    private func writeRequest(payload: Sibling.Payload, contentType: String, options: RequestOptions, nowMs: UInt64) -> WriteRequest {
        WriteRequest(payload: payload, context: options.context, expiryMs: options.ttlSeconds.map { nowMs + $0 * 1000 },
                     contentType: contentType)
    }

    private func count(_ outcome: ApplyOutcome) {
        guard outcome.siblingsCapped > 0 || outcome.siblingsOverwrittenByLWW > 0 else { return }
        counters.withLock {
            $0.siblingsCapped += UInt64(outcome.siblingsCapped)
            $0.lwwOverwrites += UInt64(outcome.siblingsOverwrittenByLWW)
        }
    }
}
