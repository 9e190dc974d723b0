@testable import KVortexCore

/// Small objects and names for the coordinator tests.
enum CoordinatorFixtures {
    static let n1 = NodeID("n1"), n2 = NodeID("n2"), n3 = NodeID("n3"), n4 = NodeID("n4")

    static func object(_ values: [(node: NodeID, value: String)], base: VersionedObject = VersionedObject()) -> VersionedObject {
        var object = base
        for (index, entry) in values.enumerated() {
            _ = object.applyWrite(
                WriteRequest(payload: .value(Array(entry.value.utf8))),
                actor: ActorID(node: entry.node, epoch: 1),
                timestamp: HybridTimestamp(physicalMs: 1_000 + UInt64(index), logical: 0),
                mode: .siblings, siblingsMax: 16)
        }
        return object
    }

    static func targets(_ nodes: NodeID...) -> [ReplicaTarget] {
        nodes.map { ReplicaTarget(node: $0) }
    }
}
