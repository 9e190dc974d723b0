/// A placement that gives partition p to members p, p+1, … (mod S) of the sorted member list.
///
/// Valid (N distinct nodes, deterministic from the member set) but moves many partitions when the
/// membership changes; tests and the simulator's fixed clusters use it until the claimed ring
/// (Ring/) is wired into the node.
public struct RoundRobinPlacement: Placement {
    public let members: [NodeID]
    public let replicaCount: Int

    public init(members: [NodeID], replicaCount: Int) {
        precondition(!members.isEmpty, "a placement needs at least one member")
        precondition(replicaCount >= 1, "N (\(replicaCount)) must be at least 1")
        self.members = members.sorted()
        self.replicaCount = replicaCount
    }

    public func primaries(ofPartition partition: Int) -> [NodeID] {
        (0..<min(replicaCount, members.count)).map { members[(partition + $0) % members.count] }
    }

    public func fallbacks(ofPartition partition: Int) -> [NodeID] {
        guard members.count > replicaCount else { return [] }
        return (replicaCount..<members.count).map { members[(partition + $0) % members.count] }
    }
}
