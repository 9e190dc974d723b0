/// The phi-accrual failure detector of one peer (Hayashibara et al., 2004), in Cassandra's form.
///
/// Keeps a bounded window of heartbeat inter-arrival times and reports suspicion as
/// `phi = (t since last heartbeat / mean interval) · log10(e)`: the exponential-distribution estimate
/// Cassandra uses, which needs no `exp` or `log` (the core links only the standard library). A phi of 8
/// means about a 10⁻⁸ chance that a live peer would stay silent this long. Never reads a clock.
///
/// An interval longer than `intervalMaxMs` is not learned (Cassandra's `fd_max_interval_ms`): it is a
/// partition or a pause that ended, not how often the peer beats. Learned, one 30 s gap among a few
/// dozen 200 ms beats raised the mean several times over, and the next real failure of that peer took
/// that many times longer to detect (the simulator's `leave-during-partition`: about 8 s instead of 2).
public struct PhiAccrualDetector: Sendable {
    /// Inter-arrival samples kept; the oldest go first.
    public static let samplesMax = 1000
    /// `intervalMaxMs` as a multiple of the first (expected) interval, when not given.
    public static let intervalMaxFactor = 10.0
    /// 1 / ln(10).
    static let phiFactor = 0.434_294_481_903_251_8

    private var intervalsMs: [Double] = []
    private var nextSlot = 0
    private var intervalSumMs = 0.0
    public private(set) var lastHeartbeatMs: UInt64?
    /// Used until the first interval is known, so a silent new peer is still detected.
    let firstIntervalMs: Double
    /// Longer intervals are not learned (see above).
    let intervalMaxMs: Double
    /// Intervals not learned for being longer than `intervalMaxMs`.
    public private(set) var intervalsIgnored: UInt64 = 0

    /// `intervalMaxMs` defaults to `intervalMaxFactor` × `firstIntervalMs` (2 s at a 200 ms heartbeat,
    /// Cassandra's default cap).
    public init(firstIntervalMs: Double, intervalMaxMs: Double? = nil) {
        precondition(firstIntervalMs > 0, "first interval \(firstIntervalMs) ms must be positive")
        self.firstIntervalMs = firstIntervalMs
        self.intervalMaxMs = intervalMaxMs ?? firstIntervalMs * Self.intervalMaxFactor
        precondition(self.intervalMaxMs >= firstIntervalMs, "interval cap \(self.intervalMaxMs) ms below the first interval")
    }

    /// Records that a heartbeat of the peer was seen at `nowMs`.
    public mutating func heartbeat(atMs nowMs: UInt64) {
        if let last = lastHeartbeatMs, nowMs > last {
            let intervalMs = Double(nowMs - last)
            if intervalMs <= intervalMaxMs { add(intervalMs) } else { intervalsIgnored += 1 }
        }
        lastHeartbeatMs = max(nowMs, lastHeartbeatMs ?? 0)
    }

    /// The suspicion level at `nowMs`: 0 right after a heartbeat, growing linearly with silence.
    public func phi(atMs nowMs: UInt64) -> Double {
        guard let last = lastHeartbeatMs, nowMs > last else { return 0 }
        return Self.phiFactor * Double(nowMs - last) / meanIntervalMs
    }

    public var meanIntervalMs: Double {
        intervalsMs.isEmpty ? firstIntervalMs : intervalSumMs / Double(intervalsMs.count)
    }

    private mutating func add(_ intervalMs: Double) {
        if intervalsMs.count < Self.samplesMax {
            intervalsMs.append(intervalMs)
        } else {
            intervalSumMs -= intervalsMs[nextSlot]
            intervalsMs[nextSlot] = intervalMs
            nextSlot = (nextSlot + 1) % Self.samplesMax
        }
        intervalSumMs += intervalMs
    }
}
