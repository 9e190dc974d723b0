/// The bookkeeping every `HintStore` shares: per target, an insertion-ordered map of key → hint,
/// bounded by `hintsPerTargetMax` distinct keys. Not thread-safe; stores wrap it in a lock.
public struct HintQueues: Sendable {
    private struct Queue: Sendable {
        /// Keys in the order their hints were first stored; entries of acknowledged keys are removed
        /// lazily (`hints[key] == nil`), so acknowledging is O(1) amortised.
        var order: [[UInt8]] = []
        var orderStart = 0
        var hints: [[UInt8]: Hint] = [:]

        /// Skips acknowledged keys at the front, and rebuilds the order once stale entries (keys
        /// acknowledged out of order, or stored again after that) outnumber live ones: bounded by the hints.
        mutating func compactOrder() {
            while orderStart < order.count && hints[order[orderStart]] == nil { orderStart += 1 }
            guard order.count - orderStart > 2 * hints.count + 16 || orderStart > order.count / 2 else { return }
            var seen = Set<[UInt8]>()
            order = order[orderStart...].filter { hints[$0] != nil && seen.insert($0).inserted }
            orderStart = 0
        }
    }

    public let hintsPerTargetMax: Int
    /// Whether an object that supersedes the pending hint's replaces it without a merge (below).
    public let supersedingReplaces: Bool
    /// Every target that has had hints, and its queue (empty once all are acknowledged), found by a
    /// walk: the targets are the cluster's other nodes, and comparing node IDs (their cached hashes
    /// first) cost less than hashing one into a dictionary, twice per hint (about 250 instructions each).
    private var targetIDs: [NodeID] = []
    private var queues: [Queue] = []
    public private(set) var nextSequence: UInt64 = 1
    public private(set) var stats = HintStats()

    /// `supersedingReplaces: false` merges every hint in full: for the simulator's planted bugs,
    /// whose objects no correct history makes and for which superseding is not merging.
    public init(hintsPerTargetMax: Int, supersedingReplaces: Bool = true) {
        precondition(hintsPerTargetMax > 0, "hintsPerTargetMax \(hintsPerTargetMax) must be positive")
        self.hintsPerTargetMax = hintsPerTargetMax
        self.supersedingReplaces = supersedingReplaces
    }

    /// The index of `target`'s queue, if it has ever had one.
    private func queueIndex(of target: NodeID) -> Int? {
        targetIDs.firstIndex(of: target)
    }

    /// The index of `target`'s queue, made empty if it has none.
    private mutating func queueIndexMaking(_ target: NodeID) -> Int {
        if let index = queueIndex(of: target) { return index }
        targetIDs.append(target)
        queues.append(Queue())
        return queues.count - 1
    }

    /// Keeps `object` for `target`, merging with a pending hint for the same key. Returns the result;
    /// `hint(for:key:)` gives the hint as now stored (a durable store logs it).
    ///
    /// A stand-in usually holds hints for the successive writes of a key, each the next version of
    /// the last: an object whose clock descends the pending hint's is what merging would give
    /// (`VersionedObject+Supersede`), so it replaces the hint as it is, as a replica's storage does.
    /// The full merge was 7 % of a run of the majority-partition scenario. The pending hint is found
    /// once and changed where it lies (`Dictionary.Values`), without hashing its key again; building
    /// a new hint from a merged copy of the old object, and returning a copy of it to every caller,
    /// cost about 1 000 instructions a merged hint.
    public mutating func add(target: NodeID, key: [UInt8], object: VersionedObject, mode: ConflictMode,
                             siblingsMax: Int) -> HintAddResult {
        let sequence = nextSequence
        let queue = queueIndex(of: target)
        if let queue, let slot = queues[queue].hints.index(forKey: key) {
            nextSequence += 1
            Self.absorb(object, into: &queues[queue].hints.values[slot], sequence: sequence,
                        supersedingReplaces: supersedingReplaces, mode: mode, siblingsMax: siblingsMax)
            return .merged
        }
        guard queue.map({ queues[$0].hints.count }) ?? 0 < hintsPerTargetMax else {
            stats.droppedFull += 1
            return .full
        }
        nextSequence += 1
        restore(Hint(sequence: sequence, target: target, key: key, object: object))
        stats.stored += 1
        return .stored
    }

    /// Merges `object` into the pending `hint`, or replaces its object when `object` supersedes it,
    /// and gives the hint `sequence`.
    private static func absorb(_ object: VersionedObject, into hint: inout Hint, sequence: UInt64,
                               supersedingReplaces: Bool, mode: ConflictMode, siblingsMax: Int) {
        hint.sequence = sequence
        if supersedingReplaces && object.supersedes(clock: hint.object.clock, mode: mode) {
            assert(hint.object.merging(object, mode: mode, siblingsMax: siblingsMax) == object,
                   "a superseding hint is not what the merge gives")
            hint.object = object
        } else {
            _ = hint.object.merge(object, mode: mode, siblingsMax: siblingsMax)
        }
    }

    /// The pending hint for (`target`, `key`), if any.
    public func hint(for target: NodeID, key: [UInt8]) -> Hint? {
        guard let queue = queueIndex(of: target) else { return nil }
        return queues[queue].hints[key]
    }

    /// Puts back a hint read from durable storage (keeps its sequence). Replaces one for the same key.
    public mutating func restore(_ hint: Hint) {
        nextSequence = max(nextSequence, hint.sequence + 1)
        let queue = queueIndexMaking(hint.target)
        if queues[queue].hints.updateValue(hint, forKey: hint.key) == nil {
            queues[queue].order.append(hint.key)
            stats.pending += 1
        }
        queues[queue].compactOrder()
    }

    /// Up to `limit` pending hints for `target`, oldest first.
    public func pending(for target: NodeID, limit: Int) -> [Hint] {
        guard let index = queueIndex(of: target) else { return [] }
        let queue = queues[index]
        var found: [Hint] = []
        var seen = Set<[UInt8]>()
        var position = queue.orderStart
        while found.count < limit && position < queue.order.count {
            if let hint = queue.hints[queue.order[position]], seen.insert(hint.key).inserted { found.append(hint) }
            position += 1
        }
        return found
    }

    /// Drops the hint for (`target`, `key`) if it is still at `sequence`; true when removed.
    public mutating func acknowledge(target: NodeID, key: [UInt8], sequence: UInt64) -> Bool {
        guard let queue = queueIndex(of: target), let slot = queues[queue].hints.index(forKey: key),
              queues[queue].hints.values[slot].sequence == sequence else { return false }
        queues[queue].hints.remove(at: slot)
        stats.pending -= 1
        stats.delivered += 1
        if queues[queue].hints.isEmpty {
            queues[queue] = Queue()
        } else {
            queues[queue].compactOrder()
        }
        return true
    }

    /// Targets with pending hints, sorted. Collected in one array, sorted only when there are two or
    /// more: every heartbeat asks, and the filter, map and sort made three arrays (~900 instructions).
    public func targets() -> [NodeID] {
        var found: [NodeID] = []
        for index in targetIDs.indices where !queues[index].hints.isEmpty { found.append(targetIDs[index]) }
        if found.count > 1 { found.sort() }
        return found
    }

    /// Every pending hint, by target then age (for rewriting a durable store).
    public func all() -> [Hint] {
        targets().flatMap { pending(for: $0, limit: .max) }
    }
}
