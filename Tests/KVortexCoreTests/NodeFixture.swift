import Testing
import Synchronization
@testable import KVortexCore

/// One `Node` of a five-node ring (N = 3), driven by hand: the test plays the driver, the peers and
/// the clock, and reads the effects. No simulator, no sockets.
struct NodeFixture {
    static let members = (0..<5).map { NodeID("n\($0)") }
    static let ring = Ring.initial(members: members.map { RingMember($0) }, replicaCount: 3)
    static let startMs: UInt64 = 1_764_000_000_000

    var node: Node
    let storage = TestStorage()
    let hints = MemoryHintStore()
    var nowMs = startMs

    /// `randomSeed` stands for one start of the node (a driver passes a fresh one each time).
    init(_ nodeID: NodeID, plantedBugs: PlantedBugs = [], randomSeed: UInt64 = 7,
         configure: (inout NodeSettings) -> Void = { _ in }) {
        var settings = NodeSettings(nodeID: nodeID, replicaCount: 3)
        settings.plantedBugs = plantedBugs
        configure(&settings)
        node = Node(settings: settings, epoch: 1, storage: storage, hints: hints, placement: Self.ring,
                    seeds: Self.members.filter { $0 != nodeID }, randomSeed: randomSeed, nowMs: nowMs)
    }

    mutating func handle(_ input: NodeInput, afterMs: UInt64 = 1) -> [NodeEffect] {
        nowMs += afterMs
        return node.handle(input, nowMs: nowMs)
    }

    /// The first key `k0`, `k1`, … whose preference list satisfies `matches`.
    static func key(where matches: ([NodeID]) -> Bool) -> [UInt8] {
        for index in 0..<10_000 {
            let key = Array("k\(index)".utf8)
            if matches(primaries(of: key)) { return key }
        }
        preconditionFailure("no key matches")
    }

    static func primaries(of key: [UInt8]) -> [NodeID] {
        ring.primaries(ofPartition: ring.partitioning.partition(of: key))
    }

    static func options(r: Int = 2, w: Int = 2, sloppy: Bool = true, timeoutMs: UInt64 = 1_000) -> QuorumOptions {
        QuorumOptions(readQuorum: r, writeQuorum: w, sloppy: sloppy, timeoutMs: timeoutMs)
    }

    static func write(_ value: String, context: WriteContext? = nil) -> ClientWrite {
        ClientWrite(payload: .value(Array(value.utf8)), context: context)
    }

    /// The values of `object`'s live siblings, as strings.
    static func values(_ object: VersionedObject?) -> [String] {
        (object?.siblings ?? []).compactMap(\.value).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension NodeFixture {
    /// Starts a read of `key` with R = `r` at this node, which holds `local` for it; returns the
    /// operation its requests name, or nil (recorded as an issue) when it sent none.
    mutating func startRead(_ key: [UInt8], holding local: VersionedObject, r: Int = 2) -> OperationID? {
        storage.put(key, local)
        let started = handle(.get(RequestID(5), key: key, Self.options(r: r)))
        guard case .getRequest(let operation, _, _) = started.sends.first?.message else {
            Issue.record("expected a request: \(started)")
            return nil
        }
        return operation
    }
}

/// Reading effects.
extension [NodeEffect] {
    /// The messages sent, in order.
    var sends: [(to: NodeID, message: PeerMessage)] {
        compactMap { effect in
            guard case .send(let to, let message) = effect else { return nil }
            return (to, message)
        }
    }

    /// The `hintDelivery` messages sent (hints handed back, and objects of ownership transfers).
    var deliveries: [(to: NodeID, operation: OperationID, key: [UInt8], object: VersionedObject)] {
        sends.compactMap { send in
            guard case .hintDelivery(let operation, let key, let object) = send.message else { return nil }
            return (send.to, operation, key, object.object)
        }
    }

    var writeReplies: [Result<WriteOutcome, KVError>] {
        compactMap { effect in
            guard case .replyWrite(_, let result) = effect else { return nil }
            return result
        }
    }

    var readReplies: [Result<ReadOutcome, KVError>] {
        compactMap { effect in
            guard case .replyRead(_, let result) = effect else { return nil }
            return result
        }
    }

    var timers: [TimerID] {
        compactMap { effect in
            guard case .startTimer(let timer, _) = effect else { return nil }
            return timer
        }
    }
}

/// A plain in-memory `StorageEngine` for node tests.
final class TestStorage: StorageEngine {
    private let objects = Mutex<[[UInt8]: VersionedObject]>([:])

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        objects.withLock { $0[key] }
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        objects.withLock { transform(&$0[key]) }
    }

    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        // The node's request paths never scan; key order does not matter here.
        for entry in objects.withLock({ $0 }) where partitioning.partition(of: entry.key) == partition {
            if !body(entry.key, entry.value) { break }
        }
    }

    func sweep(nowMs: UInt64, keysMax: Int) -> Int { 0 }

    /// Every reapable object, in key order (tests hold few keys).
    func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        objects.withLock { objects in
            objects.filter { $0.value.isReapable(atMs: nowMs, graceMs: graceMs) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }
                .prefix(keysMax).map { ReapCandidate(key: $0.key, object: $0.value) }
        }
    }

    /// Only the key count: the node reads it for its log lines.
    var stats: StorageStats {
        var stats = StorageStats()
        stats.keyCount = objects.withLock { $0.count }
        return stats
    }

    func close() throws(StorageError) {}

    /// Stores `object` under `key` directly, as if an earlier write had left it.
    func put(_ key: [UInt8], _ object: VersionedObject) {
        objects.withLock { $0[key] = object }
    }

    func object(_ key: [UInt8]) -> VersionedObject? {
        objects.withLock { $0[key] }
    }
}
