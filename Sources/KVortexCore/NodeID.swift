/// The name of a node (a process) in the cluster, e.g. its peer address `127.0.0.1:9080`.
///
/// Node IDs are compared and sorted as strings; every node that sees the same member list
/// therefore computes the same ring.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
}
