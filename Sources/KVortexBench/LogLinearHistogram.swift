/// Counts of values (nanoseconds, in the load generator) in fixed log-linear buckets, like HdrHistogram
/// with two significant digits: exact below 256, then 128 buckets per power of two, so no bucket is wider
/// than 1/128 (0.8 %) of the values it holds.
///
/// Memory is fixed (`bucketCount` counters) whatever is recorded. Values of 2⁴⁴ ns (4.9 hours) and more
/// are counted in the last bucket; the exact minimum and maximum are kept apart.
public struct LogLinearHistogram: Sendable, Equatable {
    /// Values below `1 << exactBits` have a bucket each.
    static let exactBits = 8
    /// Buckets per power of two above the exact range.
    static let subBucketCount = 1 << (exactBits - 1)
    /// Values from `1 << magnitudeLimit` up fall into the last bucket.
    static let magnitudeLimit = 44
    /// 256 exact buckets, then 128 for each power of two from 2⁸ to 2⁴³: 4 864 counters.
    public static let bucketCount = (1 << exactBits) + (magnitudeLimit - exactBits) * subBucketCount

    private var counts: [UInt64]
    public private(set) var totalCount: UInt64 = 0
    /// The smallest value recorded (`UInt64.max` while empty).
    public private(set) var minValue: UInt64 = .max
    /// The largest value recorded, exactly (0 while empty).
    public private(set) var maxValue: UInt64 = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    public mutating func record(_ value: UInt64) {
        counts[Self.bucketIndex(of: value)] += 1
        totalCount += 1
        minValue = min(minValue, value)
        maxValue = max(maxValue, value)
    }

    /// Adds every count of `other`; leaves `other` unchanged.
    public mutating func merge(_ other: LogLinearHistogram) {
        for index in 0..<Self.bucketCount { counts[index] += other.counts[index] }
        totalCount += other.totalCount
        minValue = min(minValue, other.minValue)
        maxValue = max(maxValue, other.maxValue)
    }

    /// The value under which `percentile` % of the recorded values lie: the highest value of the bucket
    /// holding the k-th smallest, k = percentile × count / 100 rounded to the nearest (HdrHistogram's
    /// rule; rounding up would turn 99.9 % of 1 000 into 999.000…1 and so the 1 000th), but never above
    /// the exact maximum. 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        precondition(percentile >= 0 && percentile <= 100, "percentile (\(percentile)) outside 0...100")
        guard totalCount > 0 else { return 0 }
        let rank = max(1, UInt64((percentile / 100 * Double(totalCount)).rounded(.toNearestOrAwayFromZero)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += counts[index]
            if seen >= rank { return min(Self.highestValue(inBucket: index), maxValue) }
        }
        return maxValue
    }

    /// How many recorded values are at least `value`, counting whole buckets (exact below 256).
    public func count(atLeast value: UInt64) -> UInt64 {
        counts[Self.bucketIndex(of: value)...].reduce(0, +)
    }

    static func bucketIndex(of value: UInt64) -> Int {
        guard value >= 1 << exactBits else { return Int(value) }
        let magnitude = UInt64.bitWidth - 1 - value.leadingZeroBitCount
        guard magnitude < magnitudeLimit else { return bucketCount - 1 }
        let shift = magnitude - (exactBits - 1)
        let mantissa = Int(value >> UInt64(shift))  // in subBucketCount ..< 2 × subBucketCount
        return (1 << exactBits) + (magnitude - exactBits) * subBucketCount + (mantissa - subBucketCount)
    }

    static func lowestValue(inBucket index: Int) -> UInt64 {
        guard index >= 1 << exactBits else { return UInt64(index) }
        let above = index - (1 << exactBits)
        let magnitude = exactBits + above / subBucketCount
        let mantissa = UInt64(subBucketCount + above % subBucketCount)
        return mantissa << UInt64(magnitude - (exactBits - 1))
    }

    static func highestValue(inBucket index: Int) -> UInt64 {
        guard index < bucketCount - 1 else { return .max }
        return lowestValue(inBucket: index + 1) - 1
    }
}
