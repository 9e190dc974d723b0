/// A min-heap of events by (time, sequence): equal times run in the order they were scheduled,
/// which keeps a run deterministic. `EventQueue` keeps the far future here.
///
/// The heap holds only plain (time, sequence, slot) entries; events wait in a slab beside it, so
/// sifting never copies an event (copying enums that carry messages was most of a run's time).
struct EventHeap<Event> {
    private struct Entry {
        let time: UInt64
        let sequence: UInt64
        let slot: Int32
    }

    private var heap: [Entry] = []
    private var slab: [Event?] = []
    private var freeSlots: [Int32] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// The time of the next event, if any.
    var nextTime: UInt64? { heap.first?.time }

    mutating func schedule(at time: UInt64, _ event: Event) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slab[Int(free)] = event
        } else {
            slot = Int32(slab.count)
            slab.append(event)
        }
        let entry = Entry(time: time, sequence: nextSequence, slot: slot)
        nextSequence += 1
        heap.append(entry)
        // Sift up by moving a hole, not by swapping: half the writes.
        heap.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(entry, heap[parent]) else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = entry
        }
    }

    mutating func pop() -> (time: UInt64, event: Event)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { heap in
                // Sift `last` down from the root through a hole.
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    guard left < heap.count else { break }
                    let right = left + 1
                    let child = right < heap.count && Self.before(heap[right], heap[left]) ? right : left
                    guard Self.before(heap[child], last) else { break }
                    heap[parent] = heap[child]
                    parent = child
                }
                heap[parent] = last
            }
        }
        let event = slab[Int(top.slot)].take()!
        freeSlots.append(top.slot)
        return (top.time, event)
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
