/// How this node sees a member right now. Down is a local opinion used for routing (DESIGN.md).
public enum MemberState: String, Sendable, CaseIterable {
    case up, suspect, down, leaving
}

/// Thresholds of the failure detector; configurable per cluster.
public struct FailureDetectorSettings: Hashable, Sendable {
    /// Phi above which a member is suspect (still routed to, but reported).
    public var suspectPhi: Double
    /// Phi above which a member is down (routed around: stand-ins take its writes).
    public var downPhi: Double
    /// The heartbeat interval members use; the detector's prior before it has samples.
    public var heartbeatIntervalMs: UInt64

    public init(suspectPhi: Double = 5, downPhi: Double = 8, heartbeatIntervalMs: UInt64 = 200) {
        precondition(suspectPhi > 0 && downPhi >= suspectPhi, "need 0 < suspectPhi (\(suspectPhi)) <= downPhi (\(downPhi))")
        self.suspectPhi = suspectPhi
        self.downPhi = downPhi
        self.heartbeatIntervalMs = heartbeatIntervalMs
    }
}

/// This node's view of the cluster: every member's latest digest, a failure detector per peer, and
/// the state each is in. Merges gossip; never reads a clock (the node passes `nowMs`).
///
/// Members are records in an array sorted by node ID, found by a slot number: a heartbeat and a
/// gossip merge walk the array, and a lookup by ID hashes once, where four dictionaries keyed by node
/// ID made a merge hash each member up to seven times (about 6 % of the simulator's instructions).
public struct MembershipView: Sendable {
    public let localNode: NodeID
    public let settings: FailureDetectorSettings
    /// Every member, sorted by node ID.
    private var records: [MemberRecord] = []
    /// The index in `records` of each member; rebuilt when a member joins (rare).
    private var slots: [NodeID: Int] = [:]
    /// The node IDs of `records`, in order: handed out by `members` without building an array.
    private var sortedMembers: [NodeID] = []

