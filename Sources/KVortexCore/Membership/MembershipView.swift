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
/// gossip merge walk the array, where four dictionaries keyed by node ID made a merge hash each
/// member up to seven times (about 6 % of the simulator's instructions). A lookup by ID compares IDs
/// along the array up to `linearLookupMembersMax` members (an ID compares its precomputed hash
/// first), and hashes into `slots` beyond: hashing a node ID runs SipHash, several times the cost of
/// walking a handful of members, and routing asks it for every replica of every request.
///
/// The digests are an array of their own beside the records, in the same order: it is what gossip
/// sends, as it is (building it per heartbeat copied every digest), and a heartbeat writes it in place
/// once the gossip sent last has been delivered and released it.
public struct MembershipView: Sendable {
    public let localNode: NodeID
    public let settings: FailureDetectorSettings
    /// How long and how many members that left are remembered (`MemberTombstones`).
    public let departures: DepartureSettings
    /// Members that left: not members any more, remembered so old gossip cannot bring them back.
    var tombstones = MemberTombstones()
    /// What became of members that left, for metrics.
    public internal(set) var departureCounters = DepartureCounters()
    /// Every member's latest digest, sorted by node ID.
    private var digests: [MemberDigest] = []
    /// What this view knows of each member besides its digest, in the order of `digests`.
    private var records: [MemberRecord] = []
    /// The slot (index in `digests` and `records`) of each member when there are more than
    /// `linearLookupMembersMax` (empty otherwise); rebuilt when a member joins (rare).
    private var slots: [NodeID: Int] = [:]
    /// The node IDs of `digests`, in order: handed out by `members` without building an array.
    private var sortedMembers: [NodeID] = []
    /// Members up to which a lookup walks `sortedMembers` instead of hashing into `slots`.
    static let linearLookupMembersMax = 32

