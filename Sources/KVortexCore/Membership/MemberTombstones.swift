/// How long, and how many, members that left are remembered (DESIGN.md "Membership and failure").
public struct DepartureSettings: Hashable, Sendable {
    /// How long a member that left is remembered (and gossiped as leaving) after it fell silent, before
    /// it is forgotten entirely. Gossip older than the tombstone cannot bring the member back meanwhile;
    /// a peer cut off for longer than this that still gossips the member's pre-leave digest could
    /// (docs/decisions.md, "A member that left is a tombstone for a while, then forgotten").
    public var tombstoneRetentionMs: UInt64
    /// Tombstones kept at most; past it the oldest is forgotten early and counted.
    public var tombstonesMax: Int

    /// A day: Cassandra keeps its LEFT state three days; a tombstone costs one digest in each gossip.
    public static let tombstoneRetentionMsDefault: UInt64 = 24 * 3_600_000
    public static let tombstonesMaxDefault = 64

    public init(tombstoneRetentionMs: UInt64 = Self.tombstoneRetentionMsDefault, tombstonesMax: Int = Self.tombstonesMaxDefault) {
        precondition(tombstonesMax >= 1, "tombstonesMax (\(tombstonesMax)) must be at least 1")
        self.tombstoneRetentionMs = tombstoneRetentionMs
        self.tombstonesMax = tombstonesMax
    }
}

/// What became of members that left, for metrics.
public struct DepartureCounters: Equatable, Sendable {
    /// Leaving members that fell silent and became tombstones (gone from the member list).
    public var membersRetired: UInt64 = 0
    /// Tombstones forgotten after their retention.
    public var tombstonesExpired: UInt64 = 0
    /// Tombstones forgotten before their retention because `tombstonesMax` were held.
    public var tombstonesEvicted: UInt64 = 0
    /// Gossiped digests of a tombstoned member from before its leave (not leaving, an incarnation no
    /// newer than the tombstone's), ignored: each would have brought it back. Its `leaving` digests,
    /// which peers holding the same tombstone gossip all the time, are ignored without counting.
    public var staleDigestsIgnored: UInt64 = 0
    /// Tombstones lifted because the member came back with a newer incarnation (started again).
    public var membersRejoined: UInt64 = 0

    public init() {}
}

/// The members that left and are still remembered, sorted by node ID: each with its last digest
/// (leaving) and when it was retired. Bounded by `DepartureSettings.tombstonesMax`.
struct MemberTombstones: Sendable {
    struct Tombstone: Sendable {
        /// The member's last digest, `isLeaving`; gossiped as it is while the tombstone is kept.
        var digest: MemberDigest
        var retiredAtMs: UInt64
    }

    private(set) var tombstones: [Tombstone] = []

    var isEmpty: Bool { tombstones.isEmpty }
    var count: Int { tombstones.count }

    /// The tombstone of `node`, or nil.
    func tombstone(of node: NodeID) -> Tombstone? {
        tombstones.first { $0.digest.node == node }
    }

    /// Adds the tombstone of `digest`'s member, retired at `nowMs`. When `tombstonesMax` are held,
    /// first forgets the oldest (earliest retired, then lowest node ID) and returns its node.
    mutating func add(_ digest: MemberDigest, nowMs: UInt64, tombstonesMax: Int) -> NodeID? {
        precondition(digest.isLeaving, "tombstone of \(digest.node), which is not leaving")
        precondition(tombstone(of: digest.node) == nil, "\(digest.node) is tombstoned twice")
        var evicted: NodeID?
        if tombstones.count >= tombstonesMax, let oldest = tombstones.indices.min(by: { isOlder(tombstones[$0], tombstones[$1]) }) {
            evicted = tombstones.remove(at: oldest).digest.node
        }
        let index = tombstones.firstIndex { digest.node < $0.digest.node } ?? tombstones.count
        tombstones.insert(Tombstone(digest: digest, retiredAtMs: nowMs), at: index)
        precondition(tombstones.count <= tombstonesMax, "\(tombstones.count) tombstones exceed \(tombstonesMax)")
        return evicted
    }

    /// Removes the tombstone of `node` (it came back); true when there was one.
    @discardableResult
    mutating func remove(_ node: NodeID) -> Bool {
        guard let index = tombstones.firstIndex(where: { $0.digest.node == node }) else { return false }
        tombstones.remove(at: index)
        return true
    }

    /// Forgets the tombstones retired `retentionMs` or more before `nowMs`; returns their nodes, sorted.
    /// A clock stepped back keeps them longer, never shorter.
    mutating func removeExpired(nowMs: UInt64, retentionMs: UInt64) -> [NodeID] {
        let expired = tombstones.filter { nowMs >= $0.retiredAtMs && nowMs - $0.retiredAtMs >= retentionMs }.map(\.digest.node)
        if !expired.isEmpty { tombstones.removeAll { expired.contains($0.digest.node) } }
        return expired
    }

    /// `digests` (sorted by node ID) with the tombstones' digests merged in, still sorted.
    func merged(into digests: [MemberDigest]) -> [MemberDigest] {
        var result: [MemberDigest] = []
        result.reserveCapacity(digests.count + tombstones.count)
        var next = 0
        for digest in digests {
            while next < tombstones.count, tombstones[next].digest.node < digest.node {
                result.append(tombstones[next].digest)
                next += 1
            }
            result.append(digest)
        }
        for tombstone in tombstones[next...] { result.append(tombstone.digest) }
        return result
    }

    private func isOlder(_ lhs: Tombstone, _ rhs: Tombstone) -> Bool {
        (lhs.retiredAtMs, lhs.digest.node) < (rhs.retiredAtMs, rhs.digest.node)
    }
}
