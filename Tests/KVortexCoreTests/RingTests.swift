import Testing
@testable import KVortexCore

/// Balance, movement and determinism of the claim (DESIGN.md "Placement").
@Suite struct RingTests {
    static func members(_ count: Int, from start: Int = 0) -> [RingMember] {
        (start..<(start + count)).map { RingMember(NodeID("node\(String(repeating: "0", count: 3 - String($0).count))\($0)")) }
    }

    static func moved(_ a: Ring, _ b: Ring) -> Int {
        zip(a.owners, b.owners).filter { $0 != $1 }.count
    }

    /// Every member owns the floor or the ceiling of Q / S, for 1..64 members and Q = 64, 256, 1024.
    @Test(arguments: [64, 256, 1024])
    func initialClaimIsBalancedWithinOne(partitionCount: Int) {
        for size in 1...64 where size <= partitionCount {
            let ring = Ring.initial(members: Self.members(size), partitioning: Partitioning(partitionCount: partitionCount), replicaCount: 3)
            let counts = ring.counts.values
            #expect(counts.count == size, "Q \(partitionCount), S \(size): every member owns something")
            #expect(counts.max()! - counts.min()! <= 1, "Q \(partitionCount), S \(size): \(counts.min()!)…\(counts.max()!)")
        }
    }

    /// Joining moves exactly the new node's share, leaving exactly the leaver's; balance stays within one.
    @Test(arguments: [64, 256, 1024])
    func joinAndLeaveMoveOnlyTheMinimum(partitionCount: Int) {
        let partitioning = Partitioning(partitionCount: partitionCount)
        var ring = Ring.initial(members: Self.members(2), partitioning: partitioning, replicaCount: 3)
        for size in 3...64 where size <= partitionCount {
            let next = ring.rebalanced(to: Self.members(size))
            let share = next.counts[Self.members(size).last!.node]!
            #expect(Self.moved(ring, next) == share, "join to \(size): moved \(Self.moved(ring, next)), share \(share)")
            #expect(share >= partitionCount / size, "join to \(size)")
            let counts = next.counts.values
            #expect(counts.max()! - counts.min()! <= 1, "join to \(size): \(counts.min()!)…\(counts.max()!)")
            ring = next
        }
        for size in stride(from: min(64, partitionCount) - 1, through: 2, by: -1) {
            let leaving = ring.members[size / 2].node  // someone in the middle leaves
            let remaining = ring.members.filter { $0.node != leaving }
            let next = ring.rebalanced(to: remaining)
            let theirs = ring.counts[leaving]!
            // Exactly the leaver's partitions move, nothing else.
            #expect(Self.moved(ring, next) == theirs, "leave to \(size): moved \(Self.moved(ring, next)), theirs \(theirs)")
            let counts = next.counts.values
            #expect(counts.max()! - counts.min()! <= 1, "leave to \(size)")
            #expect(next.counts[leaving] == nil)
            ring = next
        }
    }

    @Test func sameRingWhateverTheOrderOfMembers() {
        var random = SplitMix64(seed: 7)
        let members = Self.members(9)
        let reference = Ring.initial(members: members, replicaCount: 3)
        for _ in 0..<20 {
            var shuffled = members
            random.shuffle(&shuffled)
            #expect(Ring.initial(members: shuffled, replicaCount: 3) == reference)
            #expect(reference.rebalanced(to: shuffled + [RingMember(NodeID("zeta"))]) == reference.rebalanced(to: members + [RingMember(NodeID("zeta"))]))
        }
    }

