/// Coordinates one read across the replicas of a key (DESIGN.md "Coordination", Dynamo §4.5).
///
/// Asks every target, answers once R have replied (`notfound` counts), then keeps collecting until
/// every target has answered or the repair window closes, and returns read repairs for the replicas
/// that were behind the merged object. Gives up as soon as R can no longer be met. Pure: the node
/// sends, times and delivers; this only decides.
public struct GetCoordinator: Sendable {
    public enum State: Equatable, Sendable {
        /// Waiting for R replies.
        case collecting
        /// Answered the client; waiting for the rest of the replies to repair them.
        case repairing
        case finished
    }

    public enum Event: Sendable {
        /// A replica's object (nil: it has none), decoded or as it came off the wire.
        case reply(from: NodeID, object: MessageObject?)
        /// A replica's object is the one `localNode` replied with (its clock was the request's
        /// `unlessClock`): a reply of that object, which did not travel.
        case replyUnchanged(from: NodeID)
        /// A target could not be asked or did not answer (unreachable, overloaded, crashed).
        case failed(from: NodeID)
        case deadline
        /// The short wait for late replies after the client was answered is over.
        case repairWindowClosed
    }

    public enum Action: Equatable, Sendable {
        case reply(Result<ReadOutcome, KVError>)
        /// Send the merged object to a replica that was behind (read repair).
        case repair(NodeID, VersionedObject)
    }

    public let requestID: RequestID
    public let key: [UInt8]
    public private(set) var targets: [ReplicaTarget]
    public let readQuorum: Int
    /// The key's replica count N: the `asked` of `X-Replicas` and of a quorum error (API.md). The
    /// targets are fewer when primaries are unreachable and no stand-in takes their place; those count
    /// as asked and not answered, so a read reports the same counts whatever the failure detector knew
    /// when it began, and the same as a write in the same state (`PutCoordinator.replicaCount`).
    public let replicaCount: Int
    /// The coordinating node, when it is a target: `replyUnchanged` stands for its reply.
    let localNode: NodeID?
    let mode: ConflictMode
    let siblingsMax: Int
    /// Whether clocks may stand for objects: a reply whose clock the merge descends changes nothing,
    /// one whose clock descends the merge replaces it, and equal clocks are equal objects. True in
    /// siblings mode (`VersionedObject+Supersede`), which spares decoding and merging the replies of
    /// replicas that agree. Off for LWW and under planted bugs, whose objects no correct history makes.
    let clocksDecide: Bool
    public private(set) var state: State = .collecting
    /// Targets a coordinator can have: one bit each in `repliedTargets` and `failedTargets`.
    public static let targetsMax = 64
    /// One target's answer, by the target's index. A struct, not a tuple: arrays of tuples are copied
    /// and destroyed through the runtime's generic tuple witnesses, which showed in the simulator's profile.
    struct Reply {
        let target: Int
        let object: MessageObject?
    }

    /// Replies in arrival order; at most one per target.
    private(set) var replies: [Reply]
    /// Bit `i` set: `targets[i]` replied, or failed. Bits, not a set of node IDs: a read asked whether
    /// a sender was still pending by walking the replies and hashing into the set, and built the set
    /// on its first failure.
    private var repliedTargets: UInt64 = 0
    private var failedTargets: UInt64 = 0
    private var merged: VersionedObject?

    /// `replicaCount` is N; nil stands for the targets' count (every replica is a target).
    public init(requestID: RequestID, key: [UInt8], targets: [ReplicaTarget], readQuorum: Int, replicaCount: Int? = nil,
                mode: ConflictMode, siblingsMax: Int, clocksDecide: Bool = true, localNode: NodeID? = nil) {
        self.init(requestID: requestID, key: key, buffers: Buffers(targets: targets), readQuorum: readQuorum,
                  replicaCount: replicaCount, mode: mode, siblingsMax: siblingsMax, clocksDecide: clocksDecide,
                  localNode: localNode)
    }

