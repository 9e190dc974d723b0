/// Counters of a node's anti-entropy exchanges, for metrics (docs/anti-entropy.md §5) and tests.
///
/// Kept in the node's boxed anti-entropy field rather than `NodeCounters`, which `Node` holds inline:
/// two dozen counters there would have grown every copy of the node by about 200 bytes.
public struct ExchangeCounters: Equatable, Sendable {
    /// Initiator: exchanges started, and how they ended. started = equal + differing + refused (all
    /// reasons) + failed (all kinds) + in flight.
    public var started: UInt64 = 0
    public var equal: UInt64 = 0
    public var differing: UInt64 = 0
    public var failedDeadline: UInt64 = 0
    public var failedUndeliverable: UInt64 = 0
    public var failedMalformedReply: UInt64 = 0
    /// Refusals received, by `ExchangeRefusal.rawValue`.
    public private(set) var refusedReceived: [UInt64] = Array(repeating: 0, count: ExchangeRefusal.allCases.count + 1)
    /// Differing segments found (at most `segmentsPerExchangeMax` an exchange), and exchanges that
    /// found more than that bound (the rest wait for the partition's next exchange).
    public var segmentsFound: UInt64 = 0
    public var segmentsCapped: UInt64 = 0
    /// Partitions of a round passed over: no healthy other primary to exchange with; tree not ready;
    /// preference list changed within `ringChangeQuietMs` or a transfer owed. Ticks that started
    /// nothing because `exchangesInitiatedMax` were in flight.
    public var skippedNoHealthyPeer: UInt64 = 0
    public var skippedTreeNotReady: UInt64 = 0
    public var skippedRingChange: UInt64 = 0
    public var ticksAtInitiatedMax: UInt64 = 0
    public var roundsStarted: UInt64 = 0
    /// Responder: exchanges answered equal, answered with differing segments, and how the latter
    /// ended (step 6: always at the deadline, awaiting the key list of step 7, or undeliverable).
    public var servedEqual: UInt64 = 0
    public var servedDiffering: UInt64 = 0
    public var servedExpired: UInt64 = 0
    public var servedUndeliverable: UInt64 = 0
    /// Refusals given, by `ExchangeRefusal.rawValue`.
    public private(set) var refusedGiven: [UInt64] = Array(repeating: 0, count: ExchangeRefusal.allCases.count + 1)

    public init() {}

    public func refusalsReceived(_ reason: ExchangeRefusal) -> UInt64 { refusedReceived[Int(reason.rawValue)] }
    public func refusalsGiven(_ reason: ExchangeRefusal) -> UInt64 { refusedGiven[Int(reason.rawValue)] }

    mutating func countRefusalReceived(_ reason: ExchangeRefusal) { refusedReceived[Int(reason.rawValue)] += 1 }
    mutating func countRefusalGiven(_ reason: ExchangeRefusal) { refusedGiven[Int(reason.rawValue)] += 1 }

    /// Initiated exchanges that ended, whatever the outcome.
    public var ended: UInt64 {
        equal + differing + failedDeadline + failedUndeliverable + failedMalformedReply + refusedReceived.reduce(0, +)
    }
}