    /// `peerAddress` and `httpAddress` are where this node listens; gossip tells them to the others.
    public init(localNode: NodeID, seeds: [NodeID], settings: FailureDetectorSettings, nowMs: UInt64,
                peerAddress: String = "", httpAddress: String = "", departures: DepartureSettings = DepartureSettings()) {
        self.localNode = localNode
        self.settings = settings
        self.departures = departures
        // The incarnation starts at the start time (Cassandra's "generation"): a node that restarts
        // without memory of its old heartbeat still gossips news newer than its previous life's.
        var known: [NodeID: (MemberDigest, MemberRecord)] = [:]
        known[localNode] = (MemberDigest(node: localNode, incarnation: max(1, nowMs), heartbeat: 0,
                                         peerAddress: peerAddress, httpAddress: httpAddress),
                            MemberRecord(state: .up))
        for seed in seeds where seed != localNode {
            // Known by configuration before any gossip: assume up, and let silence prove otherwise.
            var detector = PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))
            detector.heartbeat(atMs: nowMs)
            known[seed] = (MemberDigest(node: seed, incarnation: 0, heartbeat: 0), MemberRecord(detector: detector, state: .up))
        }
        let sorted = known.keys.sorted()
        digests = sorted.map { known[$0]!.0 }
        records = sorted.map { known[$0]!.1 }
        indexRecords()
    }

    /// Every member, sorted by node ID.
    public var members: [NodeID] { sortedMembers }

    public func state(of node: NodeID) -> MemberState? {
        slot(of: node).map { records[$0].state }
    }

    /// The latest digest of `node` (its addresses, counters), or nil for a stranger.
    public func digest(of node: NodeID) -> MemberDigest? {
        slot(of: node).map { digests[$0] }
    }

    /// True when requests may be routed to `node`: known and neither down nor gone.
    public func isHealthy(_ node: NodeID) -> Bool {
        switch state(of: node) {
        case .up, .suspect: true
        case .down, .leaving, nil: false
        }
    }

    /// The members other than this node, sorted: whom gossip may go to. Leaving members too, until
    /// they are retired: a leaving node hands its partitions off only to members it believes healthy,
    /// and once it found one unreachable only gossip (newer news of it) makes it healthy again. When
    /// members stopped gossiping to a leaving node, one that had been cut off from a new owner while
    /// it left never learned the owner was back, and its leave never finished (found by the
    /// simulator's `leave-during-partition`; docs/replication.md "What the simulator taught us").
    public var gossipTargets: [NodeID] {
        var targets = sortedMembers
        if let local = targets.firstIndex(of: localNode) { targets.remove(at: local) }
        return targets
    }

    /// The local node's heartbeat: call every `heartbeatIntervalMs`; the result is gossiped.
    public mutating func beat() {
        digests[localSlot].heartbeat += 1
    }

    /// Announces that this node is leaving the ring (`kvortex cluster leave`).
    public mutating func markLeaving() {
        let local = localSlot
        digests[local].isLeaving = true
        digests[local].incarnation += 1
        records[local].state = .leaving
    }

    /// Marks `node` down at once because a message to it could not be delivered (a refused or reset
    /// connection): much sooner than silence would. It stays down until gossip brings a newer heartbeat
    /// of it. Returns the state change, if any.
    public mutating func markUnreachable(_ node: NodeID) -> [(NodeID, MemberState)] {
        guard node != localNode, let slot = slot(of: node), records[slot].state != .leaving else { return [] }
        records[slot].unreachable = digests[slot].news
        guard records[slot].state != .down else { return [] }
        records[slot].state = .down
        return [(node, .down)]
    }

    /// The digests to gossip, sorted by node ID: the members', and the tombstones' (their last
    /// digest, leaving), so a peer that missed the leave still learns it. Without tombstones (the
    /// usual case) the digests are returned as they are, not copied.
    public func gossip() -> [MemberDigest] {
        tombstones.isEmpty ? digests : tombstones.merged(into: digests)
    }

    /// Folds in a peer's gossip; a digest with a higher (incarnation, heartbeat) is news and counts as
    /// a heartbeat of that member. Returns the members whose state changed, sorted.
    ///
    /// Gossip comes sorted (`gossip()`) and usually names the members this view holds, so each digest
    /// is first compared with the record after the last one matched; digests are read in place and a
    /// known member's counters are updated in place (copying digests was a third of a merge).
    public mutating func merge(_ incoming: [MemberDigest], nowMs: UInt64) -> [(NodeID, MemberState)] {
        var changed: [(NodeID, MemberState)] = []
        // Sorting gossip that arrives sorted would allocate on every message. (Checked by index:
        // `zip` copied every digest twice.)
        let isSorted = incoming.indices.dropFirst().allSatisfy { !(incoming[$0].node < incoming[$0 - 1].node) }
        let gossip = isSorted ? incoming : incoming.sorted(by: { $0.node < $1.node })
        var next = 0
        for index in gossip.indices where gossip[index].node != localNode {
            let news = gossip[index].news
            let state: MemberState = gossip[index].isLeaving ? .leaving : .up
            let slot: Int
            var isNew = false
            if let known = next < records.count && sortedMembers[next] == gossip[index].node ? next : self.slot(of: gossip[index].node) {
                next = known + 1
                guard news > digests[known].news else { continue }
                slot = known
                digests[slot].update(to: gossip, at: index)
            } else {
                guard admitsStranger(gossip[index]) else { continue }
                slot = insertMember(gossip[index], state: state)
                next = slot + 1
                isNew = true
            }
            if let marked = records[slot].unreachable, news > marked {
                records[slot].unreachable = nil
            }
            guard records[slot].unreachable == nil else { continue }
            if records[slot].detector == nil {
                records[slot].detector = PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))
            }
            records[slot].detector!.heartbeat(atMs: nowMs)
            if isNew || records[slot].state != state {
                records[slot].state = state
                changed.append((gossip[index].node, state))
            }
        }
        return changed
    }

    /// Re-evaluates every peer's phi at `nowMs`. Returns the members whose state changed, sorted.
    ///
    /// Reads first and writes only the members that changed: the records are not written (and so
    /// not copied when another copy of the view shares them) when nothing changed, the usual case.
    public mutating func evaluate(nowMs: UInt64) -> [(NodeID, MemberState)] {
        let changed = stateChanges(nowMs: nowMs)
        for (slot, state) in changed { records[slot].state = state }
        return changed.map { (sortedMembers[$0.slot], $0.state) }
    }

    /// The slots whose state a failure-detector evaluation at `nowMs` changes, with their new state.
    private func stateChanges(nowMs: UInt64) -> [(slot: Int, state: MemberState)] {
        var changed: [(slot: Int, state: MemberState)] = []
        for slot in records.indices where sortedMembers[slot] != localNode {
            guard records[slot].state != .leaving, records[slot].unreachable == nil else { continue }
            let phi = records[slot].detector?.phi(atMs: nowMs) ?? 0
            let state: MemberState = phi >= settings.downPhi ? .down : phi >= settings.suspectPhi ? .suspect : .up
            if records[slot].state != state { changed.append((slot, state)) }
        }
        return changed
    }

    /// The current phi of a peer, for metrics.
    public func phi(of node: NodeID, nowMs: UInt64) -> Double {
        slot(of: node).flatMap { records[$0].detector?.phi(atMs: nowMs) } ?? 0
    }

    private var localSlot: Int {
        guard let slot = slot(of: localNode) else { preconditionFailure("the local node \(localNode) is not a member") }
        return slot
    }

    /// The index of `node` in `records`, or nil for a stranger.
    private func slot(of node: NodeID) -> Int? {
        guard sortedMembers.count <= Self.linearLookupMembersMax else { return slots[node] }
        for slot in sortedMembers.indices where sortedMembers[slot] == node { return slot }
        return nil
    }

    /// Adds a member heard of for the first time, with no detector yet; returns its slot.
    private mutating func insertMember(_ digest: MemberDigest, state: MemberState) -> Int {
        precondition(tombstones.tombstone(of: digest.node) == nil, "\(digest.node) inserted while tombstoned")
        let slot = sortedMembers.firstIndex { digest.node < $0 } ?? sortedMembers.count
        digests.insert(digest, at: slot)
        records.insert(MemberRecord(state: state), at: slot)
        indexRecords()
        return slot
    }

    /// Removes the member at `slot` (it left) and returns its digest. Does not touch the tombstones.
    mutating func removeMember(at slot: Int) -> MemberDigest {
        precondition(sortedMembers[slot] != localNode, "the local node \(localNode) cannot be removed")
        records.remove(at: slot)
        let digest = digests.remove(at: slot)
        indexRecords()
        return digest
    }

    /// The slots of leaving members (not this node) whose silence at `nowMs` reaches `downPhi`: they
    /// have finished leaving and stopped. Sorted.
    func silentLeavingSlots(nowMs: UInt64) -> [Int] {
        records.indices.filter { slot in
            records[slot].state == .leaving && sortedMembers[slot] != localNode
                && (records[slot].detector?.phi(atMs: nowMs) ?? 0) >= settings.downPhi
        }
    }

    private mutating func indexRecords() {
        sortedMembers = digests.map(\.node)
        slots = sortedMembers.count <= Self.linearLookupMembersMax
            ? [:] : Dictionary(uniqueKeysWithValues: sortedMembers.enumerated().map { ($1, $0) })
    }
}

