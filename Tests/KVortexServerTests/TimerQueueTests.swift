@testable import KVortexServer
import KVortexCore
import Testing

/// The driver's timers (a wheel of millisecond slots, a heap beyond it): due timers come out earliest
/// first, ties in the order they were started, nothing early, nothing lost, whatever the gaps.
@Suite struct TimerQueueTests {
    @Test func dueTimersComeOutInOrderAndNoneEarly() {
        var queue = TimerQueue(nowMs: 0)
        var random = SplitMix64(seed: 7)
        var expected: [(UInt64, Int, TimerID)] = []
        for index in 0..<500 {
            let due = random.next() % 100
            let timer = TimerID.deadline(OperationID(UInt64(index)))
            queue.schedule(timer, dueMs: due)
            expected.append((due, index, timer))
        }
        expected.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        #expect(queue.popDue(nowMs: 0).count == expected.filter { $0.0 == 0 }.count)
        var fired = expected.filter { $0.0 == 0 }.map(\.2)
        for now in stride(from: UInt64(10), through: 100, by: 10) {
            let due = queue.popDue(nowMs: now)
            fired += due
            #expect(queue.count == expected.filter { $0.0 > now }.count, "nothing due later than \(now) came out")
        }
        #expect(fired == expected.map(\.2))
        #expect(queue.popDue(nowMs: .max).isEmpty)
    }

    /// Against a sorted list: timers near, beyond the wheel and already past due, started between
    /// pops that come every few milliseconds, after long stalls, and once at the end of time.
    @Test(arguments: 0..<20 as Range<UInt64>)
    func matchesASortedList(seed: UInt64) {
        let start: UInt64 = 1_000_000 + seed * 7_919
        var queue = TimerQueue(nowMs: start)
        var reference: [TimerEntry] = []
        var random = SplitMix64(seed: seed)
        var now = start
        var sequence: UInt64 = 0
        for step in 0..<400 {
            for _ in 0..<Int(random.next() % 6) {
                let due: UInt64
                switch random.next() % 10 {
                case 0: due = now - min(now, random.next() % 50)  // already due
                case 1, 2: due = now + UInt64(TimerQueue.slotCount) + random.next() % 20_000  // beyond the wheel
                default: due = now + random.next() % 3_000
                }
                let timer = TimerID.deadline(OperationID(sequence))
                queue.schedule(timer, dueMs: due)
                reference.append(TimerEntry(dueMs: due, sequence: sequence, timer: timer))
                sequence += 1
            }
            now += random.next() % 10 == 0 ? random.next() % 30_000 : random.next() % 8
            let expected = reference.filter { $0.dueMs <= now }.sorted { $0.precedes($1) }.map(\.timer)
            reference.removeAll { $0.dueMs <= now }
            #expect(queue.popDue(nowMs: now) == expected, "seed \(seed), step \(step)")
            #expect(queue.count == reference.count, "seed \(seed), step \(step)")
        }
        #expect(queue.popDue(nowMs: .max) == reference.sorted { $0.precedes($1) }.map(\.timer))
        #expect(queue.count == 0)
    }
}
