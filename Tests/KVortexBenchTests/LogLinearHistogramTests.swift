@testable import KVortexBench
import Testing

/// Buckets, precision and percentiles of the load generator's histogram.
struct LogLinearHistogramTests {
    @Test func bucketsTileTheRangeWithoutGapsOrOverlaps() {
        #expect(LogLinearHistogram.lowestValue(inBucket: 0) == 0)
        for bucket in 0..<(LogLinearHistogram.bucketCount - 1) {
            let lowest = LogLinearHistogram.lowestValue(inBucket: bucket)
            let highest = LogLinearHistogram.highestValue(inBucket: bucket)
            #expect(LogLinearHistogram.lowestValue(inBucket: bucket + 1) == highest + 1, "bucket \(bucket)")
            #expect(LogLinearHistogram.bucketIndex(of: lowest) == bucket, "bucket \(bucket) lowest \(lowest)")
            #expect(LogLinearHistogram.bucketIndex(of: highest) == bucket, "bucket \(bucket) highest \(highest)")
            // Width at most 1/128 of the values held: the ~1 % precision promised.
            #expect((highest - lowest + 1) * 128 <= max(lowest, 128), "bucket \(bucket) is \(highest - lowest + 1) wide at \(lowest)")
        }
    }

    @Test func valuesBelowTwoHundredFiftySixAreExact() {
        var histogram = LogLinearHistogram()
        for value in 1...200 as ClosedRange<UInt64> { histogram.record(value) }
        #expect(histogram.value(atPercentile: 50) == 100)
        #expect(histogram.value(atPercentile: 99) == 198)
        #expect(histogram.value(atPercentile: 100) == 200)
        #expect(histogram.minValue == 1)
    }

    @Test func percentilesAreWithinOnePercent() {
        var histogram = LogLinearHistogram()
        for micros in 1...10_000 as ClosedRange<UInt64> { histogram.record(micros * 1_000) }  // 1 µs ... 10 ms
        for (percentile, exactNs) in [(50.0, 5_000_000.0), (90, 9_000_000), (99, 9_900_000), (99.9, 9_990_000)] {
            let found = Double(histogram.value(atPercentile: percentile))
            #expect(found >= exactNs && found <= exactNs * 1.01, "p\(percentile): \(found) against \(exactNs)")
        }
        #expect(histogram.value(atPercentile: 100) == 10_000_000, "the maximum is exact")
        #expect(histogram.totalCount == 10_000)
    }

    @Test func aSingleSlowValueIsTheMaximumNotTheNinetyNinth() {
        var histogram = LogLinearHistogram()
        for _ in 0..<999 { histogram.record(100_000) }
        histogram.record(250_000_000)
        #expect(histogram.value(atPercentile: 99) <= 101_000)
        #expect(histogram.value(atPercentile: 99.9) <= 101_000)
        #expect(histogram.value(atPercentile: 99.95) == 250_000_000)
        #expect(histogram.count(atLeast: 1_000_000) == 1)
    }

    @Test func hugeValuesLandInTheLastBucketAndKeepTheExactMaximum() {
        var histogram = LogLinearHistogram()
        histogram.record(1 << 50)
        histogram.record(UInt64.max)
        #expect(LogLinearHistogram.bucketIndex(of: UInt64.max) == LogLinearHistogram.bucketCount - 1)
        #expect(histogram.value(atPercentile: 50) == UInt64.max, "clamped to the maximum, not beyond")
        #expect(histogram.maxValue == UInt64.max)
    }

    @Test func anEmptyHistogramAnswersZero() {
        let histogram = LogLinearHistogram()
        #expect(histogram.value(atPercentile: 99) == 0)
        #expect(histogram.totalCount == 0)
    }

    @Test func mergeAddsCounts() {
        var first = LogLinearHistogram()
        var second = LogLinearHistogram()
        for value in 0..<100 as Range<UInt64> { first.record(value * 1_000) }
        for value in 100..<200 as Range<UInt64> { second.record(value * 1_000) }
        first.merge(second)
        #expect(first.totalCount == 200)
        #expect(first.minValue == 0 && first.maxValue == 199_000)
        let median = first.value(atPercentile: 50)
        #expect(median >= 99_000 && median <= 100_000)
    }
}
