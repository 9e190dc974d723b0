/// What drives a node: client operations, peer messages, delivery failures and timers.
public enum NodeInput: Sendable {
    case get(RequestID, key: [UInt8], QuorumOptions)
    case put(RequestID, key: [UInt8], ClientWrite, QuorumOptions)
    case peer(from: NodeID, PeerMessage)
    /// The driver could not deliver `message` to `node` (refused, queue full, partitioned).
    case undeliverable(to: NodeID, PeerMessage)
    case timer(TimerID)
    /// Leave the cluster gracefully: gossip `leaving`, hand every partition to its new owners
    /// (`Node.leaveProgress` says when that is done). Ignored when already leaving.
    case leave
}

public enum TimerID: Hashable, Sendable {
    /// The deadline of an operation this node coordinates or forwarded.
    case deadline(OperationID)
    /// The wait for late replies after a read was answered, before read repair.
    case repairWindow(OperationID)
    /// The periodic heartbeat: beat, gossip, evaluate the failure detector, deliver hints.
    case heartbeat
    /// The next batch of ownership transfers, when the last one sent nothing to wait for (its
    /// partitions were empty) and more are owed.
    case handoff
    /// The next anti-entropy tick (docs/anti-entropy.md §3): may start one exchange; always set again.
    case antiEntropy
}

/// What a node asks its driver to do, in order. The driver (epoll or simulator) performs them.
public enum NodeEffect: Equatable, Sendable {
    case send(to: NodeID, PeerMessage)
    case replyRead(RequestID, Result<ReadOutcome, KVError>)
    case replyWrite(RequestID, Result<WriteOutcome, KVError>)
    case startTimer(TimerID, afterMs: UInt64)
    /// Something an operator should see in the log (a dropped hint, a member state change).
    case log(String)
    /// A member that finished leaving was retired: nothing is sent to it any more, so the driver drops
    /// its address and closes its link (which would otherwise reconnect to it forever). If it starts
    /// again, its gossip brings its address back.
    case forgetPeer(NodeID)
}

/// Tunables of a node; every bound is named here (STYLE.md "Every queue and buffer has a named limit").
public struct NodeSettings: Sendable {
    public var nodeID: NodeID
    /// Where this node listens for peers and clients, gossiped to the others ("" in the simulator).
    public var peerAddress = ""
    public var httpAddress = ""
    public var replicaCount: Int
    public var conflictMode: ConflictMode
    public var siblingsMax: Int
    public var partitioning: Partitioning
    public var failureDetector: FailureDetectorSettings
    /// How long and how many members that left are remembered as tombstones.
    public var departures = DepartureSettings()
    /// How long a read waits for late replies after answering, for read repair.
    public var repairWindowMs: UInt64
    /// Peers gossiped to per heartbeat.
    public var gossipFanout: Int
    /// Hints sent per target per heartbeat; the rest wait for the next one.
    public var hintDeliveryBatchMax: Int
    /// Operations this node coordinates at once; past it new client operations are refused (503).
    public var operationsMax: Int
    /// Deadline of a forwarded write, of a hint delivery.
    public var peerRequestTimeoutMs: UInt64
    /// Objects of ownership transfers sent per batch; the next batch goes when this one is acknowledged.
    public var ownershipObjectsPerBatchMax = 64
    /// Transfers started per batch at most: each start scans storage for its partition's keys.
    public var ownershipPartitionsPerBatchMax = 4
    /// Wait before the next batch when a batch sent no object (so no acknowledgement will start it).
    public var ownershipBatchIntervalMs: UInt64 = 10
    /// Confirmed tombstone reaps (off: the engines reap on the grace alone, as a cluster of one does).
    public var reaping = ReapSettings()
    /// Bugs switched on deliberately so the simulator's checkers can prove they catch them. Only the
    /// simulator sets this; production passes none, and there is no global switch.
    public var plantedBugs: PlantedBugs = []

    public init(nodeID: NodeID, replicaCount: Int = 3, conflictMode: ConflictMode = .siblings,
                siblingsMax: Int = Limits.siblingsMaxDefault, partitioning: Partitioning = Partitioning(),
                failureDetector: FailureDetectorSettings = FailureDetectorSettings(), repairWindowMs: UInt64 = 100,
                gossipFanout: Int = 2, hintDeliveryBatchMax: Int = 64, operationsMax: Int = 100_000,
                peerRequestTimeoutMs: UInt64 = 2_000) {
        self.nodeID = nodeID
        self.replicaCount = replicaCount
        self.conflictMode = conflictMode
        self.siblingsMax = siblingsMax
        self.partitioning = partitioning
        self.failureDetector = failureDetector
        self.repairWindowMs = repairWindowMs
        self.gossipFanout = gossipFanout
        self.hintDeliveryBatchMax = hintDeliveryBatchMax
        self.operationsMax = operationsMax
        self.peerRequestTimeoutMs = peerRequestTimeoutMs
    }
}

/// Deliberate bugs for checker tests (STYLE.md "Determinism": planted bugs come in as a value).
public struct PlantedBugs: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Read repair is computed but never sent: stale replicas stay stale.
    public static let skipReadRepair = PlantedBugs(rawValue: 1 << 0)
    /// Hinted writes are acknowledged but not kept: writes acknowledged by stand-ins are lost.
    public static let dropHints = PlantedBugs(rawValue: 1 << 1)
    /// Dots are minted from the client's context alone, so blind writes reuse dots and overwrite.
    public static let mintFromContextOnly = PlantedBugs(rawValue: 1 << 2)
    /// Reads answer after the first reply whatever R is, so R + W > N no longer guarantees fresh reads.
    public static let readQuorumOfOne = PlantedBugs(rawValue: 1 << 3)
    /// Hints held for a member that left are never handed to the keys' current replicas: they stay
    /// queued for a node that is gone.
    public static let keepHintsForDeparted = PlantedBugs(rawValue: 1 << 4)
    /// Leaving members that fell silent are never retired to tombstones: they stay `leaving` in the
    /// member list for good.
    public static let neverRetireDeparted = PlantedBugs(rawValue: 1 << 5)
    /// Reap candidates are removed without asking the other primaries (the grace alone, as before
    /// confirmed reaps): a replica that missed the delete resurrects it.
    public static let reapWithoutConfirmation = PlantedBugs(rawValue: 1 << 6)
}
