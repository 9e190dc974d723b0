import Testing
@testable import KVortexCore

/// The hybrid logical clock: monotonic whatever the wall clock does, causal across `observe`.
@Suite struct HybridClockTests {
    @Test func packsPhysicalAndLogical() {
        let stamp = HybridTimestamp(physicalMs: 1_700_000_000_123, logical: 7)
        #expect(stamp.physicalMs == 1_700_000_000_123 && stamp.logical == 7)
        #expect(stamp < HybridTimestamp(physicalMs: 1_700_000_000_123, logical: 8))
        #expect(HybridTimestamp(physicalMs: 5, logical: .max) < HybridTimestamp(physicalMs: 6, logical: 0))
        #expect(stamp.description == "1700000000123.7")
    }

    @Test func aClockGoingBackwardsStillMovesForward() {
        var clock = HybridLogicalClock()
        let first = clock.tick(physicalMs: 1_000)
        let backwards = clock.tick(physicalMs: 900)
        #expect(backwards > first)
        #expect(backwards == HybridTimestamp(physicalMs: 1_000, logical: 1))
        #expect(clock.tick(physicalMs: 1_001) == HybridTimestamp(physicalMs: 1_001, logical: 0), "resyncs to the wall clock")
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func ticksAreStrictlyIncreasingUnderAnyWallClock(seed: UInt64) {
        var random = TestRandom(seed: seed)
        var clock = HybridLogicalClock()
        var wallMs: UInt64 = 1_000_000
        var previous = HybridTimestamp.zero
        for _ in 0..<2_000 {
            wallMs = UInt64(Int64(wallMs) + Int64(random.int(in: -50...50)))
            if random.chance(1, in: 20) {
                clock.observe(HybridTimestamp(physicalMs: wallMs + UInt64(random.int(in: 0...100)), logical: UInt16(random.int(in: 0...9))),
                              physicalMs: wallMs)
            }
            let now = clock.tick(physicalMs: wallMs)
            #expect(now > previous, "seed \(seed)")
            #expect(now.physicalMs >= wallMs, "seed \(seed): never behind the wall clock")
            previous = now
        }
    }

    @Test func observingATimestampAheadOrdersLaterTicksAfterIt() {
        var clock = HybridLogicalClock()
        _ = clock.tick(physicalMs: 1_000)
        let remote = HybridTimestamp(physicalMs: 5_000, logical: 7)
        clock.observe(remote, physicalMs: 1_001)
        #expect(clock.tick(physicalMs: 1_002) > remote)
        clock.observe(HybridTimestamp(physicalMs: 10, logical: 0), physicalMs: 1_003)
        #expect(clock.last > remote, "an older remote timestamp never lowers the clock")
    }

    @Test func theLogicalCounterCarriesIntoTheMilliseconds() {
        var clock = HybridLogicalClock(last: HybridTimestamp(physicalMs: 10, logical: .max))
        #expect(clock.tick(physicalMs: 10) == HybridTimestamp(physicalMs: 11, logical: 0))
        clock = HybridLogicalClock(last: HybridTimestamp(physicalMs: 10, logical: .max - 1))
        clock.observe(HybridTimestamp(physicalMs: 10, logical: .max), physicalMs: 3)
        #expect(clock.last == HybridTimestamp(physicalMs: 11, logical: 0))
    }

    /// FINDING (low): the successor is `rawValue &+ 1`, so observing one of the two largest timestamps —
    /// any peer or decoded object can carry them — wraps the clock to zero: it forgets what it observed
    /// and the next tick orders before it.
    @Test(arguments: [UInt64.max, UInt64.max - 1])
    func observingTheLargestTimestampsNeverWrapsTheClock(remoteRaw: UInt64) {
        var clock = HybridLogicalClock()
        _ = clock.tick(physicalMs: 1_000)
        let remote = HybridTimestamp(rawValue: remoteRaw)
        clock.observe(remote, physicalMs: 1_001)
        #expect(clock.last >= remote, "observing \(remote) left the clock at \(clock.last)")
        let observed = clock.last
        let next = clock.tick(physicalMs: 1_002)
        #expect(next >= observed, "the clock went from \(observed) back to \(next)")
    }
}
