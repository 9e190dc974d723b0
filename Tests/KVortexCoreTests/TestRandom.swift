/// The tests' own seeded generator: xoshiro256** (Blackman & Vigna, 2018), its state filled by
/// SplitMix64 as the authors recommend.
///
/// Ours, with our own range and shuffle helpers, because the standard library's `random(in:using:)`
/// and `shuffled(using:)` do not promise the same output across Swift versions (STYLE.md
/// "Determinism"). Independent of `KVortexCore.SplitMix64` on purpose: the code under test does not
/// pick the inputs it is tested with. The output for a seed is pinned in `TestRandomTests`.
struct TestRandom {
    /// The seed this generator started from; put it in every failure message.
    let seed: UInt64
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        self.seed = seed
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A value in `0..<bound` without modulo bias (Lemire's multiply-and-reject).
    mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= (0 &- bound) % bound { return high }
        }
    }

    mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "empty range \(range)")
        return range.lowerBound + Int(below(UInt64(range.count)))
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        int(in: range.lowerBound..<(range.upperBound + 1))
    }

    mutating func uint64(in range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound - range.lowerBound
        return span == .max ? next() : range.lowerBound + below(span + 1)
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        int(in: 0..<denominator) < numerator
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// `bytes` with one to three random edits: a flipped bit, a byte removed, a random byte inserted.
    mutating func damaged(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0...int(in: 0...2) where !bytes.isEmpty {
            let index = int(in: 0..<bytes.count)
            switch int(in: 0..<3) {
            case 0: bytes[index] ^= UInt8(1) << int(in: 0..<8)
            case 1: bytes.remove(at: index)
            default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: index)
            }
        }
        return bytes
    }

    mutating func element<T>(of array: [T]) -> T {
        array[int(in: 0..<array.count)]
    }

    /// Fisher–Yates.
    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, int(in: 0...index))
        }
    }

    mutating func shuffled<T>(_ array: [T]) -> [T] {
        var copy = array
        shuffle(&copy)
        return copy
    }

    /// A generator for a sub-task, so adding draws to one part of a test does not shift the others.
    mutating func fork() -> TestRandom {
        TestRandom(seed: next())
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
