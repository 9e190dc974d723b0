import KVortexCore

/// The node's timers, due by a millisecond clock: a timing wheel of one slot per millisecond for the
/// next `slotCount` ms, and a heap (`TimerHeap`) for timers due later, moved into the wheel as their
/// slot comes within reach.
///
/// Every client operation starts a deadline timer and most reads a repair-window timer; arming a
/// dispatch timer for each cost a `timerfd_settime` and a wake-up of Dispatch's manager thread per
/// operation (9 % of a cluster GET's CPU). Instead the driver keeps them here and one repeating tick
/// fires whatever is due, so a timer fires up to one tick late (`NodeDriver.timerTickMs`). A heap of
/// every timer cost a sift per start and per fire (~650 instructions each with a few thousand timers
/// pending); a slot is an append and a drain.
struct TimerQueue {
    /// The wheel's reach in milliseconds (a power of two): the default deadline (5 s) and repair
    /// windows fall within it; longer `X-Timeout-Ms` deadlines wait in the heap.
    static let slotCount = 8_192
    private var slots: [[TimerEntry]]
    private var far = TimerHeap()
    /// Timers started already due before the cursor (due now, or a clock read late): out at the next pop.
    private var overdue: [TimerEntry] = []
    /// Every slot for a time before this was drained.
    private var cursorMs: UInt64
    private var nextSequence: UInt64 = 0
    private var inWheel = 0
    /// An empty array with room, swapped with a slot being drained so neither is reallocated.
    private var draining: [TimerEntry] = []
    /// Empty arrays with room, from drained slots, for slots about to get their first timer: a slot
    /// would otherwise allocate (and regrow) anew each time the wheel comes round to it.
    private var spares: [[TimerEntry]] = []
    static let sparesMax = 64
    static let dueReserved = 64
    private(set) var count = 0

    /// A queue whose clock reads `nowMs` now.
    init(nowMs: UInt64) {
        cursorMs = nowMs
        slots = Array(repeating: [], count: Self.slotCount)
    }

    mutating func schedule(_ timer: TimerID, dueMs: UInt64) {
        place(TimerEntry(dueMs: dueMs, sequence: nextSequence, timer: timer))
        nextSequence += 1
        count += 1
    }

    /// Removes and returns every timer due at `nowMs`, earliest first (ties in the order started).
    mutating func popDue(nowMs: UInt64) -> [TimerID] {
        var due: [TimerID] = []
        // Room for a tick's worth at a few thousand operations a second, not regrown timer by timer.
        due.reserveCapacity(min(count, Self.dueReserved))
        if !overdue.isEmpty {
            // All due before the cursor, so before anything in the wheel.
            overdue.sort { $0.precedes($1) }
            let ready = overdue.prefix { $0.dueMs <= nowMs }
            for entry in ready { due.append(entry.timer) }
            count -= ready.count
            overdue.removeFirst(ready.count)
        }
        let limit = nowMs == .max ? UInt64.max : nowMs + 1
        while cursorMs < limit {
            if inWheel == 0 {
                // Nothing near: jump to the earliest far timer (or past now), not millisecond by millisecond.
                guard let next = far.first else { cursorMs = limit; break }
                cursorMs = max(cursorMs, min(limit, next.dueMs))
                guard cursorMs < limit else { break }
            }
            while let next = far.first, next.dueMs - cursorMs < UInt64(Self.slotCount) {
                place(far.popFirst()!)
            }
            let index = Int(cursorMs & UInt64(Self.slotCount - 1))
            if !slots[index].isEmpty {
                swap(&slots[index], &draining)
                if draining.count > 1 { draining.sort { $0.precedes($1) } }
                for entry in draining { due.append(entry.timer) }
                inWheel -= draining.count
                count -= draining.count
                draining.removeAll(keepingCapacity: true)
                if spares.count < Self.sparesMax, slots[index].capacity > 0 {
                    spares.append([])
                    swap(&spares[spares.count - 1], &slots[index])
                }
            }
            cursorMs += 1
        }
        return due
    }

    /// Into the slot of its time, the heap if beyond the wheel, or the overdue list if before the cursor.
    private mutating func place(_ entry: TimerEntry) {
        guard entry.dueMs >= cursorMs else {
            overdue.append(entry)
            return
        }
        guard entry.dueMs - cursorMs < UInt64(Self.slotCount) else {
            far.push(entry)
            return
        }
        let index = Int(entry.dueMs & UInt64(Self.slotCount - 1))
        if slots[index].capacity == 0, !spares.isEmpty { slots[index] = spares.removeLast() }
        slots[index].append(entry)
        inWheel += 1
    }
}
