@testable import KVortexCore
import Dispatch
import Synchronization
import Testing

/// Trees kept by the storage observer (docs/anti-entropy.md §2): a ready tree follows every change, an
/// unbuilt one ignores them, and a rebuild that runs while keys change ends with each key counted once,
/// as it is at the end: the tree a scan of the final state gives. Threads reporting changes of many
/// keys at once give the same tree as one thread.
@Suite struct PartitionTreeTests {
    static let shape = TreeShape(segmentCount: 256, partitionCount: 16)

    /// The trees a scan of `store` gives, partition by partition.
    static func scanned(_ store: [UInt64: ObjectDigest]) -> [SegmentTree] {
        let partitioning = Partitioning(partitionCount: shape.partitionCount)
        var trees = Array(repeating: SegmentTree(shape: shape), count: shape.partitionCount)
        for (keyHash, digest) in store {
            trees[partitioning.partition(ofHash: keyHash)].apply(keyHash: keyHash, from: nil, to: digest)
        }
        return trees
    }

    /// Key hashes spread over every partition, and some sharing a segment.
    static func keyHashes(_ random: inout TestRandom, count: Int) -> [UInt64] {
        let crowded = random.next() & ~UInt64(0xFFFF_FFFF)
        return (0..<count).map { $0 % 4 == 0 ? crowded | (random.next() & 0xFFFF_FFFF) : random.next() }
    }

    /// A store stand-in: sets `keyHash` to `digest` (nil: removes it) and reports the change.
    static func change(_ store: inout [UInt64: ObjectDigest], _ keyHash: UInt64, to digest: ObjectDigest?,
                       observer: PartitionTrees) {
        let old = store[keyHash]
        store[keyHash] = digest
        observer.replaced(keyHash: keyHash, old: old, new: digest)
    }

    /// Sets one of `keys`, picked at random, to a new digest, or removes it once in `removalOdds`.
    static func changeAny(of keys: [UInt64], in store: inout [UInt64: ObjectDigest], random: inout TestRandom,
                          removalOdds: Int, observer: PartitionTrees) {
        let digest = random.chance(1, in: removalOdds) ? nil : ObjectDigest(value: random.next())
        change(&store, random.element(of: keys), to: digest, observer: observer)
    }

    /// Every partition's tree is ready and equals the scan of `store`.
    static func expectScanned(_ store: [UInt64: ObjectDigest], in trees: PartitionTrees, seed: UInt64) {
        let expected = scanned(store)
        for partition in 0..<shape.partitionCount {
            #expect(trees.readyTree(of: partition) == expected[partition], "seed \(seed), partition \(partition)")
        }
    }

    @Test(arguments: 0..<10 as Range<UInt64>)
    func aReadyTreeFollowsEveryChange(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        var store: [UInt64: ObjectDigest] = [:]
        let keys = Self.keyHashes(&random, count: 400)
        for _ in 0..<2_000 { Self.changeAny(of: keys, in: &store, random: &random, removalOdds: 5, observer: trees) }
        #expect(trees.partitionCounts()[.ready] == Self.shape.partitionCount)
        Self.expectScanned(store, in: trees, seed: seed)
    }

    /// The rebuild's pass walks the keys present when it starts, in order, each read as it is when
    /// visited (absent ones skipped, as a cursor does); changes come between visits at random.
    @Test(arguments: 0..<30 as Range<UInt64>)
    func aRebuildUnderChangesCountsEachKeyOnceAsItIsAtTheEnd(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: false)
        var store: [UInt64: ObjectDigest] = [:]
        let keys = Self.keyHashes(&random, count: 300)
        for key in keys where random.chance(2, in: 3) { store[key] = ObjectDigest(value: random.next()) }
        // Before the rebuild: unbuilt, changes ignored.
        for _ in 0..<50 {
            Self.change(&store, random.element(of: keys), to: ObjectDigest(value: random.next()), observer: trees)
        }
        #expect(trees.readyTree(of: 0) == nil)

        let partitioning = Partitioning(partitionCount: Self.shape.partitionCount)
        for partition in 0..<Self.shape.partitionCount { trees.startRebuild(of: partition) }
        let pass = store.keys.sorted()
        for keyHash in pass {
            for _ in 0..<random.int(in: 0...2) {
                Self.changeAny(of: keys, in: &store, random: &random, removalOdds: 4, observer: trees)
            }
            if let digest = store[keyHash] { trees.visit(keyHash: keyHash, digest: digest) }
            #expect(trees.state(of: partitioning.partition(ofHash: keyHash)) == .building)
        }
        for partition in 0..<Self.shape.partitionCount { #expect(trees.finishRebuild(of: partition)) }
        // And kept current afterwards.
        for _ in 0..<100 {
            Self.change(&store, random.element(of: keys), to: ObjectDigest(value: random.next()), observer: trees)
        }
        Self.expectScanned(store, in: trees, seed: seed)
    }

    @Test func lostChangesAbandonARebuildAndUnbuildEveryTree() {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        trees.replaced(keyHash: 1, old: nil, new: ObjectDigest(value: 7))
        trees.startRebuild(of: 3)
        trees.changesLost()
        let counts = trees.partitionCounts()
        #expect(counts[.unbuilt] == Self.shape.partitionCount)
        #expect(counts[.ready] == 0 && counts[.building] == 0)
        trees.visit(keyHash: UInt64(3) << 60, digest: ObjectDigest(value: 9))  // partition 3: ignored
        #expect(!trees.finishRebuild(of: 3))
        #expect(trees.readyTree(of: 0) == nil)
    }

    @Test func anEmptyPartitionIsReadyWithAnEmptyTree() {
        var tree = PartitionTree(shape: Self.shape, knownEmpty: true)
        #expect(tree.readyTree == SegmentTree(shape: Self.shape))
        tree.replaced(keyHash: 5, old: nil, new: ObjectDigest(value: 1))
        tree.replaced(keyHash: 5, old: ObjectDigest(value: 1), new: nil)
        #expect(tree.readyTree?.isEmpty == true)
        tree.startRebuild()
        tree.visit(keyHash: 5, digest: ObjectDigest(value: 2))
        #expect(tree.visitedCount == 1)
        let finished = tree.finishRebuild()
        #expect(finished)
        #expect(tree.visitedCount == 0)
        #expect(tree.readyTree?.root == SegmentTree.leaf(keyHash: 5, digest: ObjectDigest(value: 2)))
    }

    /// Eight threads change keys at once, each its own keys in order (as shard locks order one key's
    /// changes); the trees equal a scan of the end state.
    @Test(arguments: 0..<3 as Range<UInt64>)
    func threadsChangingKeysAtOnceGiveTheTreeOfTheEndState(seed: UInt64) {
        let threads = 8
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        let finals = Mutex<[UInt64: ObjectDigest]>([:])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var random = TestRandom(seed: seed &* 31 &+ UInt64(thread))
            var store: [UInt64: ObjectDigest] = [:]
            // Each thread's keys are its own: the low byte is the thread.
            let keys = Self.keyHashes(&random, count: 200).map { $0 & ~0xFF | UInt64(thread) }
            for _ in 0..<3_000 { Self.changeAny(of: keys, in: &store, random: &random, removalOdds: 5, observer: trees) }
            finals.withLock { $0.merge(store) { _, new in new } }
        }
        Self.expectScanned(finals.withLock { $0 }, in: trees, seed: seed)
    }
}
