/// Names one request a node sent to a peer, so the reply finds its coordinator. Unique per sender.
public struct OperationID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "op\(rawValue)" }

    public static func < (lhs: OperationID, rhs: OperationID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A client write as it travels when forwarded to a replica: what to write, not yet a dot.
public struct ClientWrite: Hashable, Sendable {
    public var payload: Sibling.Payload
    public var context: WriteContext?
    /// Seconds to live, turned into an absolute expiry by the replica that mints the dot.
    public var ttlSeconds: UInt64?
    public var contentType: String

    public init(payload: Sibling.Payload, context: WriteContext? = nil, ttlSeconds: UInt64? = nil, contentType: String = "") {
        self.payload = payload
        self.context = context
        self.ttlSeconds = ttlSeconds
        self.contentType = contentType
    }
}

/// Every message nodes exchange (DESIGN.md "Coordination", "Membership and failure").
/// The binary encoding is in `Wire/PeerMessage+Wire.swift`.
public enum PeerMessage: Equatable, Sendable {
    /// Read your replica of `key`. With `unlessClock` (the coordinator's own replica's clock, when
    /// clocks decide), a replica whose object has that very clock answers `getReplyUnchanged`
    /// instead of sending back an object the coordinator already holds.
    case getRequest(OperationID, key: [UInt8], unlessClock: VersionVector? = nil)
    /// Your replica, or nil when you have none.
    case getReply(OperationID, object: MessageObject?)
    /// My replica's clock is the `unlessClock` of your request: the object you hold.
    case getReplyUnchanged(OperationID)
    /// Merge `object` into your replica of `key` (a coordinated write), or keep it as a hint for
    /// `hintFor` when you are standing in for that primary.
    case putRequest(OperationID, key: [UInt8], object: MessageObject, hintFor: NodeID?)
    case putAck(OperationID)
    /// The replica could not store the write (storage failure, hint queue full).
    case putRejected(OperationID, reason: String)
    /// Coordinate this client write: the receiving node was not a replica of the key.
    indirect case forwardPut(OperationID, key: [UInt8], write: ClientWrite, options: QuorumOptions)
    indirect case forwardReply(OperationID, Result<WriteOutcome, KVError>)
    /// Merge this newer object (read repair; no reply).
    case repair(key: [UInt8], object: MessageObject)
    /// A hinted write handed back to its primary.
    case hintDelivery(OperationID, key: [UInt8], object: MessageObject)
    case hintAck(OperationID)
    /// Membership gossip: the sender's view of every member (DESIGN.md "Membership").
    case gossip([MemberDigest])
    /// May I reap these tombstones? Asked of every other current primary of each key (at most
    /// `Limits.reapCheckEntriesPerMessageMax` entries; docs/anti-entropy.md §4).
    case reapCheck(OperationID, entries: [ReapCheckEntry])
    /// One answer per entry of the `reapCheck`, in order: yes when this primary holds the same
    /// tombstone (same digest) or remembers reaping a clock that descends the entry's.
    case reapCheckReply(OperationID, answers: [Bool])
    /// Anti-entropy (docs/anti-entropy.md §3; encoding in `Wire/PeerMessage+AntiEntropy.swift`).
    /// The initiator's branch hashes of `partition`'s tree, of `segmentCount` segments.
    case aeBranches(OperationID, partition: Int, segmentCount: Int, branches: [UInt64])
    /// The responder's comparison: equal, the segment hashes of differing branches, or a refusal.
    case aeBranchesReply(OperationID, ExchangeBranchesReply)
    /// The initiator's keys in whole differing `segments` of `partition` (step 7).
    case aeKeys(OperationID, partition: Int, segments: [Int], entries: [ExchangeKeyEntry])
    /// The keys the responder needs from the initiator's list (step 7).
    case aeWanted(OperationID, keys: [[UInt8]])
    /// One object repaired: merge it into your replica of `key`, then acknowledge (step 7).
    case aePush(OperationID, key: [UInt8], object: MessageObject)
    case aePushAck(OperationID)
}

/// One member as gossiped: incarnation and heartbeat counters let newer news replace older.
public struct MemberDigest: Hashable, Sendable {
    public var node: NodeID
    /// Raised by the member itself to refute a suspicion or announce leaving.
    public var incarnation: UInt64
    /// Raised by the member itself every heartbeat; a peer that sees it grow knows the member lives.
    public var heartbeat: UInt64
    public var isLeaving: Bool
    /// Where the member listens for peers and for clients ("host:port"; empty when unknown). Gossip
    /// carries them so a node can reach members it only heard of, whatever their IDs are.
    public var peerAddress: String
    public var httpAddress: String

    public init(node: NodeID, incarnation: UInt64, heartbeat: UInt64, isLeaving: Bool = false,
                peerAddress: String = "", httpAddress: String = "") {
        self.node = node
        self.incarnation = incarnation
        self.heartbeat = heartbeat
        self.isLeaving = isLeaving
        self.peerAddress = peerAddress
        self.httpAddress = httpAddress
    }
}
