/// A node's confirmed-reap state: the round of checks in flight, when the next may start, and the
/// reaped memory. Small (a few references), so `Node`, whose copies were measured, barely grows.
public struct ReapState: Sendable {
    public internal(set) var memory: ReapedMemory
    var round: ReapRound?
    /// The earliest time the next round may start.
    var nextRoundMs: UInt64 = 0

    init(settings: ReapSettings) {
        memory = ReapedMemory(memoryMs: settings.reapedMemoryMs, entriesMax: settings.reapedMemoryEntriesMax,
                              valueBytesMax: settings.reapedMemoryValueBytesMax)
    }

    /// True while a round waits for answers.
    public var isRoundInFlight: Bool { round != nil }
}
