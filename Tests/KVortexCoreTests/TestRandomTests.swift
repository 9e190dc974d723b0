import Testing

/// The tests' generator gives the same numbers on every toolchain: seeds in failure messages replay.
@Suite struct TestRandomTests {
    @Test func outputIsPinned() {
        // Reference: xoshiro256** seeded by SplitMix64, computed independently (Python).
        var zero = TestRandom(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var answer = TestRandom(seed: 42)
        #expect([answer.next(), answer.next(), answer.next()] == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1])
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func helpersStayInRange(seed: UInt64) {
        var random = TestRandom(seed: seed)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let value = random.int(in: -3..<4)
            #expect((-3..<4).contains(value), "seed \(seed)")
            seen.insert(value)
            #expect((5...5).contains(random.int(in: 5...5)), "seed \(seed)")
            #expect((10...12 as ClosedRange<UInt64>).contains(random.uint64(in: 10...12)), "seed \(seed)")
        }
        #expect(seen == Set(-3..<4), "seed \(seed): every value is drawn")
        let shuffled = random.shuffled(Array(0..<50))
        #expect(shuffled.sorted() == Array(0..<50), "seed \(seed): a permutation")
    }

    @Test func sameSeedSameSequence() {
        var first = TestRandom(seed: 7)
        var second = TestRandom(seed: 7)
        #expect((0..<100).map { _ in first.next() } == (0..<100).map { _ in second.next() })
        #expect(first.shuffled(Array(0..<20)) == second.shuffled(Array(0..<20)))
    }
}
