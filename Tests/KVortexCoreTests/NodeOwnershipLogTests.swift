import Testing
@testable import KVortexCore

/// The log line of an ownership handoff says what it queued, in words an operator reads without
/// alarm: partition copies for new owners, the keys this node holds, and that an empty partition is
/// done at once (a node joining empty queues hundreds of them and sends nothing).
@Suite struct NodeOwnershipLogTests {
    typealias F = NodeFixture

    /// The handoff log lines among `effects`.
    static func handoffLines(_ effects: [NodeEffect]) -> [String] {
        effects.compactMap { effect in
            guard case .log(let line) = effect, line.hasPrefix("ownership handoff: ") else { return nil }
            return line
        }
    }

    @Test(arguments: [(0, "0 keys"), (1, "1 key"), (3, "3 keys")])
    func aJoinLogsThePartitionCopiesQueuedAndTheKeysHeld(keyCount: Int, keysHeld: String) throws {
        var fixture = F(NodeID("n0"))
        for index in 0..<keyCount { fixture.storage.put(Array("k\(index)".utf8), CoordinatorFixtures.object([(NodeID("n1"), "v")])) }
        let n5 = NodeID("n5")
        let effects = fixture.handle(.peer(from: n5, .gossip([MemberDigest(node: n5, incarnation: 1, heartbeat: 1)])))
        let lines = Self.handoffLines(effects)
        let queued = fixture.node.counters.ownershipTransfersEnqueued
        try #require(queued > 0, "n5 joining gives n0 partitions to copy")
        try #require(lines.count == 1, "one line: \(lines)")
        #expect(lines[0].hasPrefix("ownership handoff: \(queued) partition copies queued for new owners, 0 dropped, \(queued) pending; "),
                "\(lines[0])")
        #expect(lines[0].hasSuffix("; this node holds \(keysHeld) in all, and a partition without keys is done at once"), "\(lines[0])")
    }
}
