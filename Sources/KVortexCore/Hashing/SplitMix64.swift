/// A seeded pseudo-random generator (Steele, Lea, Flood 2014). Ours, so a seed gives the same
/// sequence on every Swift version; the standard library's `random(in:using:)` makes no such promise.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound`, without modulo bias (Lemire's method with rejection).
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= (0 &- bound) % bound { return high }
        }
    }

    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "empty range")
        return range.lowerBound + Int(below(UInt64(range.count)))
    }

    /// A number in [0, 1) with 53 bits of precision.
    public mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// Fisher–Yates, drawing from this generator.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, int(in: 0..<(index + 1)))
        }
    }
}
