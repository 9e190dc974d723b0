/// The identity that mints dots: a node in one epoch of its data (DESIGN.md "Actors are epoch-stamped").
///
/// A node that restarts without its old data gets a new epoch and therefore a new actor, so it never
/// mints a counter it already used (Riak's "key amnesia", riak_kv#679). The actor is stored as a
/// stable 64-bit hash of `(node, epoch)` to keep every dot eight bytes plus a counter.
public struct ActorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The actor of `node` in `epoch`. The epoch is chosen by the driver (random at a fresh start,
    /// persisted with durable data); the core never draws it.
    public init(node: NodeID, epoch: UInt64) {
        var bytes = Array(node.rawValue.utf8)
        withUnsafeBytes(of: epoch.littleEndian) { bytes.append(contentsOf: $0) }
        self.rawValue = StableHash.hash64(bytes)
    }

    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func < (lhs: ActorID, rhs: ActorID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One event in a causal history: the `counter`-th update minted by `actor`.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let actor: ActorID
    public let counter: UInt64

    public init(actor: ActorID, counter: UInt64) {
        precondition(counter > 0, "dot counters start at 1, got \(counter)")
        self.actor = actor
        self.counter = counter
    }

    public var description: String { "\(actor):\(counter)" }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.actor, lhs.counter) < (rhs.actor, rhs.counter)
    }
}
