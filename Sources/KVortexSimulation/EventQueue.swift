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
struct EventQueue<Event>: ~Copyable {
    static var windowMs: UInt64 { 2_048 }
    private static var mask: UInt64 { windowMs - 1 }
    private static var none: Int32 { -1 }

    /// A slot of the slab: an event (nil when free) and the slot after it in its bucket, or in the
    /// free list. One array of pairs, not two arrays, and a free list threaded through the same slots
    /// (the three arrays were 5 % of a run); the slab and the buckets are `SlotArray`s, written in
    /// place without the uniqueness checks of an `Array`. (Internal, not private, as `Bucket`: a debug
    /// build, file by file, referenced the descriptors of private types held in a noncopyable
    /// `SlotArray` from other files, and the compiler crashed.)
    struct Slot {
        var event: Event?
        var next: Int32
    }

    /// First and last slot of one bucket, `none` when it is empty.
    struct Bucket {
        var head: Int32
        var tail: Int32
    }

    private var slab = SlotArray<Slot>()
    /// The first free slot, `none` when every slot holds an event.
    private var freeHead = Self.none
    /// The bucket of `time & mask`, for `time` in `nowMs ..< nowMs + windowMs`.
    private var buckets = SlotArray(repeating: Bucket(head: none, tail: none), count: Int(windowMs))
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
            let slot = buckets[bucket].head
            if slot != Self.none {
                let next = slab[Int(slot)].next
                buckets[bucket].head = next
                if next == Self.none { buckets[bucket].tail = Self.none }
                let event = slab[Int(slot)].event.take()!
                slab[Int(slot)].next = freeHead
                freeHead = slot
                bucketedCount -= 1
                return event
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
        if freeHead != Self.none {
            slot = freeHead
            freeHead = slab[Int(slot)].next
            slab[Int(slot)] = Slot(event: event, next: Self.none)
        } else {
            slot = Int32(slab.count)
            slab.append(Slot(event: event, next: Self.none))
        }
        let tail = buckets[bucket].tail
        if tail == Self.none { buckets[bucket].head = slot } else { slab[Int(tail)].next = slot }
        buckets[bucket].tail = slot
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