    /// A coordinator asking `buffers.targets`, whose replies go to `buffers.replies` (empty): with a
    /// finished coordinator's arrays (`takeBuffers`), the caller filled the targets there and no
    /// array is allocated.
    init(requestID: RequestID, key: [UInt8], buffers: consuming Buffers, readQuorum: Int, replicaCount: Int? = nil,
         mode: ConflictMode, siblingsMax: Int, clocksDecide: Bool = true, localNode: NodeID? = nil) {
        let targets = buffers.targets
        precondition(!targets.isEmpty, "a read needs at least one target")
        precondition(targets.count <= Self.targetsMax, "\(targets.count) targets, more than \(Self.targetsMax)")
        let replicaCount = replicaCount ?? targets.count
        precondition(targets.count <= replicaCount, "\(targets.count) targets, more than N (\(replicaCount))")
        precondition(targets.nodesAreDistinct, "targets repeat a node: \(targets)")
        precondition(buffers.replies.isEmpty, "\(buffers.replies.count) replies before the read started")
        self.requestID = requestID
        self.key = key
        self.targets = buffers.targets
        self.replies = buffers.replies
        self.readQuorum = readQuorum
        self.replicaCount = replicaCount
        self.localNode = localNode
        self.mode = mode
        self.siblingsMax = siblingsMax
        self.clocksDecide = clocksDecide && mode == .siblings
        replies.reserveCapacity(targets.count)
    }

    /// The nodes to ask, in preference order.
    public var askedNodes: [NodeID] { targets.map(\.node) }

    /// Feeds one event in and returns the actions to perform, in order.
    public mutating func receive(_ event: Event) -> [Action] {
        var actions: [Action] = []
        receive(event, into: &actions)
        return actions
    }

    /// Feeds one event in and appends the actions to perform, in order, to `actions`; leaves the
    /// actions already there unchanged. Most events ask for nothing, and the node passes one array
    /// for a whole step: no array is made per event (an array per reply, and a second one to
    /// concatenate the reply with the repairs, were most of a reply's allocations).
    /// The event is consumed: a reply's object moves into the coordinator instead of being copied.
    public mutating func receive(_ event: consuming Event, into actions: inout [Action]) {
        switch consume event {
        case .reply(let from, let object):
            receiveReply(from: from, object: object, into: &actions)
        case .replyUnchanged(let from):
            // Only a request carrying the local reply's clock is answered so; anything else is a
            // confused peer, whose answer counts as none. (Handled here, not by feeding a `.reply`
            // event back in: building and destroying that event cost ~280 instructions a reply.)
            guard let local = replies.first(where: { targets[$0.target].node == localNode }), let object = local.object,
                  clocksDecide else {
                return receiveFailure(from: from, into: &actions)
            }
            receiveReply(from: from, object: object, into: &actions)
        case .failed(let from):
            receiveFailure(from: from, into: &actions)
        case .deadline:
            switch state {
            case .collecting:
                state = .finished
                actions.append(.reply(.failure(.timeout(needed: readQuorum, acked: replies.count, asked: replicaCount))))
            case .repairing: finish(into: &actions)
            case .finished: return
            }
        case .repairWindowClosed:
            switch state {
            case .collecting: return  // the window starts only after the reply; a stale timer is harmless
            case .repairing: finish(into: &actions)
            case .finished: return
            }
        }
    }

    /// A replica's object (nil: it has none), in every state.
    private mutating func receiveReply(from: NodeID, object: consuming MessageObject?, into actions: inout [Action]) {
        switch state {
        case .collecting:
            guard record(from: from, object: object) else { return }
            guard replies.count >= readQuorum else { return }
            state = .repairing
            actions.append(.reply(.success(outcome)))
            if allAnswered { finish(into: &actions) }
        case .repairing:
            guard record(from: from, object: object) else { return }
            if allAnswered { finish(into: &actions) }
        case .finished:
            return  // late replies are normal in a sloppy quorum
        }
    }

    /// A target that could not be asked or did not answer, in every state.
    private mutating func receiveFailure(from: NodeID, into actions: inout [Action]) {
        switch state {
        case .collecting:
            guard let target = pendingTarget(from) else { return }
            failedTargets |= 1 << target
            guard targets.count - failureCount < readQuorum else { return }
            state = .finished
            actions.append(.reply(.failure(.quorumUnmet(needed: readQuorum, acked: replies.count, asked: replicaCount))))
        case .repairing:
            guard let target = pendingTarget(from) else { return }
            failedTargets |= 1 << target
            if allAnswered { finish(into: &actions) }
        case .finished:
            return
        }
    }

