@testable import KVortexServer
import KVortexCore
import Testing

/// The driver's timer heap: due timers come out earliest first, ties in the order they were started,
/// and nothing comes out early.
@Suite struct TimerQueueTests {
    @Test func dueTimersComeOutInOrderAndNoneEarly() {
        var queue = TimerQueue()
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
}
