/// Where a node finds the replicas of a partition: the ring as the node currently computes it.
public protocol Placement: Sendable {
    /// The N distinct primary nodes of `partition`, in preference order (fewer when the cluster is smaller).
    func primaries(ofPartition partition: Int) -> [NodeID]
    /// Nodes after the primaries, clockwise, distinct, for sloppy-quorum stand-ins.
    func fallbacks(ofPartition partition: Int) -> [NodeID]
}
