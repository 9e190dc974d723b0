import Glibc
import KVortexCore
import KVortexStorage
import Synchronization
import Testing

/// Anti-entropy's trees kept by an engine (docs/anti-entropy.md §2 and §6): whatever an engine does to
/// its objects — client writes on encodings, replica merges (decoded and encoded), `modify`, removals,
/// confirmed reaps, its own reaps in `get` and `sweep`, evictions — its observer's trees equal the trees
/// a scan of its end state gives, and a rebuild run while writers change keys ends equal to that scan.
struct TreeConformance {
    /// Small trees, so that keys share segments.
    static let shape = TreeShape(segmentCount: 256, partitionCount: 16)
    /// The grace the factories give engines, so that histories reach reaps.
    static let graceMs: UInt64 = 1_000

    /// Opens the engine under test reporting to `observer`: a new memory engine each call; a durable
    /// engine on the same files each call (so a second call reopens what the first stored).
    let make: (any ObjectChangeObserver) throws -> any StorageEngine
    /// Writer threads for the histories (several for the memory engine).
    let writerCount: Int
    /// Keys the histories touch.
    var keyCount = 120
    /// Changes the writers make between two steps of a rebuild.
    static let changesPerRebuildStep = 4

    /// The trees of the engine's stored objects, one scan (`forEach`, decoded objects) per partition.
    static func scanned(_ engine: any StorageEngine) throws -> [SegmentTree] {
        let partitioning = Partitioning(partitionCount: shape.partitionCount)
        return try (0..<shape.partitionCount).map { partition in
            var tree = SegmentTree(shape: shape)
            try engine.forEach(partition: partition, of: partitioning) { key, object in
                tree.apply(keyHash: StableHash.hash64(key), from: nil, to: ObjectDigest(object))
                return true
            }
            return tree
        }
    }

    /// Every partition's tree is ready and equals the scan of `engine`.
    static func expectTreesMatch(_ trees: PartitionTrees, _ engine: any StorageEngine, _ what: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try scanned(engine)
        let differing = (0..<shape.partitionCount).filter { trees.readyTree(of: $0) != expected[$0] }
        #expect(differing.isEmpty, "\(what): partitions \(differing) differ from the scan (or are not ready)",
                sourceLocation: sourceLocation)
    }

    /// A random history kept by the observer from an empty engine (every tree ready from the start).
    func historyKeepsTreesEqualToAScan(seed: UInt64) throws {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        let engine = try make(trees)
        defer { try? engine.close() }
        let keyCount = keyCount
        runOnThreads(writerCount) { thread in
            var history = TreeHistory(seed: seed &* 1_000 &+ UInt64(thread), thread: thread, keyCount: keyCount)
            for _ in 0..<600 { history.step(engine) }
        }
        #expect(engine.stats.keyCount > 0, "seed \(seed): the history left keys")
        try Self.expectTreesMatch(trees, engine, "seed \(seed)")
    }

    /// Writers change keys while every partition is rebuilt, one at a time in small steps, each step
    /// waiting for a few more changes; once the writers stop, every tree is ready and equals the scan of
    /// the end state.
    func rebuildUnderWritersEqualsAScan(seed: UInt64) throws {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: false)
        let engine = try make(trees)
        defer { try? engine.close() }
        var preload = TreeHistory(seed: seed, thread: 0, keyCount: keyCount)
        for _ in 0..<300 { preload.step(engine) }
        #expect(trees.partitionCounts()[.unbuilt] == Self.shape.partitionCount, "unbuilt: changes ignored")
        let stop = Atomic(false)
        let changes = Atomic(0)
        let progress = Mutex<[TreeRebuild.Progress]>([])
        let keyCount = keyCount
        let writerCount = writerCount
        runOnThreads(writerCount + 1) { thread in
            guard thread == writerCount else {
                var history = TreeHistory(seed: seed &* 1_000 &+ UInt64(thread + 1), thread: thread, keyCount: keyCount)
                while !stop.load(ordering: .relaxed) {
                    history.step(engine)
                    changes.wrappingAdd(1, ordering: .relaxed)
                }
                return
            }
            var next = TreeRebuild.nextUnbuilt(in: trees, after: nil)
            while let partition = next {
                var rebuild = TreeRebuild(partition: partition, keysPerStepMax: 5)
                var last = TreeRebuild.Progress.visiting
                while last == .visiting {
                    last = (try? rebuild.step(engine: engine, trees: trees)) ?? .abandoned
                    let target = changes.load(ordering: .relaxed) + Self.changesPerRebuildStep
                    while changes.load(ordering: .relaxed) < target { sched_yield() }
                }
                progress.withLock { $0.append(last) }
                next = TreeRebuild.nextUnbuilt(in: trees, after: partition)
            }
            stop.store(true, ordering: .relaxed)
        }
        let ended = progress.withLock { $0 }
        #expect(ended == Array(repeating: .finished, count: Self.shape.partitionCount), "seed \(seed)")
        try Self.expectTreesMatch(trees, engine, "seed \(seed), after the rebuild")
    }

    /// A durable engine opened on data an earlier process stored: every tree unbuilt (its changes were
    /// never reported), ready and right once rebuilt, and kept current after that.
    func reopenedWithDataStartsUnbuilt(seed: UInt64) throws {
        do {
            let engine = try make(PartitionTrees(shape: Self.shape, knownEmpty: true))
            var history = TreeHistory(seed: seed, thread: 0, keyCount: keyCount)
            for _ in 0..<200 { history.step(engine) }
            try engine.close()
        }
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        let engine = try make(trees)
        defer { try? engine.close() }
        #expect(engine.stats.keyCount > 0)
        #expect(trees.partitionCounts()[.unbuilt] == Self.shape.partitionCount, "seed \(seed): opened with data")
        for partition in 0..<Self.shape.partitionCount {
            var rebuild = TreeRebuild(partition: partition)
            #expect(try rebuild.step(engine: engine, trees: trees) == .finished, "one step of 1 024 keys is enough")
        }
        var history = TreeHistory(seed: seed &+ 1, thread: 0, keyCount: keyCount)
        for _ in 0..<200 { history.step(engine) }
        try Self.expectTreesMatch(trees, engine, "seed \(seed), reopened and rebuilt")
    }

    /// An empty durable engine opens with its trees ready.
    func openedEmptyStaysReady() throws {
        let trees = PartitionTrees(shape: Self.shape, knownEmpty: true)
        let engine = try make(trees)
        defer { try? engine.close() }
        #expect(trees.partitionCounts()[.ready] == Self.shape.partitionCount)
    }
}

