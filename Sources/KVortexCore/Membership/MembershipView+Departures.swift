/// Members that left: retired from the member list once gone, kept as tombstones for a bounded time,
/// then forgotten (docs/decisions.md, "A member that left is a tombstone for a while, then forgotten").
///
/// A leaving member keeps gossiping while it hands its partitions off, so its heartbeat keeps
/// arriving; when it has handed off and stopped, its silence reaches `downPhi` and it is retired:
/// removed from `members` (so from `/cluster/members`, which lists no tombstones: API.md names the
/// states `up`, `suspect`, `down`, `leaving` only) and remembered as a tombstone with its last digest.
/// A leaving member is already out of the ring (`Node.rebuildRing`), so neither step changes it.
///
/// While kept, the tombstone is gossiped as that last (leaving) digest, so a peer that missed the leave
/// learns it; gossip of the member no newer than the tombstone's incarnation is ignored, so a slow
/// peer's old digest cannot bring it back. A digest with a higher incarnation is the member started
/// again (its incarnation is its start time): the tombstone is lifted and it joins as a new member.
/// A leaving member never heard of is not added: it is on its way out (and so a tombstone gossiped by
/// a peer that forgot later cannot resurrect a member this view forgot earlier).
extension MembershipView {
    /// The members retired and the tombstones forgotten by one `retireDeparted` call, each sorted.
    public struct DepartureChanges: Equatable, Sendable {
        public var retired: [NodeID] = []
        public var forgotten: [NodeID] = []

        public var isEmpty: Bool { retired.isEmpty && forgotten.isEmpty }
    }

    /// Retires the leaving members whose silence at `nowMs` reaches `downPhi`, and forgets the
    /// tombstones older than `departures.tombstoneRetentionMs`. Call every heartbeat. Leaves every
    /// other member's state unchanged.
    public mutating func retireDeparted(nowMs: UInt64) -> DepartureChanges {
        var result = DepartureChanges()
        let silent = silentLeavingSlots(nowMs: nowMs)
        // Removed from the highest slot down, so the slots still to remove stay valid.
        for slot in silent.reversed() {
            let digest = removeMember(at: slot)
            result.retired.insert(digest.node, at: 0)
            departureCounters.membersRetired += 1
            if let evicted = tombstones.add(digest, nowMs: nowMs, tombstonesMax: departures.tombstonesMax) {
                departureCounters.tombstonesEvicted += 1
                result.forgotten.append(evicted)
            }
        }
        if !tombstones.isEmpty {
            let expired = tombstones.removeExpired(nowMs: nowMs, retentionMs: departures.tombstoneRetentionMs)
            departureCounters.tombstonesExpired += UInt64(expired.count)
            result.forgotten += expired
        }
        result.forgotten.sort()
        return result
    }

    /// Tombstones held now, for metrics.
    public var tombstoneCount: Int { tombstones.count }

    /// The incarnation of `node`'s tombstone, or nil when it has none.
    public func tombstoneIncarnation(of node: NodeID) -> UInt64? {
        tombstones.tombstone(of: node)?.digest.incarnation
    }

    /// Whether gossip's `digest` of a member this view does not hold may make it a member: not when
    /// it is leaving, nor when a tombstone of it is at least as new (counted when the digest is from
    /// before the leave). A newer incarnation lifts the tombstone (counted): the member started again.
    mutating func admitsStranger(_ digest: MemberDigest) -> Bool {
        if !tombstones.isEmpty, let tombstoned = tombstones.tombstone(of: digest.node) {
            guard digest.incarnation > tombstoned.digest.incarnation else {
                if !digest.isLeaving { departureCounters.staleDigestsIgnored += 1 }
                return false
            }
            guard !digest.isLeaving else { return false }
            tombstones.remove(digest.node)
            departureCounters.membersRejoined += 1
            return true
        }
        return !digest.isLeaving
    }
}
