import Testing
@testable import KVortexServer

/// Request latencies land in the first bucket whose bound they do not exceed (bounds inclusive), the
/// rest in +Inf, and the snapshot is cumulative with the sum beside it.
@Suite struct LatencyHistogramTests {
    @Test func eachValueLandsInTheFirstBucketItFits() {
        let bounds = LatencyHistogram.boundsMicros
        #expect(bounds == bounds.sorted() && Set(bounds).count == bounds.count, "bounds rise strictly")
        for (index, bound) in bounds.enumerated() {
            for value in [bound - 1, bound, bound + 1] {
                let histogram = LatencyHistogram()
                histogram.record(micros: value)
                let (cumulative, sum) = histogram.snapshot()
                let expected = value <= bound ? index : index + 1  // bound + 1 is the next bucket (or +Inf)
                #expect(cumulative.firstIndex(of: 1) == expected, "\(value) µs")
                #expect(cumulative.last == 1 && sum == value)
            }
        }
    }

    @Test func theTargetsOfTheClusterAreBucketBounds() {
        // p99 ≤ 5 ms (BENCH.md) is read off the buckets: the bound and its neighbours must be there.
        for micros: UInt64 in [1_000, 2_000, 3_000, 4_000, 5_000, 7_500, 10_000] {
            #expect(LatencyHistogram.boundsMicros.contains(micros), "\(micros) µs")
        }
    }
}
