import KVortexNet

/// Request latencies in fixed buckets, exported as a Prometheus histogram in seconds.
public final class LatencyHistogram: Sendable {
    /// Upper bounds of the buckets in microseconds; the last bucket (+Inf) is implicit. Dense from
    /// 0.5 to 10 ms, where the cluster's p99 target (5 ms, BENCH.md) is judged.
    public static let boundsMicros: [UInt64] = [
        100, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 7_500, 10_000, 15_000, 25_000, 50_000,
        100_000, 250_000, 500_000, 1_000_000, 2_500_000, 10_000_000,
    ]
    /// Bucket counts (non-cumulative), then the +Inf bucket, then the sum in microseconds.
    private let counters = CounterArray(count: LatencyHistogram.boundsMicros.count + 2)

    public init() {}

    public func record(micros: UInt64) {
        var bucket = Self.boundsMicros.count
        for (index, bound) in Self.boundsMicros.enumerated() where micros <= bound {
            bucket = index
            break
        }
        counters.add(1, at: bucket)
        counters.add(micros, at: Self.boundsMicros.count + 1)
    }

    /// Cumulative counts per bound (including +Inf last), and the sum in microseconds.
    public func snapshot() -> (cumulative: [UInt64], sumMicros: UInt64) {
        var cumulative: [UInt64] = []
        var running: UInt64 = 0
        for index in 0...Self.boundsMicros.count {
            running += counters.value(at: index)
            cumulative.append(running)
        }
        return (cumulative, counters.value(at: Self.boundsMicros.count + 1))
    }
}
