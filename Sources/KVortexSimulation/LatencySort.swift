/// Latencies (virtual milliseconds) in ascending order, for the report's percentiles.
///
/// By counting when the largest is small against their number (a run's latencies are a few hundred
/// distinct milliseconds), else by the standard library's sort. Sorting the run's latencies with
/// `sort()` was about 650 instructions a latency (1.5 M of majority-partition seeds 1–5); equal
/// values cannot be told apart, so the result is the sort's.
enum LatencySort {
    /// The largest value counted, against the number of values: past it, counting would walk and
    /// allocate more than a sort compares.
    static func countsWell(maxValue: UInt64, count: Int) -> Bool {
        maxValue < UInt64(4 * count + 64)
    }

    static func ascending(_ values: [UInt64]) -> [UInt64] {
        guard let maxValue = values.max(), countsWell(maxValue: maxValue, count: values.count) else { return values.sorted() }
        var counts = [Int](repeating: 0, count: Int(maxValue) + 1)
        for value in values { counts[Int(value)] += 1 }
        return [UInt64](unsafeUninitializedCapacity: values.count) { buffer, initializedCount in
            var position = 0
            for value in counts.indices {
                for _ in 0..<counts[value] {
                    buffer.initializeElement(at: position, to: UInt64(value))
                    position += 1
                }
            }
            precondition(position == values.count, "counted \(position) of \(values.count) latencies")
            initializedCount = position
        }
    }
}
