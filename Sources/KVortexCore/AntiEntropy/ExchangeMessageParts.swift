/// Why a responder refuses an anti-entropy exchange (docs/anti-entropy.md §3, "Refusals"). The
/// initiator ends the exchange, counts the reason and moves on at its next tick.
public enum ExchangeRefusal: UInt8, Error, Hashable, Sendable, CaseIterable {
    /// The responder is not a primary of the partition in its ring (rings differ for a moment), is
    /// leaving, owes the partition a transfer, or saw its preference list change in the last
    /// `ringChangeQuietMs`.
    case notPrimary = 1
    /// The responder's tree of the partition is unbuilt or being rebuilt.
    case treeNotReady = 2
    /// The responder serves `exchangesServedMax` exchanges already.
    case busy = 3
    /// The trees differ in shape (another S, or another Q): they cannot be compared.
    case settingsMismatch = 4
    /// Anti-entropy is off on the responder (a node upgraded before the setting was turned on).
    case disabled = 5
}

/// The segment hashes of one branch that differs between the two trees, in the responder's
/// `aeBranchesReply`: the initiator compares them with its own to find the differing segments.
public struct ExchangeBranchSegments: Hashable, Sendable {
    /// The branch, `0..<√S`.
    public var branch: Int
    /// The hashes of the branch's √S segments, in order.
    public var hashes: [UInt64]

    public init(branch: Int, hashes: [UInt64]) {
        self.branch = branch
        self.hashes = hashes
    }
}

/// The responder's answer to `aeBranches`.
public enum ExchangeBranchesReply: Hashable, Sendable {
    /// Every branch is equal: the trees are (the usual case; two messages in all).
    case equal
    /// The segment hashes of differing branches, ascending by branch, at most
    /// `Limits.exchangeReplySegmentsMax` hashes in all (the other differing branches wait for a later
    /// exchange).
    case segments([ExchangeBranchSegments])
    case refused(ExchangeRefusal)
}

/// One key of a key list (`aeKeys`): what the lister holds of it, without its value.
public struct ExchangeKeyEntry: Hashable, Sendable {
    public var key: [UInt8]
    public var digest: ObjectDigest
    public var clock: VersionVector

    public init(key: [UInt8], digest: ObjectDigest, clock: VersionVector) {
        self.key = key
        self.digest = digest
        self.clock = clock
    }
}
