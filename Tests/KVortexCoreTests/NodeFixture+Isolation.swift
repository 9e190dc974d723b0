import Testing
@testable import KVortexCore

extension NodeFixture {
    /// Makes this node see every other member as unreachable, as refused connections would (an
    /// isolated node: `POST /admin/partition` with every other ID, or a cut cable).
    mutating func isolate() {
        for member in Self.members where member != node.nodeID {
            _ = handle(.undeliverable(to: member, .putAck(OperationID(999_999))))
            #expect(!node.membership.isHealthy(member), "\(member) still looks healthy")
        }
    }
}