    /// `peerAddress` and `httpAddress` are where this node listens; gossip tells them to the others.
    public init(localNode: NodeID, seeds: [NodeID], settings: FailureDetectorSettings, nowMs: UInt64,
                peerAddress: String = "", httpAddress: String = "") {
        self.localNode = localNode
        self.settings = settings
        // The incarnation starts at the start time (Cassandra's "generation"): a node that restarts
        // without memory of its old heartbeat still gossips news newer than its previous life's.
        var known: [NodeID: MemberRecord] = [:]
        known[localNode] = MemberRecord(
            digest: MemberDigest(node: localNode, incarnation: max(1, nowMs), heartbeat: 0,
                                 peerAddress: peerAddress, httpAddress: httpAddress),
            state: .up)
        for seed in seeds where seed != localNode {
            // Known by configuration before any gossip: assume up, and let silence prove otherwise.
            var detector = PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))
            detector.heartbeat(atMs: nowMs)
            known[seed] = MemberRecord(digest: MemberDigest(node: seed, incarnation: 0, heartbeat: 0),
                                       detector: detector, state: .up)
        }
        records = known.keys.sorted().map { known[$0]! }
        indexRecords()
    }

    /// Every member, sorted by node ID.
    public var members: [NodeID] { sortedMembers }

    public func state(of node: NodeID) -> MemberState? {
        slots[node].map { records[$0].state }
    }

    /// The latest digest of `node` (its addresses, counters), or nil for a stranger.
    public func digest(of node: NodeID) -> MemberDigest? {
        slots[node].map { records[$0].digest }
    }

    /// True when requests may be routed to `node`: known and neither down nor gone.
    public func isHealthy(_ node: NodeID) -> Bool {
        switch state(of: node) {
        case .up, .suspect: true
        case .down, .leaving, nil: false
        }
    }

    /// The members other than this node that are not leaving, sorted: whom gossip may go to.
    public var gossipTargets: [NodeID] {
        records.compactMap { $0.digest.node != localNode && $0.state != .leaving ? $0.digest.node : nil }
    }

    /// The local node's heartbeat: call every `heartbeatIntervalMs`; the result is gossiped.
    public mutating func beat() {
        records[localSlot].digest.heartbeat += 1
    }

    /// Announces that this node is leaving the ring (`kvortex cluster leave`).
    public mutating func markLeaving() {
        let local = localSlot
        records[local].digest.isLeaving = true
        records[local].digest.incarnation += 1
        records[local].state = .leaving
    }

    /// Marks `node` down at once because a message to it could not be delivered (a refused or reset
    /// connection): much sooner than silence would. It stays down until gossip brings a newer heartbeat
    /// of it. Returns the state change, if any.
    public mutating func markUnreachable(_ node: NodeID) -> [(NodeID, MemberState)] {
        guard node != localNode, let slot = slots[node], records[slot].state != .leaving else { return [] }
        records[slot].unreachable = records[slot].digest
        guard records[slot].state != .down else { return [] }
        records[slot].state = .down
        return [(node, .down)]
    }

    /// The digests to gossip, sorted by node ID.
    public func gossip() -> [MemberDigest] {
        records.map(\.digest)
    }

    /// Folds in a peer's gossip; a digest with a higher (incarnation, heartbeat) is news and counts as
    /// a heartbeat of that member. Returns the members whose state changed, sorted.
    public mutating func merge(_ incoming: [MemberDigest], nowMs: UInt64) -> [(NodeID, MemberState)] {
        var changed: [(NodeID, MemberState)] = []
        // Gossip comes sorted (`gossip()`): sorting it again would allocate on every message.
        let isSorted = zip(incoming, incoming.dropFirst()).allSatisfy { !($1.node < $0.node) }
        for digest in isSorted ? incoming : incoming.sorted(by: { $0.node < $1.node }) where digest.node != localNode {
            let state: MemberState = digest.isLeaving ? .leaving : .up
            let slot: Int
            var isNew = false
            if let known = slots[digest.node] {
                let current = records[known].digest
                guard (digest.incarnation, digest.heartbeat) > (current.incarnation, current.heartbeat) else { continue }
                slot = known
                records[slot].digest = digest
            } else {
                slot = insertMember(digest, state: state)
                isNew = true
            }
            if let marked = records[slot].unreachable,
                (digest.incarnation, digest.heartbeat) > (marked.incarnation, marked.heartbeat) {
                records[slot].unreachable = nil
            }
            guard records[slot].unreachable == nil else { continue }
            if records[slot].detector == nil {
                records[slot].detector = PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))
            }
            records[slot].detector!.heartbeat(atMs: nowMs)
            if isNew || records[slot].state != state {
                records[slot].state = state
                changed.append((digest.node, state))
            }
        }
        return changed
    }

    /// Re-evaluates every peer's phi at `nowMs`. Returns the members whose state changed, sorted.
    public mutating func evaluate(nowMs: UInt64) -> [(NodeID, MemberState)] {
        var changed: [(NodeID, MemberState)] = []
        for slot in records.indices where records[slot].digest.node != localNode {
            guard records[slot].state != .leaving, records[slot].unreachable == nil else { continue }
            let phi = records[slot].detector?.phi(atMs: nowMs) ?? 0
            let state: MemberState = phi >= settings.downPhi ? .down : phi >= settings.suspectPhi ? .suspect : .up
            if records[slot].state != state {
                records[slot].state = state
                changed.append((records[slot].digest.node, state))
            }
        }
        return changed
    }

    /// The current phi of a peer, for metrics.
    public func phi(of node: NodeID, nowMs: UInt64) -> Double {
        slots[node].flatMap { records[$0].detector?.phi(atMs: nowMs) } ?? 0
    }

    private var localSlot: Int {
        guard let slot = slots[localNode] else { preconditionFailure("the local node \(localNode) is not a member") }
        return slot
    }

    /// Adds a member heard of for the first time, with no detector yet; returns its slot.
    private mutating func insertMember(_ digest: MemberDigest, state: MemberState) -> Int {
        let slot = records.firstIndex { digest.node < $0.digest.node } ?? records.count
        records.insert(MemberRecord(digest: digest, state: state), at: slot)
        indexRecords()
        return slot
    }

    private mutating func indexRecords() {
        sortedMembers = records.map(\.digest.node)
        slots = Dictionary(uniqueKeysWithValues: sortedMembers.enumerated().map { ($1, $0) })
    }
}

/// What a view knows of one member.
struct MemberRecord: Sendable {
    var digest: MemberDigest
    /// Nil for the local node, and for a member until its first heartbeat is seen.
    var detector: PhiAccrualDetector?
    var state: MemberState
    /// Set when a message to the member could not be delivered, with the digest known then: the
    /// member stays down until gossip brings a newer one.
    var unreachable: MemberDigest?
}
