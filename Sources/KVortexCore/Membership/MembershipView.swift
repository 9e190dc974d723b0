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
public struct MembershipView: Sendable {
    public let localNode: NodeID
    public let settings: FailureDetectorSettings
    private(set) var digests: [NodeID: MemberDigest] = [:]
    private var detectors: [NodeID: PhiAccrualDetector] = [:]
    public private(set) var states: [NodeID: MemberState] = [:]
    /// Peers a message could not be delivered to, with the heartbeat known then: down until newer news.
    private var unreachable: [NodeID: MemberDigest] = [:]
    /// The keys of `digests`, sorted; kept up to date so a heartbeat does not sort them again.
    private var sortedMembers: [NodeID] = []

    /// `peerAddress` and `httpAddress` are where this node listens; gossip tells them to the others.
    public init(localNode: NodeID, seeds: [NodeID], settings: FailureDetectorSettings, nowMs: UInt64,
                peerAddress: String = "", httpAddress: String = "") {
        self.localNode = localNode
        self.settings = settings
        // The incarnation starts at the start time (Cassandra's "generation"): a node that restarts
        // without memory of its old heartbeat still gossips news newer than its previous life's.
        digests[localNode] = MemberDigest(node: localNode, incarnation: max(1, nowMs), heartbeat: 0,
                                          peerAddress: peerAddress, httpAddress: httpAddress)
        states[localNode] = .up
        for seed in seeds where seed != localNode {
            // Known by configuration before any gossip: assume up, and let silence prove otherwise.
            digests[seed] = MemberDigest(node: seed, incarnation: 0, heartbeat: 0)
            var detector = PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))
            detector.heartbeat(atMs: nowMs)
            detectors[seed] = detector
            states[seed] = .up
        }
        sortedMembers = digests.keys.sorted()
    }

    /// Every member, sorted by node ID.
    public var members: [NodeID] { sortedMembers }

    public func state(of node: NodeID) -> MemberState? { states[node] }

    /// The latest digest of `node` (its addresses, counters), or nil for a stranger.
    public func digest(of node: NodeID) -> MemberDigest? { digests[node] }

    /// True when requests may be routed to `node`: known and neither down nor gone.
    public func isHealthy(_ node: NodeID) -> Bool {
        switch states[node] {
        case .up, .suspect: true
        case .down, .leaving, nil: false
        }
    }

    /// The local node's heartbeat: call every `heartbeatIntervalMs`; the result is gossiped.
    public mutating func beat() {
        digests[localNode]!.heartbeat += 1
    }

    /// Announces that this node is leaving the ring (`kvortex cluster leave`).
    public mutating func markLeaving() {
        digests[localNode]!.isLeaving = true
        digests[localNode]!.incarnation += 1
        states[localNode] = .leaving
    }

    /// Marks `node` down at once because a message to it could not be delivered (a refused or reset
    /// connection): much sooner than silence would. It stays down until gossip brings a newer heartbeat
    /// of it. Returns the state change, if any.
    public mutating func markUnreachable(_ node: NodeID) -> [(NodeID, MemberState)] {
        guard node != localNode, let digest = digests[node], states[node] != .leaving else { return [] }
        unreachable[node] = digest
        guard states[node] != .down else { return [] }
        states[node] = .down
        return [(node, .down)]
    }

    /// The digests to gossip, sorted by node ID.
    public func gossip() -> [MemberDigest] {
        members.map { digests[$0]! }
    }

    /// Folds in a peer's gossip; a digest with a higher (incarnation, heartbeat) is news and counts as
    /// a heartbeat of that member. Returns the members whose state changed, sorted.
    public mutating func merge(_ incoming: [MemberDigest], nowMs: UInt64) -> [(NodeID, MemberState)] {
        var changed: [(NodeID, MemberState)] = []
        for digest in incoming.sorted(by: { $0.node < $1.node }) where digest.node != localNode {
            let known = digests[digest.node]
            guard known.map({ (digest.incarnation, digest.heartbeat) > ($0.incarnation, $0.heartbeat) }) ?? true else {
                continue
            }
            if known == nil { insertMember(digest.node) }
            digests[digest.node] = digest
            if let marked = unreachable[digest.node],
                (digest.incarnation, digest.heartbeat) > (marked.incarnation, marked.heartbeat) {
                unreachable[digest.node] = nil
            }
            guard unreachable[digest.node] == nil else { continue }
            detectors[digest.node, default: PhiAccrualDetector(firstIntervalMs: Double(settings.heartbeatIntervalMs))]
                .heartbeat(atMs: nowMs)
            let state: MemberState = digest.isLeaving ? .leaving : .up
            if states[digest.node] != state {
                states[digest.node] = state
                changed.append((digest.node, state))
            }
        }
        return changed
    }

    private mutating func insertMember(_ node: NodeID) {
        let index = sortedMembers.firstIndex { node < $0 } ?? sortedMembers.count
        sortedMembers.insert(node, at: index)
    }

    /// Re-evaluates every peer's phi at `nowMs`. Returns the members whose state changed, sorted.
    public mutating func evaluate(nowMs: UInt64) -> [(NodeID, MemberState)] {
        var changed: [(NodeID, MemberState)] = []
        for node in members where node != localNode && states[node] != .leaving && unreachable[node] == nil {
            let phi = detectors[node]?.phi(atMs: nowMs) ?? 0
            let state: MemberState = phi >= settings.downPhi ? .down : phi >= settings.suspectPhi ? .suspect : .up
            if states[node] != state {
                states[node] = state
                changed.append((node, state))
            }
        }
        return changed
    }

    /// The current phi of a peer, for metrics.
    public func phi(of node: NodeID, nowMs: UInt64) -> Double {
        detectors[node]?.phi(atMs: nowMs) ?? 0
    }
}