    @Test func preferenceListsHoldNDistinctNodesAndWalksStayShort() {
        var ring = Ring.initial(members: Self.members(4), replicaCount: 3)
        for size in 5...20 {
            ring = ring.rebalanced(to: Self.members(size))
            var longWalks = 0
            for partition in 0..<256 {
                let primaries = ring.primaries(ofPartition: partition)
                #expect(Set(primaries).count == 3, "S \(size), partition \(partition)")
                #expect(Set(primaries).isDisjoint(with: ring.fallbacks(ofPartition: partition)))
                #expect(primaries.count + ring.fallbacks(ofPartition: partition).count == size)
                if ring.walkLength(ofPartition: partition) > 3 { longWalks += 1 }
            }
            // The spread claim keeps most preference lists to exactly N consecutive partitions.
            #expect(longWalks <= 256 / 10, "S \(size): \(longWalks) of 256 lists walk past N partitions")
        }
    }

    /// Primaries then fallbacks are the distinct owners met walking clockwise from the partition,
    /// whether the walk searches the nodes found (up to 32 members) or hashes them (beyond).
    @Test(arguments: [1, 2, 5, 32, 33, 40])
    func preferenceListsAreTheDistinctOwnersClockwise(size: Int) {
        let ring = Ring.initial(members: Self.members(4), replicaCount: 3).rebalanced(to: Self.members(size))
        for partition in 0..<256 {
            var distinct: [NodeID] = []
            for step in 0..<256 {
                let owner = ring.owners[(partition + step) % 256]
                if !distinct.contains(owner) { distinct.append(owner) }
            }
            #expect(ring.primaries(ofPartition: partition) + ring.fallbacks(ofPartition: partition) == distinct, "S \(size), partition \(partition)")
        }
    }

    @Test func weightsGiveProportionalShares() {
        let members = [RingMember(NodeID("a"), weight: 1), RingMember(NodeID("b"), weight: 2), RingMember(NodeID("c"), weight: 1)]
        let ring = Ring.initial(members: members, replicaCount: 2)
        #expect(ring.counts[NodeID("b")] == 128)
        #expect(ring.counts[NodeID("a")] == 64 && ring.counts[NodeID("c")] == 64)
    }

    @Test func smallClustersListEveryNode() {
        let ring = Ring.initial(members: Self.members(2), replicaCount: 3)
        #expect(ring.primaries(ofPartition: 0).count == 2)
        #expect(ring.fallbacks(ofPartition: 0).isEmpty)
        #expect(Ring.initial(members: Self.members(1), replicaCount: 3).preferenceList(for: [1]) == [Self.members(1)[0].node])
    }
}

@Suite struct RingWireTests {
    @Test(arguments: [1, 3, 8, 40])
    func ringsRoundTrip(size: Int) throws {
        let ring = Ring.initial(members: RingTests.members(size), replicaCount: 3).rebalanced(to: RingTests.members(size + 1))
        var writer = ByteWriter()
        ring.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try Ring(from: &reader) == ring)
        #expect(reader.isAtEnd)
        for cut in stride(from: 0, to: writer.bytes.count, by: max(1, writer.bytes.count / 50)) {
            var truncated = ByteReader(Array(writer.bytes[..<cut]))
            #expect(throws: DecodeError.self) { try Ring(from: &truncated) }
        }
    }

    @Test func impossibleRingsAreRefused() {
        func decode(_ build: (inout ByteWriter) -> Void) -> Bool {
            var writer = ByteWriter()
            build(&writer)
            var reader = ByteReader(writer.bytes)
            return (try? Ring(from: &reader)) != nil
        }
        #expect(!decode { $0.writeVarint(3); $0.writeVarint(1) }, "3 partitions is not a power of two")
        #expect(!decode { $0.writeVarint(2); $0.writeVarint(1); $0.writeVarint(1); $0.writeString("a"); $0.writeVarint(1); $0.writeVarint(0); $0.writeVarint(5) },
                "owner index beyond the members")
        #expect(!decode { $0.writeVarint(1); $0.writeVarint(1); $0.writeVarint(2); $0.writeString("b"); $0.writeVarint(1); $0.writeString("a"); $0.writeVarint(1); $0.writeVarint(0) },
                "members out of order")
        #expect(decode { $0.writeVarint(1); $0.writeVarint(1); $0.writeVarint(1); $0.writeString("a"); $0.writeVarint(1); $0.writeVarint(0) })
    }
}
