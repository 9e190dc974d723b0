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
        self.partitioning = partitioning
        self.replicaCount = replicaCount
        self.members = members.sorted()
        self.owners = owners
        let distinct = min(replicaCount, Self.owningMemberCount(self.members, owners: owners))
        var primaryLists: [[NodeID]] = []
        var fallbackLists: [[NodeID]] = []
        primaryLists.reserveCapacity(owners.count)
        fallbackLists.reserveCapacity(owners.count)
        for partition in owners.indices {
            let lists = Self.walk(from: partition, owners: owners, primariesCount: distinct, replicaCount: replicaCount,
                                  limit: members.count)
            primaryLists.append(lists.primaries)
            fallbackLists.append(lists.fallbacks)
        }
        self.primaryLists = primaryLists
        self.fallbackLists = fallbackLists
    }

    /// How many of `members` (sorted) own a partition. Traps when an owner is not a member.
    private static func owningMemberCount(_ members: [RingMember], owners: [NodeID]) -> Int {
        let slots: [NodeID: Int]? = members.count > linearWalkMembersMax
            ? Dictionary(members.enumerated().map { ($1.node, $0) }, uniquingKeysWith: { first, _ in first }) : nil
        var owns = [Bool](repeating: false, count: members.count)
        for owner in owners {
            let slot = if let slots { slots[owner] } else { members.firstIndex { $0.node == owner } }
            guard let slot else { preconditionFailure("owner \(owner) is not a member of the ring") }
            owns[slot] = true
        }
        return owns.count { $0 }
    }

    /// The first ring of a cluster: partition p goes to the members in turn, by weighted share.
    public static func initial(members: [RingMember], partitioning: Partitioning = Partitioning(), replicaCount: Int) -> Ring {
        precondition(!members.isEmpty, "a ring needs at least one member")
        let sorted = members.sorted()
        precondition(Set(sorted.map(\.node)).count == sorted.count, "members repeat a node")
        let targets = RingClaim.targets(for: sorted, partitionCount: partitioning.partitionCount)
        var owners: [NodeID] = []
        owners.reserveCapacity(partitioning.partitionCount)
        // By position in `sorted`: a dictionary lookup per partition was a quarter of the claim.
        var remaining = sorted.map { targets[$0.node] ?? 0 }
        var index = 0
        while owners.count < partitioning.partitionCount {
            let position = index % sorted.count
            if remaining[position] > 0 {
                owners.append(sorted[position].node)
                remaining[position] -= 1
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

    /// The first `limit` distinct nodes clockwise from `partition`: the first `primariesCount` are the
    /// primaries, those after the first `replicaCount` the fallbacks. Stops once it has them. Up to
    /// `linearWalkMembersMax` members, a node is looked for in the nodes found so far rather than
    /// hashed into a set. A node rebuilds its ring on every join and leave: with a set, a walk that
    /// went on to the last partition, a walk's array copied into the two lists and sets of the owners,
    /// a ring of four or five cost 2.7 M instructions, a fifth of a simulated run with a leave (0.4 M now).
    private static func walk(from partition: Int, owners: [NodeID], primariesCount: Int, replicaCount: Int,
                             limit: Int) -> (primaries: [NodeID], fallbacks: [NodeID]) {
        var primaries: [NodeID] = []
        var fallbacks: [NodeID] = []
        primaries.reserveCapacity(primariesCount)
        if limit > replicaCount { fallbacks.reserveCapacity(limit - replicaCount) }
        var seen: Set<NodeID>? = limit > linearWalkMembersMax ? Set(minimumCapacity: limit) : nil
        var found = 0
        var step = 0
        while found < limit && step < owners.count {
            let owner = owners[(partition + step) % owners.count]
            step += 1
            let isNew = seen == nil ? !primaries.contains(owner) && !fallbacks.contains(owner) : seen!.insert(owner).inserted
            guard isNew else { continue }
            if found < primariesCount {
                primaries.append(owner)
            } else if found >= replicaCount {
                fallbacks.append(owner)
            }
            found += 1
        }
        return (primaries, fallbacks)
    }

    /// Members up to which `walk` searches the nodes it found instead of hashing them.
    static let linearWalkMembersMax = 32
}
