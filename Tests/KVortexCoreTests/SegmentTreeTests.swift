@testable import KVortexCore
import Testing

/// The anti-entropy tree's algebra (docs/anti-entropy.md §1, §6): any order of the same changes gives
/// the same tree, a tree kept through a history equals one built from its end state, an undone change
/// leaves nothing, branches and root are the XORs of what they hold, and a change touches one segment.
@Suite struct SegmentTreeTests {
    static let shape = TreeShape(segmentCount: 1024, partitionCount: 256)

    /// One key's change: from `old` to `new` (nil: absent).
    struct Change {
        let keyHash: UInt64
        let old: ObjectDigest?
        let new: ObjectDigest?
    }

    /// A history of `keyCount` keys, each through a few states, some reaped (back to absent) at the end;
    /// the changes in the order they happened, and each key's final state.
    static func history(seed: UInt64, keyCount: Int) -> (changes: [Change], final: [UInt64: ObjectDigest]) {
        var random = TestRandom(seed: seed)
        var changes: [Change] = []
        var final: [UInt64: ObjectDigest] = [:]
        // Keys in few segments too, so that segments hold several keys.
        let sharedPrefix = random.next() & ~UInt64(0xFFFF_FFFF)
        for index in 0..<keyCount {
            let keyHash = index % 3 == 0 ? sharedPrefix | (random.next() & 0xFFFF_FFFF) : random.next()
            var state: ObjectDigest?
            for _ in 0..<random.int(in: 1...5) {
                let next = random.chance(1, in: 6) ? nil : ObjectDigest(value: random.next())
                changes.append(Change(keyHash: keyHash, old: state, new: next))
                state = next
            }
            if let state { final[keyHash] = state }
        }
        return (changes, final)
    }

