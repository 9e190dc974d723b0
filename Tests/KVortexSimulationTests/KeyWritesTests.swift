import KVortexCore
import Testing
@testable import KVortexSimulation

/// `KeyWrites` answers by binary search and prefix maxima what a scan of every write answers.
@Suite struct KeyWritesTests {
    /// The scans `KeyWrites` replaced, as the reference.
    struct Reference {
        let startsMs: [UInt64]
        let endsMs: [UInt64]
        let acknowledgedMs: [UInt64?]

        func latestAcknowledged(before timeMs: UInt64) -> Int? {
            var latest: (position: Int, endMs: UInt64)?
            for position in acknowledgedMs.indices {
                guard let endMs = acknowledgedMs[position], endMs < timeMs else { continue }
                if latest.map({ endMs > $0.endMs }) ?? true { latest = (position, endMs) }
            }
            return latest?.position
        }

        func overlaps(_ position: Int, until untilMs: UInt64) -> Bool {
            startsMs.indices.contains { $0 != position && startsMs[$0] <= untilMs && endsMs[$0] >= startsMs[position] }
        }
    }

    @Test(arguments: 0..<300 as Range<UInt64>)
    func answersAsTheScans(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let count = random.int(in: 0..<12)
        var startsMs: [UInt64] = []
        var endsMs: [UInt64] = []
        var acknowledgedMs: [UInt64?] = []
        var startMs: UInt64 = 0
        for _ in 0..<count {
            startMs += UInt64(random.int(in: 0..<4))  // equal times are common: one virtual millisecond
            let ended = random.int(in: 0..<5) > 0
            let endMs = ended ? startMs + UInt64(random.int(in: 0..<6)) : .max
            startsMs.append(startMs)
            endsMs.append(endMs)
            acknowledgedMs.append(ended && random.int(in: 0..<3) > 0 ? endMs : nil)
        }
        let writes = KeyWrites(indices: Array(0..<count), startsMs: startsMs, endsMs: endsMs, acknowledgedMs: acknowledgedMs)
        let reference = Reference(startsMs: startsMs, endsMs: endsMs, acknowledgedMs: acknowledgedMs)
        for timeMs in 0...(startMs + 8) {
            #expect(writes.latestAcknowledged(before: timeMs) == reference.latestAcknowledged(before: timeMs),
                    "seed \(seed): latest acknowledged before \(timeMs) ms")
            for position in 0..<count {
                #expect(writes.overlaps(position, until: timeMs) == reference.overlaps(position, until: timeMs),
                        "seed \(seed): write \(position) overlapped until \(timeMs) ms")
            }
        }
    }
}
