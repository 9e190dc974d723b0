/// One KVortex node as a value: `handle(input, nowMs)` returns the effects to perform.
///
/// Composes membership, placement, the get and put coordinators, handoff and the local replica.
/// It never reads a clock, socket, thread or random source: the driver passes the time, and the
/// seed of the generator used to pick gossip peers. Therefore the simulator replays a node exactly,
/// and the code it proves is the code that serves traffic (DESIGN.md "The shape").
public struct Node: Sendable {
    public let settings: NodeSettings
    public let actor: ActorID
    let storage: any StorageEngine
    let hints: any HintStore
    public internal(set) var membership: MembershipView
    var placement: Ring
    var clock: HybridLogicalClock
    var random: SplitMix64
    /// Differs from one start of the node to the next (the driver's random seed): operation IDs start
    /// again at every start, so what must never repeat across starts mixes this in.
    let startNonce: UInt64
    var operations = OperationTable<Operation>()
    /// An empty array with capacity, lent to each step of a read for its coordinator's actions and
    /// given back emptied: an array allocated per reply that asked for any cost ~300 instructions.
    var spareReadActions: [GetCoordinator.Action] = []
    var spareReadBoxes = SpareOperationBoxes<GetCoordinator>()
    var spareWriteBoxes = SpareOperationBoxes<PendingWrite>()
    /// Hint deliveries in flight per target (at most one batch each).
    var hintBatchesInFlight: [NodeID: Int] = [:]
    public internal(set) var counters = NodeCounters()
    /// Partitions owed to new owners after ring changes (`Node+Ownership.swift`).
    var transfers: OwnershipTransfers
    /// True while a `.handoff` timer is pending (at most one).
    var isHandoffTimerSet = false
    /// True once `leave` started; never false again in this start of the node.
    public internal(set) var isLeaving = false
    /// `counters.ownershipObjectsHandedOff` when the leave started, so the leave reports its own.
    var leaveObjectsBaseline: UInt64 = 0
    /// Confirmed reaps: the round in flight and the reaped memory (`Node+Reap.swift`), boxed like
    /// anti-entropy's state so that copies of the node stay small (`reaping` reads and changes it).
    var reapingBox: OperationBox<ReapState>
    /// Anti-entropy: settings, trees and exchanges in flight, boxed so the node grows by one reference
    /// (`Node+AntiEntropy.swift`).
    var antiEntropyBox: OperationBox<Exchanges>

    /// Who gets the result of a write this node coordinates.
    enum ReplyTo: Sendable {
        case client(RequestID)
        case peer(NodeID, OperationID)
    }

    /// An operation in flight: one reference, so the table moves 8 bytes per event (`OperationBox`).
    /// The coordinators advance in their boxes; the rarer kinds are `indirect`, made once and read.
    enum Operation: Sendable {
        case read(OperationBox<GetCoordinator>)
        case write(OperationBox<PendingWrite>)
        indirect case forward(ForwardedWrite)
        /// A hint sent to its target, or (`isRedirect`) to a current replica of its key because its
        /// target left; either way `target` names the queue that holds it.
        indirect case hintDelivery(target: NodeID, key: [UInt8], sequence: UInt64, isRedirect: Bool)
        /// One object of an ownership transfer, sent to its new owner.
        indirect case transfer(OwnershipTransfers.Transfer, key: [UInt8])
        /// A `reapCheck` sent to `peer`; the round in `reaping` knows what it asked.
        case reapCheck(peer: NodeID)
        /// An anti-entropy exchange, initiated or served; `antiEntropy.inFlight` holds it.
        case exchange

        var isRead: Bool { if case .read = self { true } else { false } }
        var isWrite: Bool { if case .write = self { true } else { false } }
        var isForward: Bool { if case .forward = self { true } else { false } }
        var isReapCheck: Bool { if case .reapCheck = self { true } else { false } }
        func isReapCheck(of peer: NodeID) -> Bool { if case .reapCheck(let asked) = self { asked == peer } else { false } }
    }

