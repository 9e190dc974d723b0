import KVortexCore

/// The node's timers, due by a millisecond clock, in a binary min-heap.
///
/// Every client operation starts a deadline timer and most reads a repair-window timer; arming a
/// dispatch timer for each cost a `timerfd_settime` and a wake-up of Dispatch's manager thread per
/// operation (9 % of a cluster GET's CPU). Instead the driver keeps them here and one repeating tick
/// fires whatever is due, so a timer fires up to one tick late (`NodeDriver.timerTickMs`).
struct TimerQueue {
    private struct Entry {
        let dueMs: UInt64
        /// Insertion order, so timers due at the same millisecond fire in the order they were started.
        let sequence: UInt64
        let timer: TimerID

        func precedes(_ other: Entry) -> Bool { (dueMs, sequence) < (other.dueMs, other.sequence) }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    mutating func schedule(_ timer: TimerID, dueMs: UInt64) {
        heap.append(Entry(dueMs: dueMs, sequence: nextSequence, timer: timer))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every timer due at `nowMs`, earliest first.
    mutating func popDue(nowMs: UInt64) -> [TimerID] {
        var due: [TimerID] = []
        while let first = heap.first, first.dueMs <= nowMs {
            due.append(first.timer)
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            siftDown()
        }
        return due
    }

    private mutating func siftDown() {
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let child = right < heap.count && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
