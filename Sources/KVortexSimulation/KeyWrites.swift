/// The writes to one key (deletes included) as plain arrays of times, for the reads-see-writes
/// checker, which asks about every write once per read.
struct KeyWrites {
    /// The writes' indices in the history, in the order they began.
    private(set) var indices: [Int] = []
    private var startsMs: [UInt64] = []
    /// When each write ended (`.max` while it had not).
    private var endsMs: [UInt64] = []
    /// When each write was acknowledged, or nil when it was not.
    private var acknowledgedMs: [UInt64?] = []

    init(_ keyOperations: [Int], of operations: [History.Operation]) {
        for index in keyOperations where operations[index].kind != .read {
            indices.append(index)
            startsMs.append(operations[index].startMs)
            endsMs.append(operations[index].endMs ?? .max)
            acknowledgedMs.append(operations[index].succeeded == true ? operations[index].endMs : nil)
        }
    }

    /// The position of the acknowledged write that ended last before `timeMs` (the first of equals), if
    /// any. Strictly before: events of one virtual millisecond run in an order the history does not
    /// keep, so a read that starts in the millisecond a write is acknowledged may have started first.
    func latestAcknowledged(before timeMs: UInt64) -> Int? {
        var latest: (position: Int, endMs: UInt64)?
        for position in acknowledgedMs.indices {
            guard let endMs = acknowledgedMs[position], endMs < timeMs else { continue }
            if latest.map({ endMs > $0.endMs }) ?? true { latest = (position, endMs) }
        }
        return latest?.position
    }

    /// True when a write other than the one at `position` started by `untilMs` and ended no earlier than
    /// the one at `position` started; sharing a millisecond counts as overlapping (see above): a write
    /// applied in the millisecond a read ends may be what that read saw.
    func overlaps(_ position: Int, until untilMs: UInt64) -> Bool {
        let fromMs = startsMs[position]
        for other in startsMs.indices where other != position && startsMs[other] <= untilMs && endsMs[other] >= fromMs {
            return true
        }
        return false
    }
}
