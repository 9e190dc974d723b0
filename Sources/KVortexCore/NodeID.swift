/// The name of a node (a process) in the cluster, e.g. its peer address `127.0.0.1:9080`.
///
/// Node IDs are compared and sorted as strings; every node that sees the same member list
/// therefore computes the same ring.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// A stable hash of the name, computed once: node IDs key the membership and hint tables on every
    /// request, and hashing the string each time was a visible share of the simulator's time.
    private let stableHash: UInt64

    public init(_ rawValue: String) {
        self.rawValue = rawValue
        var text = rawValue
        self.stableHash = text.withUTF8 { StableHash.hash64(UnsafeRawBufferPointer($0)) }
    }

    public var description: String { rawValue }

    public static func == (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.stableHash == rhs.stableHash && lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stableHash)
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
}
