import Synchronization

/// An in-memory `HintStore`: `HintQueues` behind a lock. Hints die with the process.
public final class MemoryHintStore: HintStore {
    /// Hints (distinct keys) kept per target; past it new keys are refused and counted.
    public let hintsPerTargetMax: Int
    private let queues: Mutex<HintQueues>

    /// `supersedingReplaces`: see `HintQueues.init`.
    public init(hintsPerTargetMax: Int = 10_000, supersedingReplaces: Bool = true) {
        self.hintsPerTargetMax = hintsPerTargetMax
        queues = Mutex(HintQueues(hintsPerTargetMax: hintsPerTargetMax, supersedingReplaces: supersedingReplaces))
    }

    public func add(target: NodeID, key: [UInt8], object: VersionedObject, mode: ConflictMode,
                    siblingsMax: Int) -> HintAddResult {
        queues.withLock { $0.add(target: target, key: key, object: object, mode: mode, siblingsMax: siblingsMax) }
    }

    public func pending(for target: NodeID, limit: Int) -> [Hint] {
        queues.withLock { $0.pending(for: target, limit: limit) }
    }

    public func acknowledge(target: NodeID, key: [UInt8], sequence: UInt64) -> Bool {
        queues.withLock { $0.acknowledge(target: target, key: key, sequence: sequence) }
    }

    public func targets() -> [NodeID] {
        queues.withLock { $0.targets() }
    }

    public var stats: HintStats { queues.withLock { $0.stats } }
}
