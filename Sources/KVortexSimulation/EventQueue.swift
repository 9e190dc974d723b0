/// The simulator's events in order of (time, scheduling order): equal times run in the order they
/// were scheduled, which keeps a run deterministic.
///
/// A calendar of one bucket per millisecond for the next `windowMs`, each a first-in first-out list
/// threaded through one slab of events, and an `EventHeap` for events further ahead (moved into their
/// bucket as the window reaches them). Scheduling and popping are a few array operations instead of
/// sifting a heap of the ~1000 pending timers (the heap was 7 % of a run's instructions).
///
/// Order is kept because an event goes to the far heap only when it is due at least `windowMs` after
/// the current time, and is moved into its bucket as soon as the window reaches its time, before
/// anything can be scheduled directly into that bucket; so in a bucket the moved events come first,
/// in their heap order, as they were scheduled first.
struct EventQueue<Event> {
    static var windowMs: UInt64 { 2_048 }
    private static var mask: UInt64 { windowMs - 1 }
    private static var none: Int32 { -1 }

    /// Events waiting in buckets, by slot; nil for a free slot.
    private var slab: [Event?] = []
    /// The slot after each slot in its bucket, or `none`.
    private var nextSlots: [Int32] = []
    private var freeSlots: [Int32] = []
    /// First and last slot of the bucket of `time & mask`, for `time` in `nowMs ..< nowMs + windowMs`.
    private var heads = [Int32](repeating: none, count: Int(windowMs))
    private var tails = [Int32](repeating: none, count: Int(windowMs))
    /// The time of the last event popped (0 before the first): the start of the window.
    private(set) var nowMs: UInt64 = 0
    /// Events in buckets.
    private var bucketedCount = 0
    private var far = EventHeap<Event>()

    var isEmpty: Bool { bucketedCount == 0 && far.isEmpty }
    var count: Int { bucketedCount + far.count }

    /// Schedules `event` at `time`, which must not be earlier than the last event popped.
    mutating func schedule(at time: UInt64, _ event: Event) {
        precondition(time >= nowMs, "event scheduled at \(time) ms, before now (\(nowMs) ms)")
        guard time - nowMs < Self.windowMs else {
            far.schedule(at: time, event)
            return
        }
        append(event, toBucket: Int(time & Self.mask))
    }

    /// The next event, or nil when none is left; `nowMs` is then its time. (It returns the event
    /// alone: an optional tuple was destroyed through the runtime's generic tuple witnesses.)
    mutating func pop() -> Event? {
        while true {
            let bucket = Int(nowMs & Self.mask)
            let slot = heads[bucket]
            if slot != Self.none {
                let next = nextSlots[Int(slot)]
                heads[bucket] = next
                if next == Self.none { tails[bucket] = Self.none }
                freeSlots.append(slot)
                bucketedCount -= 1
                return slab[Int(slot)].take()!
            }
            if bucketedCount > 0 {
                advance(to: nowMs + 1)
            } else if let next = far.nextTime {
                advance(to: next)
            } else {
                return nil
            }
        }
    }

    private mutating func append(_ event: Event, toBucket bucket: Int) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slab[Int(slot)] = event
            nextSlots[Int(slot)] = Self.none
        } else {
            slot = Int32(slab.count)
            slab.append(event)
            nextSlots.append(Self.none)
        }
        let tail = tails[bucket]
        if tail == Self.none { heads[bucket] = slot } else { nextSlots[Int(tail)] = slot }
        tails[bucket] = slot
        bucketedCount += 1
    }

    /// Moves the window to start at `time` and brings the far events it now covers into their buckets.
    private mutating func advance(to time: UInt64) {
        nowMs = time
        while let next = far.nextTime, next - nowMs < Self.windowMs {
            let (time, event) = far.pop()!
            append(event, toBucket: Int(time & Self.mask))
        }
    }
}
