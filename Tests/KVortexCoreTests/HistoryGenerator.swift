@testable import KVortexCore

/// Random but reachable replica states: several replicas apply writes (blind or with a context read
/// from some replica), deletes, TTL values, and merge with each other, driven by a seeded generator.
struct HistoryGenerator {
    var random: SplitMix64
    var replicas: [VersionedObject]
    let actors: [ActorID]
    let mode: ConflictMode
    let siblingsMax: Int
    /// Every sibling any write created, by dot: the universe a merge may draw from.
    private(set) var created: [Dot: Sibling] = [:]
    private var nextMs: UInt64 = 1_000
    private var valueCounter = 0

    init(seed: UInt64, replicaCount: Int = 3, mode: ConflictMode = .siblings, siblingsMax: Int = 1_000) {
        random = SplitMix64(seed: seed)
        replicas = Array(repeating: VersionedObject(), count: replicaCount)
        actors = (0..<replicaCount).map { ActorID(node: NodeID("n\($0)"), epoch: seed) }
        self.mode = mode
        self.siblingsMax = siblingsMax
    }

    /// Applies `steps` random operations.
    mutating func run(steps: Int) {
        for _ in 0..<steps { step() }
    }

    mutating func step() {
        let replica = random.int(in: 0..<replicas.count)
        switch random.int(in: 0..<10) {
        case 0..<4: write(at: replica, context: nil)
        case 4..<7: write(at: replica, context: replicas[random.int(in: 0..<replicas.count)].clock)
        case 7: write(at: replica, context: replicas[replica].clock, tombstone: true)
        default:
            let other = random.int(in: 0..<replicas.count)
            _ = replicas[replica].merge(replicas[other], mode: mode, siblingsMax: siblingsMax)
        }
    }

    @discardableResult
    mutating func write(at replica: Int, context: VersionVector?, tombstone: Bool = false) -> ApplyOutcome {
        nextMs += UInt64(random.int(in: 0..<5))
        valueCounter += 1
        let expiry: UInt64? = random.int(in: 0..<5) == 0 ? nextMs + 100 : nil
        let request = WriteRequest(payload: tombstone ? .tombstone : .value(Array("v\(valueCounter)".utf8)),
                                   context: context, expiryMs: expiry)
        let outcome = replicas[replica].applyWrite(request, actor: actors[replica],
                                                   timestamp: HybridTimestamp(physicalMs: nextMs, logical: 0),
                                                   mode: mode, siblingsMax: siblingsMax)
        if let dot = outcome.dot, let sibling = replicas[replica].siblings.first(where: { $0.dot == dot }) {
            created[dot] = sibling
        }
        return outcome
    }
}
