import KVortexCore

/// A timer due at a millisecond, started `sequence`-th: timers due at the same millisecond fire in the
/// order they were started.
struct TimerEntry {
    let dueMs: UInt64
    let sequence: UInt64
    let timer: TimerID

    func precedes(_ other: TimerEntry) -> Bool { (dueMs, sequence) < (other.dueMs, other.sequence) }
}

/// A binary min-heap of timers, earliest first: the far future of `TimerQueue`, beyond its wheel.
struct TimerHeap {
    private var heap: [TimerEntry] = []

    var first: TimerEntry? { heap.first }
    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ entry: TimerEntry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> TimerEntry? {
        guard let first = heap.first else { return nil }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            parent = child
        }
        return first
    }
}
