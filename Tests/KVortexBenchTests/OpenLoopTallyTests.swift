import KVortexBench
import Testing

/// Latency from the due time (coordinated omission corrected) and the two kinds of lateness.
struct OpenLoopTallyTests {
    let ms: UInt64 = 1_000_000

    @Test func aDelayedResponseCountsFromItsDueTimeNotFromItsSend() {
        var tally = OpenLoopTally()
        // Due at 0, but the connection awaited a slow response until 50 ms; sent then, answered 1 ms later.
        tally.recordSend(dueNs: 0, sendNs: 50 * ms, freeSinceNs: 50 * ms)
        tally.recordResponse(dueNs: 0, nowNs: 51 * ms, status: 200)
        let recorded = tally.latenciesNs.value(atPercentile: 100)
        #expect(recorded == 51 * ms, "recorded \(recorded) ns; measured from the send it would be 1 ms")
        #expect(tally.lateBusyCount == 1 && tally.lateGeneratorCount == 0)
    }

    @Test func lateByTheGeneratorIsCountedApartFromLateByABusyConnection() {
        var tally = OpenLoopTally()
        tally.recordSend(dueNs: 10 * ms, sendNs: 12 * ms, freeSinceNs: 5 * ms)  // free, yet 2 ms late
        tally.recordSend(dueNs: 20 * ms, sendNs: 20 * ms + 900_000, freeSinceNs: 5 * ms)  // under 1 ms: on time
        tally.recordSend(dueNs: 30 * ms, sendNs: 31 * ms, freeSinceNs: 5 * ms)  // exactly 1 ms: on time
        tally.recordSend(dueNs: 40 * ms, sendNs: 45 * ms, freeSinceNs: 45 * ms)  // waited for its connection
        #expect(tally.sentCount == 4)
        #expect(tally.lateGeneratorCount == 1)
        #expect(tally.lateBusyCount == 1)
        #expect(tally.lateCount == 2)
        #expect(tally.generatorLagNs.totalCount == 3, "the busy connection's wait is not the generator's lag")
        #expect(tally.generatorLagNs.maxValue == 2 * ms)
    }

    @Test func serverErrorsFailAndClientErrorsAreAnswers() {
        var tally = OpenLoopTally()
        tally.recordResponse(dueNs: 0, nowNs: ms, status: 503)
        tally.recordResponse(dueNs: 0, nowNs: 2 * ms, status: 404)
        tally.recordFailure()
        #expect(tally.failedCount == 2)
        #expect(tally.answeredCount == 1 && tally.clientErrorCount == 1)
        #expect(tally.latenciesNs.totalCount == 1, "a 5xx has no latency in the percentiles")
        #expect(tally.lastAnswerNs == 2 * ms)
    }
}