    static func tree(applying changes: some Sequence<Change>) -> SegmentTree {
        var tree = SegmentTree(shape: shape)
        for change in changes { tree.apply(keyHash: change.keyHash, from: change.old, to: change.new) }
        return tree
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func anyOrderOfTheSameChangesGivesTheSameTree(seed: UInt64) {
        let (changes, _) = Self.history(seed: seed, keyCount: 300)
        var random = TestRandom(seed: seed ^ 0xA5A5)
        let inOrder = Self.tree(applying: changes)
        let shuffled = Self.tree(applying: random.shuffled(changes))
        #expect(inOrder == shuffled, "seed \(seed)")
        #expect(!inOrder.isEmpty, "seed \(seed): 300 keys leave something")
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func aTreeKeptThroughAHistoryEqualsOneBuiltFromItsEndState(seed: UInt64) {
        let (changes, final) = Self.history(seed: seed, keyCount: 300)
        let kept = Self.tree(applying: changes)
        let built = Self.tree(applying: final.map { Change(keyHash: $0.key, old: nil, new: $0.value) })
        #expect(kept == built, "seed \(seed)")
    }

    @Test func everyChangeUndoneLeavesAnEmptyTree() {
        let (changes, _) = Self.history(seed: 7, keyCount: 200)
        var tree = Self.tree(applying: changes)
        for change in changes.reversed() { tree.apply(keyHash: change.keyHash, from: change.new, to: change.old) }
        #expect(tree.isEmpty && tree == SegmentTree(shape: Self.shape))
    }

    @Test func twoKeysSwappingStatesDoNotCancel() {
        let (a, b) = (ObjectDigest(value: 1), ObjectDigest(value: 2))
        var first = SegmentTree(shape: Self.shape)
        first.apply(keyHash: 10, from: nil, to: a)
        first.apply(keyHash: 11, from: nil, to: b)
        var swapped = SegmentTree(shape: Self.shape)
        swapped.apply(keyHash: 10, from: nil, to: b)
        swapped.apply(keyHash: 11, from: nil, to: a)
        #expect(first.root != swapped.root, "the leaf mixes key and digest")
    }

    @Test(arguments: 0..<10 as Range<UInt64>)
    func branchesAndRootAreTheXorsOfWhatTheyHold(seed: UInt64) {
        let tree = Self.tree(applying: Self.history(seed: seed, keyCount: 500).changes)
        for branch in 0..<Self.shape.branchCount {
            let folded = Self.shape.segments(ofBranch: branch).reduce(UInt64(0)) { $0 ^ tree.segments[$1] }
            #expect(tree.branches[branch] == folded, "seed \(seed), branch \(branch)")
        }
        #expect(tree.root == tree.branches.reduce(0, ^), "seed \(seed)")
    }

    /// Two replicas that differ by one key find exactly its segment: one branch, one segment in it.
    @Test(arguments: 0..<10 as Range<UInt64>)
    func oneChangedKeyIsFoundInItsOwnSegment(seed: UInt64) throws {
        let (changes, final) = Self.history(seed: seed, keyCount: 200)
        let base = Self.tree(applying: changes)
        // Its own stream (the history's is seeded alike) and a key picked from the sorted keys, not
        // from a dictionary's order, which changes from process to process.
        var random = TestRandom(seed: seed &+ 0x9E37_79B9)
        let keys = final.keys.sorted()
        let keyHash = keys[random.int(in: 0..<keys.count)]
        let old = try #require(final[keyHash])
        var newValue = random.next()
        if newValue == old.value { newValue &+= 1 }
        let new = ObjectDigest(value: newValue)
        var changed = base
        changed.apply(keyHash: keyHash, from: old, to: new)
        let segment = Self.shape.segment(ofHash: keyHash)
        #expect(changed.root != base.root)
        #expect(changed.branchesDiffering(from: base.branches) == [Self.shape.branch(ofSegment: segment)])
        let branch = Self.shape.branch(ofSegment: segment)
        let theirs = Array(base.segments[Self.shape.segments(ofBranch: branch)])
        #expect(changed.segmentsDiffering(inBranch: branch, from: theirs) == [segment])
    }

    /// Segments are contiguous ranges of key hashes inside a partition: the bits after the partition's.
    @Test func aSegmentIsTheBitsAfterThePartition() {
        let partitioning = Partitioning(partitionCount: 256)
        for (partition, segment) in [(0, 0), (0, 1023), (5, 17), (255, 512), (128, 1)] {
            let low: UInt64 = 0x0000_3FFF_FFFF_FFFF
            let keyHash = UInt64(partition) << 56 | UInt64(segment) << 46 | (low & 0x2AAA_AAAA_AAAA)
            #expect(partitioning.partition(ofHash: keyHash) == partition)
            #expect(Self.shape.segment(ofHash: keyHash) == segment, "partition \(partition), segment \(segment)")
        }
        #expect(Self.shape.branchCount == 32 && Self.shape.segments(ofBranch: 31) == 992..<1024)
        for count in TreeShape.segmentCountsAllowed {
            let shape = TreeShape(segmentCount: count)
            #expect(shape.branchCount * shape.branchCount == count)
        }
    }
}

/// What a digest covers: clock and dots, from the decoded numbers, in any sibling order.
@Suite struct ObjectDigestTests {
    @Test(arguments: 0..<10 as Range<UInt64>)
    func replicasHaveEqualDigestsExactlyWhenClocksAndDotsAgree(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 40)
        let objects = history.replicas
        for object in objects {
            #expect(ObjectDigest(EncodedObject(object)) == ObjectDigest(object), "seed \(seed): encoding and object agree")
            let reordered = VersionedObject(clock: object.clock, siblings: object.siblings.reversed())!
            #expect(ObjectDigest(reordered) == ObjectDigest(object))
        }
        for a in objects {
            for b in objects {
                let same = a.clock == b.clock && Set(a.siblings.map(\.dot)) == Set(b.siblings.map(\.dot))
                #expect((ObjectDigest(a) == ObjectDigest(b)) == same, "seed \(seed): \(a.clock) / \(b.clock)")
            }
        }
    }

    @Test func theValueIsNotHashedButTheDotsAre() {
        let actor = ActorID(rawValue: 42)
        let clock = VersionVector([(actor, UInt64(2))])
        func object(_ dot: UInt64, _ value: String) -> VersionedObject {
            VersionedObject(clock: clock, siblings: [Sibling(dot: Dot(actor: actor, counter: dot), payload: .value(Array(value.utf8)),
                                                             timestamp: HybridTimestamp(physicalMs: 1, logical: 0))])!
        }
        #expect(ObjectDigest(object(2, "a")) == ObjectDigest(object(2, "b")), "a dot names one write: its value is not read")
        #expect(ObjectDigest(object(2, "a")) != ObjectDigest(object(1, "a")), "another dot under the same clock")
        #expect(ObjectDigest(VersionedObject()) != ObjectDigest(object(2, "a")))
    }
}
