import Testing
@testable import KVortexCore

/// `Node.oneOffActor`: a stand-in coordinator's actor for one write is the xxHash64 of its actor, its
/// start nonce and the operation, 8 bytes each little-endian. The value is frozen: it is in every
/// stored clock, and seeds replay only if it never changes.
@Suite struct NodeOneOffActorTests {
    static func littleEndianBytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    @Test(arguments: [1, 2, 999, UInt64.max] as [UInt64])
    func isTheHashOfTheThreeWordsConcatenated(operation: UInt64) {
        let node = NodeFixture(NodeID("n2"), randomSeed: 0x0123_4567_89AB_CDEF).node
        let bytes = Self.littleEndianBytes(node.actor.rawValue) + Self.littleEndianBytes(node.startNonce)
            + Self.littleEndianBytes(operation)
        #expect(node.oneOffActor(OperationID(operation)) == ActorID(rawValue: StableHash.hash64(bytes)), "operation \(operation)")
    }

    @Test func differsByOperationAndByStart() {
        let node = NodeFixture(NodeID("n2"), randomSeed: 7).node
        let restarted = NodeFixture(NodeID("n2"), randomSeed: 8).node
        #expect(node.oneOffActor(OperationID(1)) != node.oneOffActor(OperationID(2)))
        #expect(node.oneOffActor(OperationID(1)) != restarted.oneOffActor(OperationID(1)))
    }
}