    /// What the client sees: the merge of the replies so far.
    public var outcome: ReadOutcome {
        ReadOutcome(object: merged, replicasAcked: replies.count, replicasAsked: replicaCount)
    }

    private var allAnswered: Bool { replies.count + failureCount == targets.count }

    private var failureCount: Int { failedTargets.nonzeroBitCount }

    /// The index of `node` among the targets while it has neither replied nor failed; nil otherwise
    /// (an unknown or repeated sender).
    private func pendingTarget(_ node: NodeID) -> Int? {
        guard let target = targets.firstIndex(where: { $0.node == node }),
              (repliedTargets | failedTargets) & (1 << target) == 0 else { return nil }
        return target
    }

    /// Folds a reply into the merge; false for an unknown or repeated sender.
    /// The reply moves into `replies` (a copy of it cost ~70 instructions a reply).
    private mutating func record(from node: NodeID, object: consuming MessageObject?) -> Bool {
        guard let target = pendingTarget(node) else { return false }
        repliedTargets |= 1 << target
        if case .some(let replied) = object { fold(replied) }
        replies.append(Reply(target: target, object: object))
        return true
    }

    /// Folds a replica's object into the merge.
    private mutating func fold(_ object: MessageObject) {
        guard merged != nil else {
            merged = object.object
            return
        }
        if clocksDecide {
            let clock = object.clock
            if merged!.clock.descends(clock) {
                assert(merged!.merging(object.object, mode: mode, siblingsMax: siblingsMax) == merged!,
                       "a reply the merge descends changed it")
                return
            }
            if clock.descends(merged!.clock) {
                let incoming = object.object
                assert(merged!.merging(incoming, mode: mode, siblingsMax: siblingsMax) == incoming,
                       "a reply descending the merge is not what merging gives")
                merged = incoming
                return
            }
        }
        _ = merged!.merge(object.object, mode: mode, siblingsMax: siblingsMax)
    }

    /// Read repair: every replier whose object is not the merged one gets it. Replicas that failed
    /// are left to hinted handoff and anti-entropy.
    private mutating func finish(into actions: inout [Action]) {
        state = .finished
        guard let merged else { return }
        for reply in replies where !isMerged(reply.object, merged) { actions.append(.repair(targets[reply.target].node, merged)) }
    }

    /// True when a replier's object is the merged one: by clock when clocks decide, else in full.
    private func isMerged(_ object: MessageObject?, _ merged: VersionedObject) -> Bool {
        guard let object else { return false }
        guard clocksDecide else { return object.object == merged }
        let equal = object.clock == merged.clock
        assert(equal == (object.object == merged), "equal clocks, different objects (or the reverse)")
        return equal
    }
}

extension GetCoordinator {
    /// A coordinator's two arrays, for the next coordinator to fill: a read allocated both and its
    /// end freed both (~500 instructions a read) when each coordinator made its own.
    struct Buffers {
        var targets: [ReplicaTarget] = []
        var replies: [Reply] = []
    }

    /// Moves this finished coordinator's arrays out, emptied with their capacity kept. Leaves the
    /// coordinator finished, with no targets and no replies: it is only to be replaced.
    mutating func takeBuffers() -> Buffers {
        precondition(state == .finished, "the buffers of a read still \(state)")
        var buffers = Buffers()
        swap(&buffers.targets, &targets)
        swap(&buffers.replies, &replies)
        // One by one from the end: `removeAll(keepingCapacity:)` goes through the generic
        // `replaceSubrange`, ~350 instructions an array, more than the allocation it saves.
        while !buffers.targets.isEmpty { buffers.targets.removeLast() }
        while !buffers.replies.isEmpty { buffers.replies.removeLast() }
        return buffers
    }
}

/// The result of a coordinated read.
public struct ReadOutcome: Equatable, Sendable {
    /// The merged object of the replies, or nil when every replier had nothing.
    public var object: VersionedObject?
    public var replicasAcked: Int
    public var replicasAsked: Int

    public init(object: VersionedObject?, replicasAcked: Int, replicasAsked: Int) {
        self.object = object
        self.replicasAcked = replicasAcked
        self.replicasAsked = replicasAsked
    }
}