    /// A client write sent to a replica to coordinate; `tried` are the replicas asked so far.
    struct ForwardedWrite: Sendable {
        let replyTo: ReplyTo
        let key: [UInt8]
        let write: ClientWrite
        let options: QuorumOptions
        let tried: [NodeID]
    }

    /// A write this node coordinates, and who gets its result.
    struct PendingWrite: Sendable {
        var coordinator: PutCoordinator
        let replyTo: ReplyTo
    }

    public init(settings: NodeSettings, epoch: UInt64, storage: any StorageEngine, hints: any HintStore,
                placement: Ring, seeds: [NodeID], randomSeed: UInt64, nowMs: UInt64,
                antiEntropy: AntiEntropySettings = AntiEntropySettings(), trees: PartitionTrees? = nil) {
        self.settings = settings
        self.actor = ActorID(node: settings.nodeID, epoch: epoch)
        self.storage = storage
        self.hints = hints
        self.placement = placement
        self.membership = MembershipView(localNode: settings.nodeID, seeds: seeds, settings: settings.failureDetector,
                                         nowMs: nowMs, peerAddress: settings.peerAddress, httpAddress: settings.httpAddress,
                                         departures: settings.departures)
        self.clock = HybridLogicalClock()
        self.random = SplitMix64(seed: randomSeed)
        self.startNonce = randomSeed
        self.transfers = OwnershipTransfers(
            transfersMax: settings.partitioning.partitionCount * max(1, settings.replicaCount))
        self.reapingBox = OperationBox(ReapState(settings: settings.reaping))
        self.antiEntropyBox = OperationBox(Exchanges(settings: antiEntropy, trees: trees, ring: placement))
    }

    public var nodeID: NodeID { settings.nodeID }

    /// The effects a node needs at start: its heartbeat timer, and its anti-entropy timer when on.
    public func start() -> [NodeEffect] {
        [.startTimer(.heartbeat, afterMs: settings.failureDetector.heartbeatIntervalMs)] + (firstAntiEntropyTimer.map { [$0] } ?? [])
    }

    /// Feeds one input in; returns the effects to perform, in order.
    public mutating func handle(_ input: NodeInput, nowMs: UInt64) -> [NodeEffect] {
        var effects: [NodeEffect] = []
        handle(input, nowMs: nowMs, into: &effects)
        return effects
    }

    /// Feeds one input in and appends the effects to perform, in order, to `effects`; leaves the
    /// effects already there unchanged. A driver that empties one array and passes it again saves an
    /// allocation per input and per step of the input (about 7 % of the simulator's instructions were
    /// the effect arrays each step returned and the next concatenated).
    public mutating func handle(_ input: NodeInput, nowMs: UInt64, into effects: inout [NodeEffect]) {
        switch input {
        case .get(let request, let key, let options):
            startRead(request, key: key, options: options, nowMs: nowMs, into: &effects)
        case .put(let request, let key, let write, let options):
            startWrite(.client(request), key: key, write: write, options: options, nowMs: nowMs, into: &effects)
        case .peer(let from, let message):
            receive(message, from: from, nowMs: nowMs, into: &effects)
        case .undeliverable(let to, let message):
            undeliverable(message, to: to, nowMs: nowMs, into: &effects)
        case .timer(.heartbeat):
            heartbeat(nowMs: nowMs, into: &effects)
        case .timer(.deadline(let operation)):
            deadline(operation, nowMs: nowMs, into: &effects)
        case .timer(.repairWindow(let operation)):
            repairWindowClosed(operation, nowMs: nowMs, into: &effects)
        case .timer(.handoff):
            isHandoffTimerSet = false
            pumpTransfers(nowMs: nowMs, into: &effects)
        case .timer(.antiEntropy):
            antiEntropyTick(nowMs: nowMs, into: &effects)
        case .leave:
            leave(nowMs: nowMs, into: &effects)
        }
    }