/// One writer's random operations on an engine, over keys shared with the other writers, at a time
/// that moves forward so that tombstones and TTLs become reapable. Every write is made by an actor of
/// its own (a random one): keys are removed and written again, and an actor's counters would start
/// over, minting dots already used for other writes, which no real history does (epochs prevent it).
struct TreeHistory {
    var random: SplitMix64
    let keyCount: Int
    var nowMs: UInt64 = 1_000

    init(seed: UInt64, thread: Int, keyCount: Int) {
        random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(thread))
        self.keyCount = keyCount
    }

    mutating func step(_ engine: any StorageEngine) {
        nowMs += random.below(40)
        let key = Array("key\(random.int(in: 0..<keyCount))".utf8)
        // Errors are not this test's subject (a closed or full engine is another's): ignored.
        switch random.int(in: 0..<100) {
        case 0..<30: _ = try? write(engine, key)
        case 30..<45: _ = try? merge(engine, key)
        case 45..<52: try? engine.update(key, nowMs: nowMs) { $0 = nil }
        case 52..<60:
            let actor = ActorID(rawValue: random.next())
            try? engine.update(key, nowMs: nowMs) { stored in stored = stored.map { Self.rewritten($0, actor: actor, atMs: nowMs) } }
        case 60..<66: confirmedReap(engine)
        case 66..<70: _ = engine.sweep(nowMs: nowMs, keysMax: 4)
        default: _ = try? engine.get(key, nowMs: nowMs)
        }
    }

    /// A client write: a value (blind, or with the stored context), a short TTL, or a delete.
    private mutating func write(_ engine: any StorageEngine, _ key: [UInt8]) throws {
        let context = random.below(2) == 0 ? nil : try engine.get(key, nowMs: nowMs).map(WriteContext.init(of:))
        let payload: Sibling.Payload = random.below(4) == 0 ? .tombstone : .value(Array(repeating: UInt8(random.below(256)), count: 20))
        let expiryMs = random.below(5) == 0 ? nowMs + 30 : nil
        let request = WriteRequest(payload: payload, context: context, expiryMs: expiryMs)
        _ = try engine.write(key, request, actor: ActorID(rawValue: random.next()), timestamp: HybridTimestamp(physicalMs: nowMs, logical: 0), nowMs: nowMs,
                             mode: .siblings, siblingsMax: 8)
    }

    /// A replica's object: the stored one written on by another actor (it supersedes), or a fresh one
    /// (concurrent), merged decoded or still encoded.
    private mutating func merge(_ engine: any StorageEngine, _ key: [UInt8]) throws {
        var incoming = random.below(2) == 0 ? try engine.get(key, nowMs: nowMs) ?? VersionedObject() : VersionedObject()
        _ = incoming.applyWrite(WriteRequest(payload: .value([UInt8(random.below(256))]), context: WriteContext(of: incoming)),
                                actor: ActorID(rawValue: random.next()), timestamp: HybridTimestamp(physicalMs: nowMs, logical: 1),
                                mode: .siblings, siblingsMax: 8)
        if random.below(2) == 0 {
            _ = try engine.merge(key, incoming: incoming, nowMs: nowMs, mode: .siblings, siblingsMax: 8)
        } else {
            var reader = ByteReader(incoming.encoded())
            _ = try engine.merge(key, encoded: try EncodedObject(from: &reader), nowMs: nowMs, mode: .siblings, siblingsMax: 8)
        }
    }

    /// The object written on by `actor` with its own context (a `modify` that rewrites it).
    private static func rewritten(_ object: VersionedObject, actor: ActorID, atMs nowMs: UInt64) -> VersionedObject {
        var changed = object
        _ = changed.applyWrite(WriteRequest(payload: .value([1, 2, 3]), context: WriteContext(of: object)), actor: actor,
                               timestamp: HybridTimestamp(physicalMs: nowMs, logical: 2), mode: .siblings, siblingsMax: 8)
        return changed
    }

    /// Confirmed reaps with a short grace (the engine's own is `TreeConformance.graceMs`).
    private mutating func confirmedReap(_ engine: any StorageEngine) {
        for candidate in engine.reapCandidates(nowMs: nowMs, graceMs: 100, keysMax: 3) {
            _ = try? engine.removeIfUnchanged(candidate.key, digest: candidate.digest, nowMs: nowMs, graceMs: 100)
        }
    }
}
