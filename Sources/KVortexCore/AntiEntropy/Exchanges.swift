/// A node's anti-entropy state (docs/anti-entropy.md §3): settings, trees, the exchanges in flight on
/// either side, the round of partitions to initiate, ring-change quiet windows and counters.
///
/// `Node` holds it in one box (`OperationBox`, copied on write), so the node grows by one reference
/// whatever this holds; with anti-entropy off it is allocated once and never changed.
struct Exchanges: Sendable {
    let settings: AntiEntropySettings
    /// The node's trees, kept by its storage engine; nil when anti-entropy is off.
    let trees: PartitionTrees?
    /// Exchanges in flight, by this node's operation (its deadline timer names it).
    var inFlight: [OperationID: Exchange] = [:]
    /// This round's partitions, in the order drawn, and the index of the next to consider.
    var round: [Int] = []
    var roundIndex = 0
    /// The ring the quiet windows were last computed against, and per partition the time before
    /// which it is neither initiated nor served (empty until a ring change was seen).
    var lastRing: Ring
    var quietUntilMs: [UInt64] = []
    /// Peers a settings mismatch was logged for (once each).
    var mismatchLogged: Set<NodeID> = []
    var counters = ExchangeCounters()

    init(settings: AntiEntropySettings, trees: PartitionTrees?, ring: Ring) {
        precondition(!settings.isEnabled || trees != nil, "anti-entropy enabled without trees")
        self.settings = settings
        self.trees = trees
        self.lastRing = ring
    }

    var isEnabled: Bool { settings.isEnabled && trees != nil }

    var initiatedCount: Int { inFlight.values.count(where: \.isInitiator) }
    var servedCount: Int { inFlight.values.count(where: \.isServed) }

    /// Whether an exchange this node initiated is in flight for `partition`.
    func isInitiating(_ partition: Int) -> Bool {
        inFlight.values.contains { $0.isInitiator && $0.partition == partition }
    }

    /// The served exchange that answered `peer`'s `peerOperation`, if in flight.
    func servedOperation(for peer: NodeID, peerOperation: OperationID) -> OperationID? {
        inFlight.first { _, exchange in
            exchange.peer == peer && exchange.state == .awaitingKeys(peerOperation: peerOperation)
        }?.key
    }

    /// Starts the quiet window of every partition whose primaries differ between the last ring seen and
    /// `ring`, from `nowMs`. Cheap when the ring did not change (one comparison).
    mutating func noteRing(_ ring: Ring, nowMs: UInt64) {
        guard ring != lastRing else { return }
        let partitionCount = ring.partitioning.partitionCount
        if quietUntilMs.count != partitionCount { quietUntilMs = Array(repeating: 0, count: partitionCount) }
        for partition in 0..<partitionCount
        where lastRing.partitioning != ring.partitioning
            || lastRing.primaries(ofPartition: partition) != ring.primaries(ofPartition: partition) {
            quietUntilMs[partition] = nowMs + settings.ringChangeQuietMs
        }
        lastRing = ring
    }

    func isQuiet(_ partition: Int, nowMs: UInt64) -> Bool {
        partition < quietUntilMs.count && nowMs < quietUntilMs[partition]
    }
}
