/// A physical node of the ring with its weight: a weight-2 node owns about twice the partitions.
public struct RingMember: Hashable, Sendable, Comparable {
    public let node: NodeID
    public let weight: Int

    public init(_ node: NodeID, weight: Int = 1) {
        precondition(weight >= 1, "weight \(weight) of \(node) must be at least 1")
        self.node = node
        self.weight = weight
    }

    /// Orders by node, then weight, so `<` agrees with `==` (which compares both).
    public static func < (lhs: RingMember, rhs: RingMember) -> Bool { (lhs.node, lhs.weight) < (rhs.node, rhs.weight) }
}
