/// The claim arithmetic behind `Ring`: weighted shares and minimal-movement rebalancing.
enum RingClaim {
    /// Each member's share of `partitionCount`, by weight, by largest remainder (ties by node ID):
    /// every share is the floor or the ceiling of the exact weighted share.
    static func targets(for members: [RingMember], partitionCount: Int) -> [NodeID: Int] {
        let totalWeight = members.reduce(0) { $0 + $1.weight }
        var targets: [NodeID: Int] = [:]
        var remainders: [(remainder: Int, node: NodeID)] = []
        var assigned = 0
        for member in members {
            let exact = partitionCount * member.weight
            targets[member.node] = exact / totalWeight
            assigned += exact / totalWeight
            remainders.append((exact % totalWeight, member.node))
        }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.node < $1.node }
        for index in 0..<(partitionCount - assigned) { targets[remainders[index].node]! += 1 }
        return targets
    }

    /// Moves only the partitions that must move: those of departed members, then, while some member is
    /// below its share, one partition from a member above its share. The member furthest below its share
    /// takes the first partition (scanning clockwise from where it last took one) that lies at least N
    /// partitions away from every partition it owns, so replicas stay on distinct nodes; if none does,
    /// the first it can take at all.
    static func rebalance(owners: [NodeID], members: [RingMember], replicaCount: Int) -> [NodeID] {
        precondition(!members.isEmpty, "a ring needs at least one member")
        let partitionCount = owners.count
        let targets = targets(for: members, partitionCount: partitionCount)
        var owners = owners.map { targets[$0] == nil ? nil : $0 } as [NodeID?]
        var counts: [NodeID: Int] = [:]
        for case let owner? in owners { counts[owner, default: 0] += 1 }
        var cursor: [NodeID: Int] = [:]
        while let receiver = neediest(targets: targets, counts: counts) {
            let canGive: (Int) -> Bool = { partition in
                guard let owner = owners[partition] else { return true }
                return owner != receiver && counts[owner]! > targets[owner]!
            }
            let start = cursor[receiver] ?? 0
            let scan = (0..<partitionCount).map { (start + $0) % partitionCount }
            let spread = scan.first { canGive($0) && !ownsNear($0, receiver, owners, replicaCount) }
            guard let partition = spread ?? scan.first(where: canGive) else {
                preconditionFailure("member \(receiver) is below its share but nothing can be given")
            }
            if let owner = owners[partition] { counts[owner]! -= 1 }
            owners[partition] = receiver
            counts[receiver, default: 0] += 1
            cursor[receiver] = (partition + max(1, partitionCount / max(1, targets[receiver]!))) % partitionCount
        }
        return owners.map { $0! }
    }

    /// The member furthest below its share (ties by node ID), or nil when every share is met.
    private static func neediest(targets: [NodeID: Int], counts: [NodeID: Int]) -> NodeID? {
        var best: (node: NodeID, deficit: Int)?
        for node in targets.keys.sorted() {
            let deficit = targets[node]! - counts[node, default: 0]
            if deficit > 0 && (best == nil || deficit > best!.deficit) { best = (node, deficit) }
        }
        return best?.node
    }

    /// True when `node` owns a partition within N - 1 of `partition` either way.
    private static func ownsNear(_ partition: Int, _ node: NodeID, _ owners: [NodeID?], _ replicaCount: Int) -> Bool {
        guard replicaCount > 1 else { return false }
        for offset in 1..<replicaCount {
            if owners[(partition + offset) % owners.count] == node { return true }
            if owners[(partition - offset + owners.count) % owners.count] == node { return true }
        }
        return false
    }
}
