/// Coordinates the replication of one write or delete (DESIGN.md "Coordination", Dynamo §4.5).
///
/// The node has already applied the write to its own replica (minting the dot) before this starts;
/// that local write is the first acknowledgement. The coordinator sends the new object to the other
/// targets, answers once W have acknowledged — counting hinted stand-ins only when the quorum is
/// sloppy — and gives up as soon as W can no longer be met. Pure: it returns actions.
public struct PutCoordinator: Sendable {
    public enum State: Equatable, Sendable {
        case awaitingAcks
        /// Answered the client; late acks are still counted for `X-Replicas` of nobody, then dropped.
        case replied
    }

    public enum Event: Sendable {
        case ack(from: NodeID)
        case failed(from: NodeID)
        case deadline
    }

    public enum Action: Equatable, Sendable {
        case reply(Result<WriteOutcome, KVError>)
    }

    public let requestID: RequestID
    public let key: [UInt8]
    /// The object's context after the local write: what the client is answered with.
    public let context: WriteContext
    /// The dot the local write minted.
    public let dot: Dot?
    /// The other replicas, in preference order; never the coordinator itself.
    public let targets: [ReplicaTarget]
    public let writeQuorum: Int
    /// The key's replica count N: the `asked` of `X-Replicas` and of a quorum error (API.md). The
    /// coordinator and its targets are fewer when primaries are unreachable and no stand-in takes their
    /// place (their hints stay on this node); those count as asked and not acknowledged, so a write
    /// reports the same counts whatever the failure detector knew when it began, and the same as a
    /// read in the same state (`GetCoordinator.replicaCount`).
    public let replicaCount: Int
    public let sloppy: Bool
    public private(set) var state: State = .awaitingAcks
    /// Targets a coordinator can have: one bit each in the masks below.
    public static let targetsMax = 64
    /// Bit `i` set: `targets[i]` acknowledged, or failed. Bits by index, not an array of targets and
    /// a set of node IDs: the array was allocated and freed per write (~400 instructions).
    private var ackedTargets: UInt64 = 0
    private var failedTargets: UInt64 = 0
    /// Bit `i` set: an acknowledgement of `targets[i]` counts toward W (sloppy, or a primary).
    private let countableTargets: UInt64
    private let localCounts: Bool

    /// `localIsPrimary` says whether the coordinator's own write counts under a strict quorum.
    /// `replicaCount` is N; nil stands for the targets and the coordinator (every replica is asked).
    public init(requestID: RequestID, key: [UInt8], context: WriteContext, dot: Dot? = nil, targets: [ReplicaTarget],
                writeQuorum: Int, replicaCount: Int? = nil, sloppy: Bool, localIsPrimary: Bool) {
        self.dot = dot
        precondition(targets.count <= Self.targetsMax, "\(targets.count) targets, more than \(Self.targetsMax)")
        let replicaCount = replicaCount ?? targets.count + 1
        precondition(targets.count + 1 <= replicaCount, "\(targets.count) targets and the coordinator, more than N (\(replicaCount))")
        precondition(targets.nodesAreDistinct, "targets repeat a node: \(targets)")
        self.requestID = requestID
        self.key = key
        self.context = context
        self.targets = targets
        self.writeQuorum = writeQuorum
        self.replicaCount = replicaCount
        self.sloppy = sloppy
        self.localCounts = sloppy || localIsPrimary
        var countable: UInt64 = 0
        for (index, target) in targets.enumerated() where sloppy || target.isPrimary { countable |= 1 << index }
        self.countableTargets = countable
    }

    /// Replicas asked, the coordinator and the unreachable ones included (the denominator of `X-Replicas`).
    public var askedCount: Int { replicaCount }

    /// Acknowledgements that count toward W, the local write included.
    public var countedAcks: Int {
        (localCounts ? 1 : 0) + (ackedTargets & countableTargets).nonzeroBitCount
    }

    /// Acknowledgements that could still arrive and count.
    private var countablePending: Int {
        (countableTargets & ~(ackedTargets | failedTargets)).nonzeroBitCount
    }

    /// Call once right after `init`: a write whose quorum is already met (W = 1) or impossible
    /// answers at once.
    public mutating func start() -> [Action] {
        startAction().map { [$0] } ?? []
    }

    public mutating func receive(_ event: Event) -> [Action] {
        receiveAction(event).map { [$0] } ?? []
    }

    /// `start()` for the node: a step asks for one action at most, so it comes without an array
    /// (an allocation and a release per write, ~2 % of a simulated write's instructions).
    public mutating func startAction() -> Action? {
        evaluate()
    }

    /// `receive(_:)` for the node, as `startAction`.
    public mutating func receiveAction(_ event: Event) -> Action? {
        switch (state, event) {
        case (.awaitingAcks, .ack(let from)):
            guard let target = pendingTarget(from) else { return nil }
            ackedTargets |= 1 << target
            return evaluate()
        case (.awaitingAcks, .failed(let from)):
            guard let target = pendingTarget(from) else { return nil }
            failedTargets |= 1 << target
            return evaluate()
        case (.awaitingAcks, .deadline):
            state = .replied
            return .reply(.failure(.timeout(needed: writeQuorum, acked: countedAcks, asked: askedCount)))
        case (.replied, .ack(let from)):
            if let target = pendingTarget(from) { ackedTargets |= 1 << target }
            return nil
        case (.replied, .failed), (.replied, .deadline):
            return nil
        }
    }

    /// The index of `node` among the targets while it has neither acknowledged nor failed; nil
    /// otherwise (an unknown or repeated sender).
    private func pendingTarget(_ node: NodeID) -> Int? {
        guard let target = targets.firstIndex(where: { $0.node == node }),
              (ackedTargets | failedTargets) & (1 << target) == 0 else { return nil }
        return target
    }

    private mutating func evaluate() -> Action? {
        guard state == .awaitingAcks else { return nil }
        if countedAcks >= writeQuorum {
            state = .replied
            return .reply(.success(WriteOutcome(context: context, dot: dot, replicasAcked: countedAcks, replicasAsked: askedCount)))
        }
        if countedAcks + countablePending < writeQuorum {
            state = .replied
            return .reply(.failure(.quorumUnmet(needed: writeQuorum, acked: countedAcks, asked: askedCount)))
        }
        return nil
    }
}

/// The result of a coordinated write or delete.
public struct WriteOutcome: Equatable, Sendable {
    /// The object's context after the write: the client's next `X-Context`.
    public var context: WriteContext
    /// The dot the write minted, when known (for the simulator's checkers; not shown to clients).
    public var dot: Dot?
    public var replicasAcked: Int
    public var replicasAsked: Int
    /// The node that coordinated the write (`X-Coordinator`); nil until the node fills it in.
    public var coordinator: NodeID?

    public init(context: WriteContext, dot: Dot? = nil, replicasAcked: Int, replicasAsked: Int, coordinator: NodeID? = nil) {
        self.context = context
        self.dot = dot
        self.coordinator = coordinator
        self.replicasAcked = replicasAcked
        self.replicasAsked = replicasAsked
    }
}
