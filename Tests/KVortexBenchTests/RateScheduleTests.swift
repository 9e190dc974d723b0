import KVortexBench
import Testing

/// The schedule's arithmetic: due times, the round-robin over connections, counts per connection.
struct RateScheduleTests {
    @Test func dueTimesAreSpacedOneOverTheRateApart() {
        let schedule = RateSchedule(ratePerSecond: 3, connectionCount: 2, durationSeconds: 1)
        #expect(schedule.requestCount == 3)
        #expect((0..<3).map { schedule.dueOffsetNs(request: $0) } == [0, 333_333_333, 666_666_666])
        #expect(schedule.dueOffsetNs(request: 3) == 1_000_000_000, "the first request after the run is due at its end")
    }

    @Test func requestsGoRoundRobinOverTheConnections() {
        let schedule = RateSchedule(ratePerSecond: 1_000, connectionCount: 7, durationSeconds: 2)
        #expect(schedule.requestCount == 2_000)
        for request in 0..<schedule.requestCount {
            let connection = schedule.connection(ofRequest: request)
            #expect(connection == request % 7)
            #expect(schedule.request(connection: connection, turn: request / 7) == request)
        }
        #expect((0..<7).map { schedule.requestCount(connection: $0) }.reduce(0, +) == 2_000)
        #expect(schedule.requestCount(connection: 0) == 286 && schedule.requestCount(connection: 6) == 285)
    }

    @Test func eachConnectionSendsEveryConnectionsOverRateSeconds() {
        let schedule = RateSchedule(ratePerSecond: 30_000, connectionCount: 64, durationSeconds: 1)
        let stepNs = 64 * 1_000_000_000 / 30_000  // 2 133 333.3 ns
        for connection in [0, 17, 63] {
            for turn in 1..<schedule.requestCount(connection: connection) {
                let previous = schedule.dueOffsetNs(request: schedule.request(connection: connection, turn: turn - 1))
                let next = schedule.dueOffsetNs(request: schedule.request(connection: connection, turn: turn))
                #expect(next - previous == UInt64(stepNs) || next - previous == UInt64(stepNs + 1),
                        "connection \(connection) turn \(turn): \(next - previous) ns apart")
            }
        }
    }

    @Test func connectionsBeyondTheRequestsSendNothing() {
        let schedule = RateSchedule(ratePerSecond: 2, connectionCount: 5, durationSeconds: 1)
        #expect((0..<5).map { schedule.requestCount(connection: $0) } == [1, 1, 0, 0, 0])
    }

    @Test func theLargestScheduleStaysInsideSixtyFourBits() {
        let schedule = RateSchedule(ratePerSecond: RateSchedule.ratePerSecondMax, connectionCount: 4096,
                                    durationSeconds: RateSchedule.durationSecondsMax)
        #expect(schedule.requestCount == 3_600_000_000)
        #expect(schedule.dueOffsetNs(request: schedule.requestCount - 1) == 3_599_999_999_000)
    }
}
