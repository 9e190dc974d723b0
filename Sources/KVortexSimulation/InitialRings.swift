import KVortexCore
import Synchronization

/// The initial ring of each cluster shape, computed once per process and shared by every run.
///
/// `Ring.initial` is a pure function of the members, the partitioning and N, so a cached ring is the
/// ring a run would compute itself: seeds still replay exactly. Claiming 256 partitions cost 1.8 M
/// instructions per run, 2 % of a run of the standard scenarios (callgrind, all scenarios, 2 seeds).
/// The cache holds one ring per distinct shape (a handful per process); runs on several threads (the
/// tests) share it under the lock.
enum InitialRings {
    private struct Shape: Hashable {
        let members: [RingMember]
        let partitioning: Partitioning
        let replicaCount: Int
    }

    private static let rings = Mutex<[Shape: Ring]>([:])

    /// `Ring.initial(members:partitioning:replicaCount:)`, from the cache when this shape was seen.
    static func ring(members: [RingMember], partitioning: Partitioning, replicaCount: Int) -> Ring {
        let shape = Shape(members: members, partitioning: partitioning, replicaCount: replicaCount)
        if let ring = rings.withLock({ $0[shape] }) { return ring }
        let ring = Ring.initial(members: members, partitioning: partitioning, replicaCount: replicaCount)
        rings.withLock { $0[shape] = ring }
        return ring
    }
}
