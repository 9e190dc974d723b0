/// How a node runs anti-entropy exchanges (docs/anti-entropy.md §3). Off by default: a node with it
/// off starts no exchange, sets no anti-entropy timer and refuses the exchanges peers offer it.
///
/// Kept by the node in its one boxed anti-entropy field, not in `NodeSettings`, so that `Node`,
/// whose copies the simulator makes and measured, grows by one reference (docs/decisions.md).
public struct AntiEntropySettings: Sendable, Equatable {
    public var isEnabled: Bool
    /// Time between two ticks, each of which may start one exchange.
    public var exchangeTickMs: UInt64
    /// Each tick is drawn within ± this percentage of `exchangeTickMs`, from the node's seeded generator,
    /// so that nodes started together do not tick together.
    public var exchangeTickJitterPercent: UInt64
    /// Exchanges this node initiated that may be in flight at once; a tick past it starts none.
    public var exchangesInitiatedMax: Int
    /// Exchanges this node serves at once; past it an `aeBranches` is refused as `busy`.
    public var exchangesServedMax: Int
    /// Differing segments one exchange goes on with; the others wait for the partition's next exchange.
    public var segmentsPerExchangeMax: Int
    /// How long each phase of an exchange waits for the peer; then the exchange ends as failed.
    public var exchangeTimeoutMs: UInt64
    /// A partition whose preference list changed less than this long ago is neither initiated nor
    /// served: new owners get data by transfer, anti-entropy checks afterwards.
    public var ringChangeQuietMs: UInt64

    public init(isEnabled: Bool = false, exchangeTickMs: UInt64 = 1_000, exchangeTickJitterPercent: UInt64 = 20,
                exchangesInitiatedMax: Int = 2, exchangesServedMax: Int = 4, segmentsPerExchangeMax: Int = 64,
                exchangeTimeoutMs: UInt64 = 30_000, ringChangeQuietMs: UInt64 = 60_000) {
        precondition(exchangeTickMs >= 1, "exchangeTickMs \(exchangeTickMs) must be at least 1")
        precondition(exchangeTickJitterPercent < 100, "jitter \(exchangeTickJitterPercent) % must be under 100 %")
        precondition(exchangesInitiatedMax >= 1, "exchangesInitiatedMax \(exchangesInitiatedMax) must be at least 1")
        precondition(exchangesServedMax >= 0, "exchangesServedMax \(exchangesServedMax) must not be negative")
        precondition(segmentsPerExchangeMax >= 1, "segmentsPerExchangeMax \(segmentsPerExchangeMax) must be at least 1")
        precondition(segmentsPerExchangeMax <= Limits.exchangeReplySegmentsMax,
                     "segmentsPerExchangeMax \(segmentsPerExchangeMax) exceeds the wire's \(Limits.exchangeReplySegmentsMax)")
        self.isEnabled = isEnabled
        self.exchangeTickMs = exchangeTickMs
        self.exchangeTickJitterPercent = exchangeTickJitterPercent
        self.exchangesInitiatedMax = exchangesInitiatedMax
        self.exchangesServedMax = exchangesServedMax
        self.segmentsPerExchangeMax = segmentsPerExchangeMax
        self.exchangeTimeoutMs = exchangeTimeoutMs
        self.ringChangeQuietMs = ringChangeQuietMs
    }

    /// The delay to the next tick: `exchangeTickMs` ± `exchangeTickJitterPercent` %, drawn from `random`.
    func nextTickMs(using random: inout SplitMix64) -> UInt64 {
        let spreadMs = exchangeTickMs * exchangeTickJitterPercent / 100
        guard spreadMs > 0 else { return exchangeTickMs }
        return exchangeTickMs - spreadMs + random.below(2 * spreadMs + 1)
    }
}
