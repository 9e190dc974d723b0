import Synchronization

/// An in-memory `HintStore`: per target, an insertion-ordered map of key → hint, bounded.
public final class MemoryHintStore: HintStore {
    /// Hints (distinct keys) kept per target; past it new keys are refused and counted.
    public let hintsPerTargetMax: Int

    private struct Queue {
        var order: [[UInt8]] = []
        var hints: [[UInt8]: Hint] = [:]
    }

    private struct State {
        var queues: [NodeID: Queue] = [:]
        var nextSequence: UInt64 = 1
        var stats = HintStats()
    }

    private let state = Mutex(State())

    public init(hintsPerTargetMax: Int = 10_000) {
        precondition(hintsPerTargetMax > 0, "hintsPerTargetMax \(hintsPerTargetMax) must be positive")
        self.hintsPerTargetMax = hintsPerTargetMax
    }

    public func add(target: NodeID, key: [UInt8], object: VersionedObject, mode: ConflictMode,
                    siblingsMax: Int) -> HintAddResult {
        state.withLock { state in
            var queue = state.queues[target] ?? Queue()
            let sequence = state.nextSequence
            state.nextSequence += 1
            if let existing = queue.hints[key] {
                let merged = existing.object.merging(object, mode: mode, siblingsMax: siblingsMax)
                queue.hints[key] = Hint(sequence: sequence, target: target, key: key, object: merged)
                state.queues[target] = queue
                return .merged
            }
            guard queue.order.count < hintsPerTargetMax else {
                state.stats.droppedFull += 1
                return .full
            }
            queue.order.append(key)
            queue.hints[key] = Hint(sequence: sequence, target: target, key: key, object: object)
            state.queues[target] = queue
            state.stats.stored += 1
            state.stats.pending += 1
            return .stored
        }
    }

    public func pending(for target: NodeID, limit: Int) -> [Hint] {
        state.withLock { state in
            guard let queue = state.queues[target] else { return [] }
            return queue.order.prefix(limit).map { queue.hints[$0]! }
        }
    }

    public func acknowledge(target: NodeID, key: [UInt8], sequence: UInt64) -> Bool {
        state.withLock { state in
            guard var queue = state.queues[target], queue.hints[key]?.sequence == sequence else { return false }
            queue.hints[key] = nil
            queue.order.removeAll { $0 == key }
            state.queues[target] = queue.order.isEmpty ? nil : queue
            state.stats.pending -= 1
            state.stats.delivered += 1
            return true
        }
    }

    public func targets() -> [NodeID] {
        state.withLock { $0.queues.keys.sorted() }
    }

    public var stats: HintStats { state.withLock { $0.stats } }
}
