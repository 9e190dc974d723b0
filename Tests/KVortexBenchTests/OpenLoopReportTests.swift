@testable import KVortexBench
import Testing

/// The report's verdicts, warnings and line.
struct OpenLoopReportTests {
    let ms: UInt64 = 1_000_000
    let schedule = RateSchedule(ratePerSecond: 1_000, connectionCount: 4, durationSeconds: 1)

    /// Every request of `schedule` sent on time and answered 1 ms after it was due, except as changed.
    func tally(answered: Int = 1_000, lateGenerator: Int = 0, failed: Int = 0) -> OpenLoopTally {
        var tally = OpenLoopTally()
        for request in 0..<(answered + failed) {
            let dueNs = UInt64(request) * ms
            let sendNs = request < lateGenerator ? dueNs + 2 * ms : dueNs
            tally.recordSend(dueNs: dueNs, sendNs: sendNs, freeSinceNs: 0)
            if request < answered { tally.recordResponse(dueNs: dueNs, nowNs: dueNs + ms, status: 200) } else { tally.recordFailure() }
        }
        return tally
    }

    @Test func onTimeAndAtTheRateIsOk() {
        let report = OpenLoopReport(schedule: schedule, tally: tally(), elapsedNs: 1_000 * ms, generatorCPUNs: 200 * ms)
        #expect(report.verdicts == [.ok])
        #expect(report.warnings.isEmpty)
        #expect(report.line.hasPrefix("rate=1000 achieved=1000 connections=4 scheduled=1000 answered=1000 errors=0 "))
        #expect(report.line.contains(" unsent=0 gen_lag_p99=0.000ms gen_lag_max=0.000ms gen_cpu=20% p50="))
        #expect(report.line.hasSuffix(" p50=1.000ms p90=1.000ms p99=1.000ms p999=1.000ms max=1.000ms verdict=ok"))
    }

    @Test func aGeneratorLateForMoreThanOneInAThousandIsBehind() {
        let one = OpenLoopReport(schedule: schedule, tally: tally(lateGenerator: 1), elapsedNs: 1_000 * ms, generatorCPUNs: 200 * ms)
        #expect(one.verdicts == [.ok], "one in a thousand is tolerated")
        let two = OpenLoopReport(schedule: schedule, tally: tally(lateGenerator: 2), elapsedNs: 1_000 * ms, generatorCPUNs: 200 * ms)
        #expect(two.verdicts == [.generatorBehind])
        #expect(two.line.hasSuffix("verdict=generator-behind"))
        #expect(two.warnings.count == 1 && two.warnings[0].contains("could not keep to the schedule"))
    }

    @Test func aGeneratorUsingNearlyAWholeCoreIsBehind() {
        let busy = OpenLoopReport(schedule: schedule, tally: tally(), elapsedNs: 1_000 * ms, generatorCPUNs: 910 * ms)
        #expect(busy.verdicts == [.generatorBehind])
        #expect(busy.line.contains(" gen_cpu=91% "))
        #expect(busy.warnings.first?.contains("used 91% of a core") == true)
        let enough = OpenLoopReport(schedule: schedule, tally: tally(), elapsedNs: 1_000 * ms, generatorCPUNs: 890 * ms)
        #expect(enough.verdicts == [.ok])
    }

    @Test func unsentRequestsOrALowRateMissTheRate() {
        let unsent = OpenLoopReport(schedule: schedule, tally: tally(answered: 990), elapsedNs: 1_000 * ms, generatorCPUNs: 200 * ms)
        #expect(unsent.unsentCount == 10)
        #expect(unsent.verdicts == [.rateMissed])
        let slow = OpenLoopReport(schedule: schedule, tally: tally(), elapsedNs: 1_100 * ms, generatorCPUNs: 200 * ms)
        #expect(slow.achievedPerSecond < 950)
        #expect(slow.verdicts == [.rateMissed])
    }

    @Test func failuresAreReportedWithEveryOtherVerdict() {
        let report = OpenLoopReport(schedule: schedule, tally: tally(answered: 900, lateGenerator: 50, failed: 100), elapsedNs: 1_000 * ms, generatorCPUNs: 200 * ms)
        #expect(report.verdicts == [.generatorBehind, .rateMissed, .failures])
        #expect(report.warnings.count == 3)
        #expect(report.line.contains(" errors=100 "))
    }

    /// One request, one connection: the warnings say them in the singular.
    @Test func warningsAboutOneRequestSayItInTheSingular() {
        let single = RateSchedule(ratePerSecond: 1, connectionCount: 1, durationSeconds: 1)
        var failed = OpenLoopTally()
        failed.recordSend(dueNs: 0, sendNs: 0, freeSinceNs: 0)
        failed.recordFailure()
        let report = OpenLoopReport(schedule: single, tally: failed, elapsedNs: 1_000 * ms, generatorCPUNs: ms)
        #expect(report.warnings.contains { $0.hasPrefix("WARNING: 1 request failed (") }, "\(report.warnings)")
        #expect(report.warnings.contains { $0.contains(", 0 of 1 request never sent; the server (or 1 connection) could not keep up.") },
                "\(report.warnings)")
    }

    @Test func millisecondsHaveThreeDecimals() {
        #expect(OpenLoopReport.milliseconds(0) == "0.000ms")
        #expect(OpenLoopReport.milliseconds(1_234_567) == "1.235ms")
        #expect(OpenLoopReport.milliseconds(45_000) == "0.045ms")
        #expect(OpenLoopReport.milliseconds(12_000_000_000) == "12000.000ms")
    }
}
