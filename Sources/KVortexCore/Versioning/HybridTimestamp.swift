/// A hybrid logical clock reading: 48 bits of physical milliseconds, 16 bits of logical counter.
///
/// Orders events like wall-clock time when clocks agree and stays monotonic and causal when they
/// do not (Kulkarni et al., "Logical Physical Clocks", 2014). Comparable as a plain integer.
public struct HybridTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(physicalMs: UInt64, logical: UInt16) {
        precondition(physicalMs < 1 << 48, "physical time \(physicalMs) ms does not fit in 48 bits")
        self.rawValue = physicalMs << 16 | UInt64(logical)
    }

    /// Milliseconds since the Unix epoch, as shown to clients.
    public var physicalMs: UInt64 { rawValue >> 16 }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static let zero = HybridTimestamp(rawValue: 0)

    /// The next reading: the logical part counts up and carries into the milliseconds. Saturates at
    /// the largest reading instead of wrapping to zero (a wrapped clock would order new events before
    /// everything it had seen).
    public var successor: HybridTimestamp {
        rawValue == .max ? self : HybridTimestamp(rawValue: rawValue + 1)
    }

    public var description: String { "\(physicalMs).\(logical)" }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The hybrid logical clock of one node. The driver passes in physical time; the clock never reads it.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HybridTimestamp

    public init(last: HybridTimestamp = .zero) {
        self.last = last
    }

    /// A timestamp for a local event at physical time `physicalMs`, greater than every earlier one.
    public mutating func tick(physicalMs: UInt64) -> HybridTimestamp {
        if physicalMs > last.physicalMs {
            last = HybridTimestamp(physicalMs: physicalMs, logical: 0)
        } else {
            last = last.successor
        }
        return last
    }

    /// Folds in a timestamp received from a peer so later local events order after it.
    public mutating func observe(_ remote: HybridTimestamp, physicalMs: UInt64) {
        let newest = max(last, remote)
        if physicalMs > newest.physicalMs {
            last = HybridTimestamp(physicalMs: physicalMs, logical: 0)
        } else {
            last = newest.successor
        }
    }
}
