import KVortexCore

/// The key operations the HTTP routes need: `KeyService` (a cluster of one, answered inline) and
/// `ClusterKeys` (coordinated over the peers, answered later).
///
/// The synchronous calls are the fast path of a node that is alone; the routes use the completion
/// calls whenever `defersReads` or `defersWrites` says so.
public protocol KeyOperations: Sendable {
    var nodeID: NodeID { get }
    /// Members the defaults can count on now: N, R and W are capped at it (API.md "Defaults").
    var clusterSize: Int { get }
    func get(_ key: [UInt8], options: RequestOptions) throws(KVError) -> ReadResult
    func put(_ key: [UInt8], value: [UInt8], contentType: String, options: RequestOptions) throws(KVError) -> WriteResult
    func delete(_ key: [UInt8], options: RequestOptions) throws(KVError) -> WriteResult
    /// True when reads must go through `read(…, completion:)`.
    var defersReads: Bool { get }
    /// True when writes must go through `write(…, completion:)` (replicated, or answered after an fsync).
    var defersWrites: Bool { get }
    func read(_ key: [UInt8], options: RequestOptions, completion: @escaping @Sendable (Result<ReadResult, KVError>) -> Void)
    func write(_ key: [UInt8], payload: Sibling.Payload, contentType: String, options: RequestOptions,
               completion: @escaping @Sendable (Result<WriteResult, KVError>) -> Void)
}

/// What a read found: the merged object (for the context) and the siblings to show.
public struct ReadResult: Sendable {
    /// The stored object, or nil when the key was never written (or has been reaped).
    public var object: VersionedObject?
    /// Values a client sees: no tombstones, no expired values; sorted by dot.
    public var liveSiblings: [Sibling]
    public var replicasAcked: Int
    public var replicasAsked: Int

    /// The result of reading `object` at `nowMs`: what a client sees of it.
    init(object: VersionedObject?, nowMs: UInt64, replicasAcked: Int, replicasAsked: Int) {
        self.object = object
        liveSiblings = object?.liveSiblings(atMs: nowMs) ?? []
        self.replicasAcked = replicasAcked
        self.replicasAsked = replicasAsked
    }
}

/// What a write or delete produced; `coordinator` is set when another node coordinated it (forwarded).
public struct WriteResult: Sendable {
    /// The object's context after the write: the client's next `X-Context`.
    public var context: WriteContext
    public var replicasAcked: Int
    public var replicasAsked: Int
    public var coordinator: NodeID?
}
