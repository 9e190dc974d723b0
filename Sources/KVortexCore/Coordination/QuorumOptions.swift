/// Identifies one client operation at the node that received it; chosen by the driver.
public struct RequestID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "r\(rawValue)" }

    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The consistency a client asked for, already validated against N (API.md "Per-request consistency").
public struct QuorumOptions: Hashable, Sendable {
    public var readQuorum: Int
    public var writeQuorum: Int
    /// When false, only primary replicas count toward R and W; hinted stand-ins do not.
    public var sloppy: Bool
    public var timeoutMs: UInt64

    public init(readQuorum: Int, writeQuorum: Int, sloppy: Bool = true, timeoutMs: UInt64) {
        precondition(readQuorum >= 1, "R (\(readQuorum)) must be at least 1")
        precondition(writeQuorum >= 1, "W (\(writeQuorum)) must be at least 1")
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.sloppy = sloppy
        self.timeoutMs = timeoutMs
    }
}

/// A replica a coordinator sends to: a primary of the key, or a stand-in holding a hint for one.
public struct ReplicaTarget: Hashable, Sendable, CustomStringConvertible {
    public let node: NodeID
    /// The primary this stand-in substitutes for; nil for a primary.
    public let hintFor: NodeID?

    public init(node: NodeID, hintFor: NodeID? = nil) {
        self.node = node
        self.hintFor = hintFor
    }

    public var isPrimary: Bool { hintFor == nil }

    public var description: String { hintFor.map { "\(node)(for \($0))" } ?? node.description }
}

extension [ReplicaTarget] {
    /// True when no node appears twice. Compared pairwise, not through a `Set`: a list is N long,
    /// and building a set for this precondition on every operation cost 2 % of the simulator's time.
    var nodesAreDistinct: Bool {
        for index in indices.dropFirst() where self[..<index].contains(where: { $0.node == self[index].node }) {
            return false
        }
        return true
    }
}
