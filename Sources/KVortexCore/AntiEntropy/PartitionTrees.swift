import Synchronization

/// A node's anti-entropy trees, one per partition, kept current by its storage engine
/// (docs/anti-entropy.md §2): the engine's `ObjectChangeObserver`.
///
/// Engines report changes from many threads (one per shard lock), so each partition's tree has a lock
/// of its own: changes of keys in different partitions never wait for each other, and within a
/// partition the XOR algebra makes their order irrelevant. A tree is allocated with its partition's
/// first key, so a node holds at most Q × (8 KiB + 256 B) at S = 1024.
public final class PartitionTrees: ObjectChangeObserver {
    /// One partition's lock; a class so the array of them can be built once and shared.
    private final class Slot: Sendable {
        let tree: Mutex<PartitionTree>
        init(_ tree: PartitionTree) { self.tree = Mutex(tree) }
    }

    public let shape: TreeShape
    public let partitioning: Partitioning
    private let slots: [Slot]

    /// `knownEmpty`: the engine holds no key yet (every memory engine; a durable one opened without
    /// data), so every tree is ready at once; otherwise all are unbuilt until rebuilt.
    public init(shape: TreeShape, knownEmpty: Bool) {
        self.shape = shape
        partitioning = Partitioning(partitionCount: shape.partitionCount)
        slots = (0..<shape.partitionCount).map { _ in Slot(PartitionTree(shape: shape, knownEmpty: knownEmpty)) }
    }

    public func replaced(keyHash: UInt64, old: ObjectDigest?, new: ObjectDigest?) {
        guard old != new else { return }
        slots[partitioning.partition(ofHash: keyHash)].tree.withLock {
            $0.replaced(keyHash: keyHash, old: old, new: new)
        }
    }

    public func changesLost() {
        for slot in slots { slot.tree.withLock { $0.invalidate() } }
    }

    public func state(of partition: Int) -> PartitionTree.State {
        slots[partition].tree.withLock { $0.state }
    }

    /// A copy of `partition`'s tree to exchange, or nil when it is not ready.
    public func readyTree(of partition: Int) -> SegmentTree? {
        slots[partition].tree.withLock { $0.readyTree }
    }

    /// How many partitions are in each state (the metric `kvortex_antientropy_tree_partitions{state}`).
    public func partitionCounts() -> [PartitionTree.State: Int] {
        var counts = Dictionary(uniqueKeysWithValues: PartitionTree.State.allCases.map { ($0, 0) })
        for slot in slots { counts[slot.tree.withLock { $0.state }, default: 0] += 1 }
        return counts
    }

    // MARK: Rebuild (driven by the runtime, one partition at a time, over the engine's `visitDigests`)

    public func startRebuild(of partition: Int) {
        slots[partition].tree.withLock { $0.startRebuild() }
    }

    /// The rebuild of the key's partition found it in state `digest`; the engine calls this holding
    /// the key's lock, as it does `replaced`.
    public func visit(keyHash: UInt64, digest: ObjectDigest) {
        slots[partitioning.partition(ofHash: keyHash)].tree.withLock { $0.visit(keyHash: keyHash, digest: digest) }
    }

    /// Ends `partition`'s rebuild; false when none was under way (abandoned by `changesLost`).
    @discardableResult
    public func finishRebuild(of partition: Int) -> Bool {
        slots[partition].tree.withLock { $0.finishRebuild() }
    }
}
