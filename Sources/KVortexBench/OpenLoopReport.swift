/// The outcome of an open-loop run: the one line `kvortex bench --rate` prints, and the warnings that
/// say when the figures cannot be taken at face value.
public struct OpenLoopReport: Sendable, Equatable {
    /// Whether the figures measure the server at the asked rate.
    public enum Verdict: String, Sendable {
        /// Every request left on time or waited only for its own connection; the rate was reached.
        case ok
        /// The generator sent requests late while their connections were free: its own delay is in the
        /// latencies, and the server did not see the asked rate.
        case generatorBehind = "generator-behind"
        /// The rate was not reached (below `achievedFractionMin`) or requests were never sent: the
        /// server or the connections could not keep up.
        case rateMissed = "rate-missed"
        /// Some requests failed (5xx, timeout, connection error).
        case failures
    }

    /// Above this fraction of late-by-the-generator sends the generator counts as behind (0.1 %:
    /// enough to move p99.9).
    public static let generatorLateFractionMax = 0.001
    /// Above this share of a core (CPU time over `elapsedNs`) the generator counts as behind: the
    /// responses it has not yet read wait for it and count as the server's latency.
    public static let generatorCPUFractionMax = 0.9
    /// Below this fraction of the asked rate the rate counts as missed.
    public static let achievedFractionMin = 0.95

    public let schedule: RateSchedule
    public let tally: OpenLoopTally
    /// From the start to the end of the schedule, or to the last answer if that came later.
    public let elapsedNs: UInt64
    /// CPU time the generator's thread used over the run.
    public let generatorCPUNs: UInt64

    public init(schedule: RateSchedule, tally: OpenLoopTally, elapsedNs: UInt64, generatorCPUNs: UInt64) {
        precondition(elapsedNs > 0, "elapsed time is zero")
        self.schedule = schedule
        self.tally = tally
        self.elapsedNs = elapsedNs
        self.generatorCPUNs = generatorCPUNs
    }

    /// The generator's CPU time over the elapsed time: 1 is a whole core.
    public var generatorCPUFraction: Double { Double(generatorCPUNs) / Double(elapsedNs) }

    /// Requests due but never sent before the run gave up waiting for their connection.
    public var unsentCount: Int { schedule.requestCount - tally.sentCount }

    /// Answers per second over `elapsedNs`.
    public var achievedPerSecond: Double { Double(tally.answeredCount) * 1e9 / Double(elapsedNs) }

    /// Every verdict that applies, most serious first; `[.ok]` when none.
    public var verdicts: [Verdict] {
        var found: [Verdict] = []
        let lateShare = Double(tally.lateGeneratorCount) / Double(max(1, tally.sentCount))
        if lateShare > Self.generatorLateFractionMax || generatorCPUFraction > Self.generatorCPUFractionMax {
            found.append(.generatorBehind)
        }
        if unsentCount > 0 || achievedPerSecond < Self.achievedFractionMin * Double(schedule.ratePerSecond) {
            found.append(.rateMissed)
        }
        if tally.failedCount > 0 { found.append(.failures) }
        return found.isEmpty ? [.ok] : found
    }

    /// `rate=... achieved=... ... verdict=...`: every figure as `name=value`, latencies in ms.
    public var line: String {
        let latencies = tally.latenciesNs
        func ms(_ ns: UInt64) -> String { Self.milliseconds(ns) }
        let fields: [(String, String)] = [
            ("rate", "\(schedule.ratePerSecond)"), ("achieved", "\(Int(achievedPerSecond.rounded()))"),
            ("connections", "\(schedule.connectionCount)"),
            ("scheduled", "\(schedule.requestCount)"), ("answered", "\(tally.answeredCount)"),
            ("errors", "\(tally.failedCount)"), ("non2xx", "\(tally.clientErrorCount)"),
            ("late", "\(tally.lateCount)"), ("late_busy", "\(tally.lateBusyCount)"),
            ("late_generator", "\(tally.lateGeneratorCount)"), ("unsent", "\(unsentCount)"),
            ("gen_lag_p99", ms(tally.generatorLagNs.value(atPercentile: 99))), ("gen_lag_max", ms(tally.generatorLagNs.maxValue)),
            ("gen_cpu", "\(Int((generatorCPUFraction * 100).rounded()))%"),
            ("p50", ms(latencies.value(atPercentile: 50))), ("p90", ms(latencies.value(atPercentile: 90))),
            ("p99", ms(latencies.value(atPercentile: 99))), ("p999", ms(latencies.value(atPercentile: 99.9))),
            ("max", ms(latencies.maxValue)),
            ("verdict", verdicts.first!.rawValue),
        ]
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// One sentence per verdict other than ok, saying what the figures do not show.
    public var warnings: [String] {
        verdicts.compactMap { verdict in
            switch verdict {
            case .ok:
                return nil
            case .generatorBehind:
                return "WARNING: the load generator could not keep to the schedule: \(tally.lateGeneratorCount) of "
                    + "\(Self.counted(tally.sentCount, "request")) left more than 1 ms late while their connection was free, and it "
                    + "used \(Int((generatorCPUFraction * 100).rounded()))% of a core. The latencies include its own "
                    + "delay; lower --rate or give the generator a core of its own."
            case .rateMissed:
                return "WARNING: the asked rate was not reached: \(Int(achievedPerSecond.rounded()))/s answered of "
                    + "\(schedule.ratePerSecond)/s, \(unsentCount) of \(Self.counted(schedule.requestCount, "request")) never sent; "
                    + "the server (or \(Self.counted(schedule.connectionCount, "connection"))) could not keep up."
            case .failures:
                return "WARNING: \(Self.counted(tally.failedCount, "request")) failed (5xx, timeout or connection error); "
                    + "their latencies are not in the percentiles."
            }
        }
    }

    /// "1 request", "2 requests": a count and its noun, singular for one. The same as Core's `Counted`:
    /// KVortexBench imports neither Core nor Net (it is a client, like wrk), so it keeps this copy.
    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// `1.234ms`: nanoseconds as milliseconds with three decimals (microsecond resolution).
    static func milliseconds(_ ns: UInt64) -> String {
        let micros = (ns + 500) / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)ms"
    }
}