/// What a view knows of one member besides its digest.
struct MemberRecord: Sendable {
    /// Nil for the local node, and for a member until its first heartbeat is seen.
    var detector: PhiAccrualDetector?
    var state: MemberState
    /// Set when a message to the member could not be delivered, with the news known then: the
    /// member stays down until gossip brings newer news.
    var unreachable: MemberNews?

    init(detector: PhiAccrualDetector? = nil, state: MemberState) {
        self.detector = detector
        self.state = state
    }
}

/// How new a member's digest is: a digest with a higher (incarnation, heartbeat) replaces one with a
/// lower. Two counters, so records keep and compare them without copying a digest's strings.
struct MemberNews: Comparable, Sendable {
    var incarnation: UInt64
    var heartbeat: UInt64

    static func < (lhs: MemberNews, rhs: MemberNews) -> Bool {
        (lhs.incarnation, lhs.heartbeat) < (rhs.incarnation, rhs.heartbeat)
    }
}

extension MemberDigest {
    var news: MemberNews { MemberNews(incarnation: incarnation, heartbeat: heartbeat) }

    /// Becomes `digests[index]`, a newer digest of the same member: the counters are written in
    /// place, and the addresses only when they changed (assigning the whole digest copied and released
    /// its strings). The digest is read where it lies: passing it copied it (~100 instructions).
    mutating func update(to digests: [MemberDigest], at index: Int) {
        precondition(node == digests[index].node, "digest of \(digests[index].node) applied to \(node)")
        incarnation = digests[index].incarnation
        heartbeat = digests[index].heartbeat
        isLeaving = digests[index].isLeaving
        if peerAddress != digests[index].peerAddress { peerAddress = digests[index].peerAddress }
        if httpAddress != digests[index].httpAddress { httpAddress = digests[index].httpAddress }
    }
}
