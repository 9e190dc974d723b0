/// One anti-entropy exchange of a partition's tree with a peer, on either side (docs/anti-entropy.md
/// §3, "Flow"), as an explicit state machine: `receive(_:)` takes an event and returns the outcome
/// when the event ends the exchange.
///
/// Step 6 of the plan stops at "these segments differ": the initiator ends with the differing
/// segments; a responder that answered with segment hashes waits for the key list of step 7
/// (`awaitingKeys`), which no initiator sends yet, so it ends at its deadline.
struct Exchange: Sendable {
    enum State: Equatable, Sendable {
        /// Initiator: `aeBranches` sent with the branches of `sent`; waiting for the comparison.
        case awaitingBranchesReply(sent: SegmentTree)
        /// Responder: the differing branches' segments sent in answer to the peer's `peerOperation`;
        /// waiting for its key list (step 7).
        case awaitingKeys(peerOperation: OperationID)
        case ended(Outcome)
    }

    enum Outcome: Equatable, Sendable {
        case equal
        /// The segments that differ, ascending, at most `segmentsPerExchangeMax`; `capped` when more
        /// differed in the branches compared.
        case differing(segments: [Int], capped: Bool)
        case refused(ExchangeRefusal)
        case failed(Failure)
    }

    enum Failure: Equatable, Sendable {
        /// The phase's deadline (`exchangeTimeoutMs`) passed.
        case deadline
        /// A message of the exchange could not be delivered.
        case undeliverable
        /// The responder's segments do not fit the tree (another shape, or no differing segment in
        /// a branch it said differs): a confused peer.
        case malformedReply
    }

    enum Event: Sendable {
        case branchesReply(ExchangeBranchesReply)
        case deadline
        case undeliverable
    }

    enum Role: Equatable, Sendable {
        case initiator, responder
    }

    let role: Role
    let partition: Int
    let peer: NodeID
    let startedMs: UInt64
    private(set) var state: State

    /// The initiator's side, once it sent `sent`'s branches.
    static func initiated(partition: Int, with peer: NodeID, sent: SegmentTree, nowMs: UInt64) -> Exchange {
        Exchange(role: .initiator, partition: partition, peer: peer, startedMs: nowMs, state: .awaitingBranchesReply(sent: sent))
    }

    /// The responder's side, once it answered `peerOperation` with differing branches.
    static func served(partition: Int, for peer: NodeID, peerOperation: OperationID, nowMs: UInt64) -> Exchange {
        Exchange(role: .responder, partition: partition, peer: peer, startedMs: nowMs, state: .awaitingKeys(peerOperation: peerOperation))
    }

    var isInitiator: Bool { role == .initiator }
    var isServed: Bool { role == .responder }

    /// Feeds one event in; returns the outcome when it ends the exchange (the state is then `ended`),
    /// nil when the exchange goes on or the event does not concern it (left unchanged).
    mutating func receive(_ event: Event, segmentsMax: Int) -> Outcome? {
        switch (state, event) {
        case (.awaitingBranchesReply, .branchesReply(.equal)):
            return end(.equal)
        case (.awaitingBranchesReply(let sent), .branchesReply(.segments(let branches))):
            return end(Self.differingSegments(sent, branches, segmentsMax: segmentsMax))
        case (.awaitingBranchesReply, .branchesReply(.refused(let reason))):
            return end(.refused(reason))
        case (.awaitingBranchesReply, .deadline), (.awaitingKeys, .deadline):
            return end(.failed(.deadline))
        case (.awaitingBranchesReply, .undeliverable), (.awaitingKeys, .undeliverable):
            return end(.failed(.undeliverable))
        case (.awaitingKeys, .branchesReply):
            return nil  // a reply to an exchange this node serves: a confused peer; ignored
        case (.ended, .branchesReply), (.ended, .deadline), (.ended, .undeliverable):
            return nil  // late: the exchange ended already
        }
    }

    private mutating func end(_ outcome: Outcome) -> Outcome {
        state = .ended(outcome)
        return outcome
    }

    /// The segments of the branches the responder sent that differ from `sent`'s, ascending, at most
    /// `segmentsMax`. Malformed when a branch is out of the tree's shape or differs in no segment.
    static func differingSegments(_ sent: SegmentTree, _ branches: [ExchangeBranchSegments], segmentsMax: Int) -> Outcome {
        var segments: [Int] = []
        for branch in branches {
            guard branch.branch < sent.shape.branchCount, branch.hashes.count == sent.shape.branchCount else {
                return .failed(.malformedReply)
            }
            let differing = sent.segmentsDiffering(inBranch: branch.branch, from: branch.hashes)
            guard !differing.isEmpty else { return .failed(.malformedReply) }
            segments += differing
        }
        guard !segments.isEmpty else { return .failed(.malformedReply) }
        let capped = segments.count > segmentsMax
        return .differing(segments: Array(segments.prefix(segmentsMax)), capped: capped)
    }

    /// The responder's comparison of its ready `tree` with the initiator's `branches` (same shape):
    /// equal, or the segment hashes of the differing branches, ascending, as many whole branches as
    /// fit `Limits.exchangeReplySegmentsMax` (the others wait for a later exchange). Leaves the tree
    /// unchanged.
    static func compare(_ tree: SegmentTree, with branches: [UInt64]) -> ExchangeBranchesReply {
        let differing = tree.branchesDiffering(from: branches)
        guard !differing.isEmpty else { return .equal }
        let branchesMax = Limits.exchangeReplySegmentsMax / tree.shape.branchCount
        return .segments(differing.prefix(branchesMax).map { branch in
            ExchangeBranchSegments(branch: branch, hashes: Array(tree.segments[tree.shape.segments(ofBranch: branch)]))
        })
    }
}
