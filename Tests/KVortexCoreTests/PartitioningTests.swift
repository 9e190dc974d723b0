import Testing
@testable import KVortexCore

/// Key to partition by the top bits of xxHash64 (DESIGN.md "Placement"), and epoch-stamped actors.
/// The power-of-two precondition is not tested: it traps, by design.
@Suite struct PartitioningTests {
    @Test(arguments: [1, 2, 8, 64, 256, 4_096])
    func partitionsAreInRange(partitionCount: Int) {
        let partitioning = Partitioning(partitionCount: partitionCount)
        var random = TestRandom(seed: UInt64(partitionCount))
        for _ in 0..<2_000 {
            let key = random.bytes(count: random.int(in: 1...40))
            let partition = partitioning.partition(of: key)
            #expect((0..<partitionCount).contains(partition), "Q \(partitionCount)")
            #expect(partition == partitioning.partition(ofHash: StableHash.hash64(key)))
        }
        #expect(partitioning.partition(ofHash: 0) == 0)
        #expect(partitioning.partition(ofHash: .max) == partitionCount - 1)
    }

    /// Top bits: partitions are contiguous ranges of the hash, in ring order.
    @Test func partitionsFollowHashOrder() {
        let partitioning = Partitioning(partitionCount: 256)
        #expect(partitioning.partition(ofHash: 0x00FF_FFFF_FFFF_FFFF) == 0)
        #expect(partitioning.partition(ofHash: 0x0100_0000_0000_0000) == 1)
        #expect(partitioning.partition(ofHash: 0xAB00_0000_0000_0001) == 0xAB)
        #expect(Partitioning().partitionCount == 256)
    }

    /// 100 000 keys "key0"..."key99999" over 256 partitions: 390.6 expected each. The bound, ±20 %
    /// (about ±4σ of a uniform hash), holds for these fixed keys; a hash change that skews would not.
    @Test func keysSpreadEvenly() {
        let partitioning = Partitioning(partitionCount: 256)
        var counts = [Int](repeating: 0, count: 256)
        for index in 0..<100_000 { counts[partitioning.partition(of: Array("key\(index)".utf8))] += 1 }
        let (low, high) = (counts.min()!, counts.max()!)
        #expect(low >= 312 && high <= 469, "min \(low), max \(high)")
        // Chi-square with 255 degrees of freedom: mean 255, 99.9th percentile about 334.
        let expected = 100_000.0 / 256
        let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 334, "chi-square \(chiSquare)")
    }

    @Test func actorsDifferByEpochAndNode() {
        let node = NodeID("127.0.0.1:9080")
        #expect(ActorID(node: node, epoch: 1) != ActorID(node: node, epoch: 2))
        #expect(ActorID(node: node, epoch: 1) == ActorID(node: node, epoch: 1))
        #expect(ActorID(node: node, epoch: 1) != ActorID(node: NodeID("127.0.0.1:9081"), epoch: 1))
        let actors = Set((0..<1_000 as Range<UInt64>).map { ActorID(node: node, epoch: $0) })
        #expect(actors.count == 1_000)
    }

    /// Actor IDs are stored in every clock, so their derivation is frozen: xxHash64 of the node's
    /// UTF-8 followed by the epoch as 8 little-endian bytes.
    @Test func actorDerivationIsFrozen() {
        let actor = ActorID(node: NodeID("n1"), epoch: 0x0102_0304_0506_0708)
        #expect(actor.rawValue == StableHash.hash64(Array("n1".utf8) + [8, 7, 6, 5, 4, 3, 2, 1]))
        #expect(ActorID(rawValue: 0xAB).description == "00000000000000ab")
        #expect(actor.description.count == 16)
    }
}
