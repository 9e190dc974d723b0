/// The rebuild of one partition's tree (docs/anti-entropy.md §2, "States and rebuild"), one bounded
/// step at a time: the first step starts the tree `building`, each step visits up to `keysPerStepMax`
/// keys through the engine's `visitDigests`, and the step that ends the pass makes the tree `ready`.
///
/// Pure: no thread, clock or timer. The driver calls `step` off the request path (the sweep queue in
/// production, a virtual timer in the simulator), one partition at a time, never under the node lock,
/// and decides when the next step runs. Writes go on meanwhile: the engine reports them to the same
/// `PartitionTrees`, whose rule counts each key once, as it is at the end.
public struct TreeRebuild: Sendable {
    /// Keys read per step unless configured: one step holds an engine's lock for a batch of this size
    /// at most (a memory shard's ~50 µs), so writers barely wait.
    public static let rebuildKeysPerStepMax = 1_024

    /// What a step left.
    public enum Progress: Equatable, Sendable {
        /// More keys to visit: call `step` again.
        case visiting
        /// The pass is done and the tree is ready.
        case finished
        /// The tree stopped building under the pass (the engine lost changes, `changesLost`, and every
        /// tree went `unbuilt`): start a new rebuild.
        case abandoned
    }

    private enum Phase: Equatable, Sendable {
        case notStarted
        case visiting(DigestCursor)
        case ended(Progress)
    }

    public let partition: Int
    public let keysPerStepMax: Int
    /// Keys visited so far (`kvortex_antientropy_rebuild_keys_total`).
    public private(set) var keysVisited = 0
    private var phase = Phase.notStarted

    public init(partition: Int, keysPerStepMax: Int = TreeRebuild.rebuildKeysPerStepMax) {
        precondition(keysPerStepMax > 0, "keysPerStepMax \(keysPerStepMax) must be positive")
        self.partition = partition
        self.keysPerStepMax = keysPerStepMax
    }

    /// Runs one step against `engine`, whose observer is `trees`. A step that throws changes nothing
    /// here: stepping again retries the same batch (the tree stays `building` until then).
    public mutating func step(engine: any StorageEngine, trees: PartitionTrees) throws(StorageError) -> Progress {
        precondition(partition < trees.shape.partitionCount, "partition \(partition) of \(trees.shape.partitionCount)")
        let cursor: DigestCursor
        switch phase {
        case .ended(let progress):
            return progress
        case .notStarted:
            trees.startRebuild(of: partition)
            cursor = .start
        case .visiting(let resume):
            guard trees.state(of: partition) == .building else { return end(.abandoned) }
            cursor = resume
        }
        var visited = 0
        let next = try engine.visitDigests(partition: partition, of: trees.partitioning, from: cursor,
                                           keysMax: keysPerStepMax) { keyHash, digest in
            trees.visit(keyHash: keyHash, digest: digest)
            visited += 1
        }
        keysVisited += visited
        guard let next else { return end(trees.finishRebuild(of: partition) ? .finished : .abandoned) }
        phase = .visiting(next)
        return .visiting
    }

    private mutating func end(_ progress: Progress) -> Progress {
        phase = .ended(progress)
        return progress
    }

    /// The first partition after `previous` (in order, wrapping round; from 0 when nil) whose tree is
    /// `unbuilt`: the next one a driver rebuilding one partition at a time should take. Nil when none is.
    public static func nextUnbuilt(in trees: PartitionTrees, after previous: Int?) -> Int? {
        let count = trees.shape.partitionCount
        let first = previous.map { ($0 + 1) % count } ?? 0
        for offset in 0..<count where trees.state(of: (first + offset) % count) == .unbuilt {
            return (first + offset) % count
        }
        return nil
    }
}