    /// False when handling `timer` now would change nothing and return no effect: the deadline or
    /// the repair window of an operation that has finished. A driver may skip such a timer; the
    /// simulator does, since most deadlines and repair windows outlive their operation (each skipped
    /// timer saves about 600 instructions of handling).
    public func isLive(_ timer: TimerID) -> Bool {
        switch timer {
        case .deadline(let operation), .repairWindow(let operation): operations.contains(operation)
        case .heartbeat, .handoff, .antiEntropy: true
        }
    }

    /// `node.isLive(timer)` for a driver that holds the node in place (an element of its array).
    /// Leaves the node unchanged; `inout` only so that it is read where it lies: a call of the
    /// method on an array element copied the whole node first (680 bytes, ~120 instructions a timer).
    public static func isLive(_ timer: TimerID, in node: inout Node) -> Bool {
        node.isLive(timer)
    }

    /// The ring this node routes by.
    public var ring: Ring { placement }

    /// Replaces the placement (tests; a running node grows its ring itself, `growRing`).
    public mutating func updatePlacement(_ placement: Ring) {
        self.placement = placement
    }

    mutating func allocateOperationID() -> OperationID {
        operations.allocate()
    }

    /// The primaries of `key` that this node believes healthy, and the partition.
    func replicas(of key: [UInt8]) -> (partition: Int, primaries: [NodeID]) {
        let partition = settings.partitioning.partition(of: key)
        return (partition, placement.primaries(ofPartition: partition))
    }
}

/// Counters of a node's work, for metrics and the simulator's report.
public struct NodeCounters: Equatable, Sendable {
    public var readRepairsSent: UInt64 = 0
    public var hintsStored: UInt64 = 0
    public var hintsDropped: UInt64 = 0
    public var hintsDelivered: UInt64 = 0
    /// Hints for members that left, dropped once a current replica of their key had them (merged
    /// here, or acknowledged): `Node+Handoff.redirectHintBatch`.
    public var hintsRedirected: UInt64 = 0
    public var writesForwarded: UInt64 = 0
    public var siblingsCapped: UInt64 = 0
    public var lwwOverwrites: UInt64 = 0
    public var operationsRefused: UInt64 = 0
    public var storageFailures: UInt64 = 0
    /// Ownership transfers (partition, new owner) queued after ring changes, finished, and dropped
    /// while waiting because a later ring change took the partition from their target: enqueued =
    /// completed + dropped + pending.
    public var ownershipTransfersEnqueued: UInt64 = 0
    public var ownershipTransfersCompleted: UInt64 = 0
    public var ownershipTransfersDropped: UInt64 = 0
    /// Objects new owners acknowledged (one per object per new owner), and deliveries that failed
    /// (their transfer is sent again).
    public var ownershipObjectsHandedOff: UInt64 = 0
    public var ownershipDeliveriesFailed: UInt64 = 0
    /// Confirmed reaps (docs/anti-entropy.md §4): removed once every other primary said yes; refused
    /// by a primary holding something else; deferred because a primary was down, or did not answer;
    /// confirmed but found changed when removed (a write came in meanwhile).
    public var reapsConfirmed: UInt64 = 0
    public var reapsRefused: UInt64 = 0
    public var reapsDeferredUnreachable: UInt64 = 0
    public var reapsDeferredUnanswered: UInt64 = 0
    public var reapsChanged: UInt64 = 0
    /// `reapCheck` entries this node answered, and how many of them it answered yes.
    public var reapChecksAnswered: UInt64 = 0
    public var reapChecksAnsweredYes: UInt64 = 0
    /// Incoming objects dropped because the reaped memory's clock descends theirs (stale copies of
    /// reaped tombstones), on every merge path.
    public var staleObjectsDropped: UInt64 = 0

    public init() {}
}
