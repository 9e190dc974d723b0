import KVortexCore
import Testing
@testable import KVortexSimulation

/// `LatencySort.ascending` gives what `sorted()` gives, by counting or by sorting.
@Suite struct LatencySortTests {
    @Test(arguments: 0..<300 as Range<UInt64>)
    func isTheSort(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let count = random.int(in: 0..<200)
        // Small ranges are counted, wide ones (a few long timeouts) sorted.
        let widthMs = UInt64([5, 300, 5_000, 1 << 40][random.int(in: 0..<4)])
        let values = (0..<count).map { _ in random.below(widthMs) }
        #expect(LatencySort.ascending(values) == values.sorted(), "seed \(seed)")
    }

    @Test func countsAtTheBoundAndSortsPastIt() {
        #expect(LatencySort.countsWell(maxValue: 63, count: 0))
        #expect(!LatencySort.countsWell(maxValue: 64, count: 0))
        #expect(LatencySort.ascending([]) == [])
        #expect(LatencySort.ascending([64, 0, 64]) == [0, 64, 64])
        #expect(LatencySort.ascending([UInt64.max, 3]) == [3, UInt64.max])
    }
}
