import KVortexCore

/// Key operations of a node that may have peers: coordinated by the core `Node` through the
/// `NodeDriver` (any node coordinates; R, W, sloppiness and deadline per request), answered when the
/// quorum answers. While the node is alone (no member has joined it) the inline local path of
/// `KeyService` serves instead: same versioning rules, no hop through the driver's lock and timers.
public final class ClusterKeys: KeyOperations {
    public let local: KeyService
    public let driver: NodeDriver
    private let clockMs: @Sendable () -> UInt64

    public init(local: KeyService, driver: NodeDriver, clockMs: @escaping @Sendable () -> UInt64) {
        self.local = local
        self.driver = driver
        self.clockMs = clockMs
    }

    public var nodeID: NodeID { local.nodeID }
    public var clusterSize: Int { driver.clusterSize }
    private var isAlone: Bool { driver.clusterSize == 1 }
    public var defersReads: Bool { !isAlone }
    public var defersWrites: Bool { !isAlone || local.defersWrites }

    public func get(_ key: [UInt8], options: RequestOptions) throws(KVError) -> ReadResult {
        try local.get(key, options: options)
    }

    public func put(_ key: [UInt8], value: [UInt8], contentType: String, options: RequestOptions) throws(KVError) -> WriteResult {
        try local.put(key, value: value, contentType: contentType, options: options)
    }

    public func delete(_ key: [UInt8], options: RequestOptions) throws(KVError) -> WriteResult {
        try local.delete(key, options: options)
    }

    public func read(_ key: [UInt8], options: RequestOptions, completion: @escaping @Sendable (Result<ReadResult, KVError>) -> Void) {
        guard !isAlone else { return local.read(key, options: options, completion: completion) }
        let clockMs = self.clockMs
        driver.read(key, options: options.quorumOptions) { result in
            completion(result.map { outcome in
                ReadResult(object: outcome.object, nowMs: clockMs(), replicasAcked: outcome.replicasAcked,
                           replicasAsked: outcome.replicasAsked)
            })
        }
    }

    public func write(_ key: [UInt8], payload: Sibling.Payload, contentType: String, options: RequestOptions,
                      completion: @escaping @Sendable (Result<WriteResult, KVError>) -> Void) {
        guard !isAlone else {
            return local.write(key, payload: payload, contentType: contentType, options: options, completion: completion)
        }
        let write = ClientWrite(payload: payload, context: options.context, ttlSeconds: options.ttlSeconds, contentType: contentType)
        driver.write(key, write, options: options.quorumOptions) { result in
            completion(result.map { outcome in
                WriteResult(context: outcome.context, replicasAcked: outcome.replicasAcked,
                            replicasAsked: outcome.replicasAsked, coordinator: outcome.coordinator)
            })
        }
    }
}
