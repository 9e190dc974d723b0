/// Which physical node owns each of the Q partitions, and the preference lists that follow from it
/// (DESIGN.md "Placement"). A value, computed deterministically: `Ring.initial` from the sorted member
/// list, `rebalanced(to:)` from the previous ring and the new member list.
///
/// The ring therefore depends on its history, not only on the current members (`initial(5 members)`
/// and `initial(3).rebalanced(to: 5)` differ): a cluster must agree on the ring it rebalances from, which
/// is why the ring will be gossiped with a version rather than recomputed by each node from members.
/// `rebalanced(to:)` moves only what must move: the partitions of a leaving node, and the share a
/// joining node takes.
/// Every owner ends within one partition of its weighted share. Partitions owned by one node are
/// spread so that N consecutive partitions usually have N distinct owners (Riak's target_n_val).
public struct Ring: Hashable, Sendable, Placement {
    public let partitioning: Partitioning
    public let replicaCount: Int
    /// Sorted by node ID.
    public let members: [RingMember]
    /// Owner of each partition.
    public let owners: [NodeID]
    /// Per partition: the N distinct primaries.
    private let primaryLists: [[NodeID]]
    /// Per partition: the other members clockwise after the primaries, where stand-ins come from.
    /// Computed with the primaries: walking the ring on every sloppy operation cost ~8 500 instructions.
    private let fallbackLists: [[NodeID]]

    public init(partitioning: Partitioning, replicaCount: Int, members: [RingMember], owners: [NodeID]) {
        precondition(owners.count == partitioning.partitionCount, "\(owners.count) owners for \(partitioning.partitionCount) partitions")
        precondition(replicaCount >= 1, "N (\(replicaCount)) must be at least 1")
        let memberNodes = Set(members.map(\.node))
        precondition(owners.allSatisfy(memberNodes.contains), "an owner is not a member of the ring")
        self.partitioning = partitioning
        self.replicaCount = replicaCount
        self.members = members.sorted()
        self.owners = owners
        let distinct = min(replicaCount, Set(owners).count)
        let walks = (0..<owners.count).map { Self.walk(from: $0, owners: owners, limit: members.count) }
        primaryLists = walks.map { Array($0.prefix(distinct)) }
        fallbackLists = walks.map { Array($0.dropFirst(replicaCount)) }
    }

    /// The first ring of a cluster: partition p goes to the members in turn, by weighted share.
    public static func initial(members: [RingMember], partitioning: Partitioning = Partitioning(), replicaCount: Int) -> Ring {
        precondition(!members.isEmpty, "a ring needs at least one member")
        let sorted = members.sorted()
        precondition(Set(sorted.map(\.node)).count == sorted.count, "members repeat a node")
        let targets = RingClaim.targets(for: sorted, partitionCount: partitioning.partitionCount)
        var owners: [NodeID] = []
        owners.reserveCapacity(partitioning.partitionCount)
        var remaining = targets
        var index = 0
        while owners.count < partitioning.partitionCount {
            let member = sorted[index % sorted.count].node
            if remaining[member, default: 0] > 0 {
                owners.append(member)
                remaining[member]! -= 1
            }
            index += 1
        }
        return Ring(partitioning: partitioning, replicaCount: replicaCount, members: sorted, owners: owners)
    }

    /// The ring after a membership change, moving as few partitions as possible.
    public func rebalanced(to members: [RingMember]) -> Ring {
        let owners = RingClaim.rebalance(owners: self.owners, members: members.sorted(), replicaCount: replicaCount)
        return Ring(partitioning: partitioning, replicaCount: replicaCount, members: members, owners: owners)
    }

    public func primaries(ofPartition partition: Int) -> [NodeID] {
        primaryLists[partition]
    }

    public func fallbacks(ofPartition partition: Int) -> [NodeID] {
        fallbackLists[partition]
    }

    /// The primaries of `key`.
    public func preferenceList(for key: [UInt8]) -> [NodeID] {
        primaries(ofPartition: partitioning.partition(of: key))
    }

    /// Partitions owned per node.
    public var counts: [NodeID: Int] {
        owners.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// How many partitions forward from `partition` the walk needs to find N distinct owners.
    public func walkLength(ofPartition partition: Int) -> Int {
        var seen: Set<NodeID> = []
        var steps = 0
        while seen.count < min(replicaCount, members.count) {
            seen.insert(owners[(partition + steps) % owners.count])
            steps += 1
        }
        return steps
    }

    /// The first `limit` distinct nodes clockwise from `partition`, in order.
    private static func walk(from partition: Int, owners: [NodeID], limit: Int) -> [NodeID] {
        var seen: Set<NodeID> = []
        var order: [NodeID] = []
        for step in 0..<owners.count where order.count < limit {
            let owner = owners[(partition + step) % owners.count]
            if seen.insert(owner).inserted { order.append(owner) }
        }
        return order
    }
}
