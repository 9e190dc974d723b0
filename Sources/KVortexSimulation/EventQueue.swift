/// A min-heap of events by (time, sequence): equal times run in the order they were scheduled,
/// which keeps a run deterministic.
///
/// The heap holds only plain (time, sequence, slot) entries; events wait in a slab beside it, so
/// sifting never copies an event (copying enums that carry messages was most of a run's time).
struct EventQueue<Event> {
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

    mutating func schedule(at time: UInt64, _ event: Event) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slab[Int(free)] = event
        } else {
            slot = Int32(slab.count)
            slab.append(event)
        }
        heap.append(Entry(time: time, sequence: nextSequence, slot: slot))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.before(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        let event = slab[Int(top.slot)].take()!
        freeSlots.append(top.slot)
        return (top.time, event)
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
