/// One concurrent version of a key: a value or a tombstone, stamped with the dot that created it.
///
/// Siblings are what a client sees as `300 Multiple Choices`; a tombstone sibling is a delete that
/// has not yet been superseded or reaped (DESIGN.md "Data model").
public struct Sibling: StampedSibling, Hashable, Sendable {
    public enum Payload: Hashable, Sendable {
        case value([UInt8])
        case tombstone
    }

    /// The event that created this sibling; unique within the cluster.
    public let dot: Dot
    public let payload: Payload
    /// Hybrid-logical-clock time of the write, in milliseconds since the Unix epoch (HLC physical part
    /// in the high bits, see `HybridTimestamp`). Orders siblings for LWW and the sibling cap.
    public let timestamp: HybridTimestamp
    /// Absolute expiry in milliseconds since the Unix epoch, or nil for no TTL.
    public let expiryMs: UInt64?
    /// The `Content-Type` the client wrote with, or empty when none was given.
    public let contentType: String

    public init(
        dot: Dot, payload: Payload, timestamp: HybridTimestamp, expiryMs: UInt64? = nil,
        contentType: String = ""
    ) {
        self.dot = dot
        self.payload = payload
        self.timestamp = timestamp
        self.expiryMs = expiryMs
        self.contentType = contentType
    }

    public var isTombstone: Bool { payload == .tombstone }

    /// The value bytes, or nil for a tombstone.
    public var value: [UInt8]? {
        switch payload {
        case .value(let bytes): bytes
        case .tombstone: nil
        }
    }

    /// True when the sibling's TTL has passed at `nowMs`. Does not consider tombstones.
    public func isExpired(atMs nowMs: UInt64) -> Bool {
        guard let expiryMs else { return false }
        return nowMs >= expiryMs
    }

    /// True for a value that a read at `nowMs` returns: not a tombstone, not expired.
    public func isLive(atMs nowMs: UInt64) -> Bool {
        !isTombstone && !isExpired(atMs: nowMs)
    }

    /// Bytes this sibling adds to memory accounting (value, content type, fixed metadata).
    public var approximateBytes: Int {
        (value?.count ?? 0) + contentType.utf8.count + 40
    }
}

/// What the write rule and the sibling cap read of a sibling: its dot and its timestamp. Decoded
/// siblings have them, and so do siblings still in an encoding (`EncodedSiblingSpan`), so one rule
/// (`VersionedObject+Write`) serves both.
public protocol StampedSibling {
    var dot: Dot { get }
    var timestamp: HybridTimestamp { get }
}

extension StampedSibling {
    /// The total order used for last-write-wins and the sibling cap: later timestamp wins, then the
    /// higher dot, so every replica picks the same winner.
    public static func lwwPrecedes(_ lhs: Self, _ rhs: Self) -> Bool {
        (lhs.timestamp, lhs.dot) < (rhs.timestamp, rhs.dot)
    }
}
