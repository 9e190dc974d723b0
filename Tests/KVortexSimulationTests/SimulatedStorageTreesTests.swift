import KVortexCore
import Testing
@testable import KVortexSimulation

/// The simulator's storage keeps anti-entropy's trees as the engines do (`EngineTreesTests` in the
/// storage tests): through writes, merges, `modify`, removals and its own reaps the observer's trees
/// equal a scan of the end state, and a rebuild interleaved with changes ends equal to one.
@Suite struct SimulatedStorageTreesTests {
    static let shape = TreeShape(segmentCount: 256, partitionCount: 16)
    static let keyCount = 80

    static func scanned(_ storage: SimulatedStorage) throws -> [SegmentTree] {
        let partitioning = Partitioning(partitionCount: shape.partitionCount)
        return try (0..<shape.partitionCount).map { partition in
            var tree = SegmentTree(shape: shape)
            try storage.forEach(partition: partition, of: partitioning) { key, object in
                tree.apply(keyHash: StableHash.hash64(key), from: nil, to: ObjectDigest(object))
                return true
            }
            return tree
        }
    }

    static func expectTreesMatch(_ trees: PartitionTrees, _ storage: SimulatedStorage, seed: UInt64,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try scanned(storage)
        let differing = (0..<shape.partitionCount).filter { trees.readyTree(of: $0) != expected[$0] }
        #expect(differing.isEmpty, "seed \(seed): partitions \(differing) differ from the scan (or are not ready)",
                sourceLocation: sourceLocation)
    }

    /// One random change (or read) at `nowMs`; every write by an actor of its own, so no dot repeats.
    static func step(_ storage: SimulatedStorage, _ random: inout SplitMix64, nowMs: inout UInt64) throws {
        nowMs += random.below(40)
        let key = Array("key\(random.int(in: 0..<keyCount))".utf8)
        let actor = ActorID(rawValue: random.next())
        let stamp = HybridTimestamp(physicalMs: nowMs, logical: 0)
        switch random.int(in: 0..<10) {
        case 0..<4:
            let payload: Sibling.Payload = random.below(3) == 0 ? .tombstone : .value([UInt8(random.below(256))])
            let context = random.below(2) == 0 ? try storage.get(key, nowMs: nowMs).map(WriteContext.init(of:)) : nil
            _ = try storage.write(key, WriteRequest(payload: payload, context: context), actor: actor, timestamp: stamp,
                                  nowMs: nowMs, mode: .siblings, siblingsMax: 8)
        case 4..<6:
            var incoming = random.below(2) == 0 ? try storage.get(key, nowMs: nowMs) ?? VersionedObject() : VersionedObject()
            _ = incoming.applyWrite(WriteRequest(payload: .value([1]), context: WriteContext(of: incoming)), actor: actor,
                                    timestamp: stamp, mode: .siblings, siblingsMax: 8)
            _ = try storage.merge(key, incoming: incoming, nowMs: nowMs, mode: .siblings, siblingsMax: 8)
        case 6: try storage.update(key, nowMs: nowMs) { $0 = nil }
        case 7: _ = storage.sweep(nowMs: nowMs, keysMax: 3)
        default: _ = try storage.get(key, nowMs: nowMs)
        }
    }

    @Test(arguments: 0..<10 as Range<UInt64>)
    func changesKeepTreesEqualToAScan(seed: UInt64) throws {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        let storage = SimulatedStorage(reapGraceMs: 200, changeObserver: trees)
        var random = SplitMix64(seed: seed)
        var nowMs: UInt64 = 1_000
        for _ in 0..<800 { try Self.step(storage, &random, nowMs: &nowMs) }
        try Self.expectTreesMatch(trees, storage, seed: seed)
    }

    @Test(arguments: 0..<10 as Range<UInt64>)
    func aRebuildBetweenChangesEndsEqualToAScan(seed: UInt64) throws {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: false)
        let storage = SimulatedStorage(reapGraceMs: 200, changeObserver: trees)
        var random = SplitMix64(seed: seed)
        var nowMs: UInt64 = 1_000
        for _ in 0..<300 { try Self.step(storage, &random, nowMs: &nowMs) }
        for partition in 0..<Self.shape.partitionCount {
            var rebuild = TreeRebuild(partition: partition, keysPerStepMax: 4)
            var progress = TreeRebuild.Progress.visiting
            while progress == .visiting {
                progress = try rebuild.step(engine: storage, trees: trees)
                for _ in 0..<random.int(in: 0..<4) { try Self.step(storage, &random, nowMs: &nowMs) }
            }
            #expect(progress == .finished, "seed \(seed), partition \(partition)")
        }
        try Self.expectTreesMatch(trees, storage, seed: seed)
    }
}
