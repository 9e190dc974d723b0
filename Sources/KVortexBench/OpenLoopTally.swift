/// What happened to the requests of an open-loop run: sends (and how late), responses and failures.
///
/// A response's latency runs from the time its request was *due*, not from when it went out: a request
/// that waited for its connection because the server was slow carries that wait (coordinated omission
/// corrected, as wrk2 does). Times are monotonic nanoseconds. Pure: it never reads the clock itself.
public struct OpenLoopTally: Sendable, Equatable {
    /// A request sent later than this after it was due counts as late.
    public static let lateThresholdNs: UInt64 = 1_000_000

    /// Latencies of the answered requests (status below 500), from their due times, in ns.
    public private(set) var latenciesNs = LogLinearHistogram()
    /// How late the generator itself sent the requests whose connection was free when they fell due,
    /// in ns: its own share of `latenciesNs` (0 for a request sent on time).
    public private(set) var generatorLagNs = LogLinearHistogram()
    public private(set) var sentCount = 0
    /// Sent late because the connection still awaited the previous response when the request was due.
    public private(set) var lateBusyCount = 0
    /// Sent late although the connection was free when the request was due: the generator fell behind.
    public private(set) var lateGeneratorCount = 0
    /// Answered with a status below 500 (recorded in `latenciesNs`).
    public private(set) var answeredCount = 0
    /// Answered with a status of 400 to 499 (also in `answeredCount`).
    public private(set) var clientErrorCount = 0
    /// Answered 5xx, timed out, or lost to a connection error.
    public private(set) var failedCount = 0
    /// When the last answer arrived (0 before any).
    public private(set) var lastAnswerNs: UInt64 = 0

    public init() {}

    public var lateCount: Int { lateBusyCount + lateGeneratorCount }

    /// A request due at `dueNs` goes out at `sendNs`; its connection has been free since `freeSinceNs`
    /// (when the previous response arrived, or the connection opened).
    public mutating func recordSend(dueNs: UInt64, sendNs: UInt64, freeSinceNs: UInt64) {
        sentCount += 1
        let lagNs = sendNs > dueNs ? sendNs - dueNs : 0
        let wasBusy = freeSinceNs > dueNs
        if !wasBusy { generatorLagNs.record(lagNs) }
        guard lagNs > Self.lateThresholdNs else { return }
        if wasBusy { lateBusyCount += 1 } else { lateGeneratorCount += 1 }
    }

    /// The response to the request due at `dueNs` arrives at `nowNs` with `status`.
    public mutating func recordResponse(dueNs: UInt64, nowNs: UInt64, status: Int) {
        guard status < 500 else { failedCount += 1; return }
        latenciesNs.record(nowNs > dueNs ? nowNs - dueNs : 0)
        answeredCount += 1
        if status >= 400 { clientErrorCount += 1 }
        lastAnswerNs = max(lastAnswerNs, nowNs)
    }

    /// A request that got no usable response (timeout, connection error, or never answered).
    public mutating func recordFailure() {
        failedCount += 1
    }
}
