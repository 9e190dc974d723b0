/// The writes to one key (deletes included) as plain arrays of times, for the reads-see-writes
/// checker, which asks about the writes once per read.
///
/// Both questions are answered by binary search (the acknowledgements sorted by time, the starts in
/// the order the writes began) and prefix maxima of the ends, not by a scan of every write per read:
/// the scans made the checker quadratic in the operations on a key (2 % of a run's instructions).
struct KeyWrites {
    /// The writes' indices in the history, in the order they began.
    private(set) var indices: [Int] = []
    /// When each write began: never decreasing, as writes are in the order they began.
    private var startsMs: [UInt64] = []
    /// The acknowledged writes as (time acknowledged, position), sorted.
    private var acknowledged: [(endMs: UInt64, position: Int)] = []
    /// For the first `count` writes (at index `count`): the latest end (`.max` while a write had not
    /// ended), the position holding it, and the latest end among the others (nil for fewer than two).
    private var prefixLatestEndMs: [UInt64] = [0]
    private var prefixLatestPosition: [Int] = [-1]
    private var prefixRunnerUpEndMs: [UInt64?] = [nil]

    init(_ keyOperations: [Int], of operations: [History.Operation]) {
        var indices: [Int] = []
        var startsMs: [UInt64] = []
        var endsMs: [UInt64] = []
        var acknowledgedMs: [UInt64?] = []
        indices.reserveCapacity(keyOperations.count)
        startsMs.reserveCapacity(keyOperations.count)
        endsMs.reserveCapacity(keyOperations.count)
        acknowledgedMs.reserveCapacity(keyOperations.count)
        for index in keyOperations where operations[index].kind != .read {
            indices.append(index)
            startsMs.append(operations[index].startMs)
            endsMs.append(operations[index].endMs ?? .max)
            acknowledgedMs.append(operations[index].succeeded == true ? operations[index].endMs : nil)
        }
        self.init(indices: indices, startsMs: startsMs, endsMs: endsMs, acknowledgedMs: acknowledgedMs)
    }

    /// Writes given by parts, one entry per write in the order they began; `acknowledgedMs` is nil for
    /// a write that was not acknowledged.
    init(indices: [Int], startsMs: [UInt64], endsMs: [UInt64], acknowledgedMs: [UInt64?]) {
        precondition(startsMs.count == indices.count && endsMs.count == indices.count && acknowledgedMs.count == indices.count,
                     "parts of \(indices.count) writes differ in length")
        self.indices = indices
        self.startsMs = startsMs
        acknowledged.reserveCapacity(indices.count)
        prefixLatestEndMs.reserveCapacity(indices.count + 1)
        prefixLatestPosition.reserveCapacity(indices.count + 1)
        prefixRunnerUpEndMs.reserveCapacity(indices.count + 1)
        for position in startsMs.indices {
            precondition(position == 0 || startsMs[position - 1] <= startsMs[position], "write \(position) began before the one before it")
            if let endMs = acknowledgedMs[position] { acknowledged.append((endMs, position)) }
            let endMs = endsMs[position]
            if position == 0 {
                append(latest: endMs, at: position, runnerUp: nil)
            } else if endMs > prefixLatestEndMs[position] {
                append(latest: endMs, at: position, runnerUp: prefixLatestEndMs[position])
            } else {
                append(latest: prefixLatestEndMs[position], at: prefixLatestPosition[position],
                       runnerUp: max(prefixRunnerUpEndMs[position] ?? 0, endMs))
            }
        }
        acknowledged.sort { $0.endMs < $1.endMs || ($0.endMs == $1.endMs && $0.position < $1.position) }
    }

    private mutating func append(latest: UInt64, at position: Int, runnerUp: UInt64?) {
        prefixLatestEndMs.append(latest)
        prefixLatestPosition.append(position)
        prefixRunnerUpEndMs.append(runnerUp)
    }

    /// The position of the acknowledged write that ended last before `timeMs` (the first of equals), if
    /// any. Strictly before: events of one virtual millisecond run in an order the history does not
    /// keep, so a read that starts in the millisecond a write is acknowledged may have started first.
    func latestAcknowledged(before timeMs: UInt64) -> Int? {
        let before = Self.count(of: acknowledged) { $0.endMs < timeMs }
        guard before > 0 else { return nil }
        let latestMs = acknowledged[before - 1].endMs
        return acknowledged[Self.count(of: acknowledged) { $0.endMs < latestMs }].position
    }

    /// True when a write other than the one at `position` started by `untilMs` and ended no earlier than
    /// the one at `position` started; sharing a millisecond counts as overlapping (see above): a write
    /// applied in the millisecond a read ends may be what that read saw.
    func overlaps(_ position: Int, until untilMs: UInt64) -> Bool {
        let fromMs = startsMs[position]
        let started = Self.count(of: startsMs) { $0 <= untilMs }
        guard started > 0 else { return false }
        guard prefixLatestPosition[started] == position else { return prefixLatestEndMs[started] >= fromMs }
        return prefixRunnerUpEndMs[started].map { $0 >= fromMs } ?? false
    }

    /// How many leading elements of `elements` satisfy `isBefore`, which holds for a prefix of them.
    private static func count<Element>(of elements: [Element], where isBefore: (Element) -> Bool) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(elements[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
