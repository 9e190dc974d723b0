/// Anti-entropy exchanges of partition trees (docs/anti-entropy.md §3), up to "these segments differ"
/// (step 6; key lists, pushes and the repair budget are step 7). Each step appends its effects.
///
/// Every `exchangeTickMs` (± jitter from the node's seeded generator) a node with fewer than
/// `exchangesInitiatedMax` exchanges in flight takes the next partition of its round (those it is a
/// primary of, reshuffled each round) whose tree is ready, and sends its branches to the partition's
/// next healthy primary after itself (its successor: each pair once per round). The peer compares
/// and answers equal, the segment hashes of its differing branches, or a refusal. Deadlines and
/// undeliverable messages end an exchange as failed; everything is counted (`ExchangeCounters`).
extension Node {
    /// The node's anti-entropy state, copied on write (its box is shared by copies of the node).
    var antiEntropy: Exchanges {
        get { antiEntropyBox.value }
        _modify {
            OperationBox.makeUnique(&antiEntropyBox)
            yield &antiEntropyBox.value
        }
    }

    public var antiEntropySettings: AntiEntropySettings { antiEntropyBox.value.settings }
    public var antiEntropyCounters: ExchangeCounters { antiEntropyBox.value.counters }
    /// Exchanges in flight that this node initiated, and that it serves.
    public var exchangesInFlight: (initiated: Int, served: Int) {
        (antiEntropyBox.value.initiatedCount, antiEntropyBox.value.servedCount)
    }

    /// The first `.antiEntropy` timer, when anti-entropy is on: drawn from a generator of its own
    /// seeded by the start's nonce, since `start()` leaves the node unchanged.
    var firstAntiEntropyTimer: NodeEffect? {
        guard antiEntropyBox.value.isEnabled else { return nil }
        var random = SplitMix64(seed: startNonce ^ 0xAE00_0000_0000_0001)
        return .startTimer(.antiEntropy, afterMs: antiEntropyBox.value.settings.nextTickMs(using: &random))
    }

    // MARK: Initiator

    /// The `.antiEntropy` timer: sets the next one, then starts one exchange if a slot is free.
    mutating func antiEntropyTick(nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard antiEntropy.isEnabled else { return }
        effects.append(.startTimer(.antiEntropy, afterMs: antiEntropy.settings.nextTickMs(using: &random)))
        antiEntropy.noteRing(placement, nowMs: nowMs)
        guard !isLeaving else { return }  // a leaving node is no primary in its own ring
        guard antiEntropy.initiatedCount < antiEntropy.settings.exchangesInitiatedMax else {
            antiEntropy.counters.ticksAtInitiatedMax += 1
            return
        }
        guard let (partition, peer, tree) = nextExchange(nowMs: nowMs) else { return }
        let operation = allocateOperationID()
        operations.insert(.exchange, at: operation)
        antiEntropy.inFlight[operation] = .initiated(partition: partition, with: peer, sent: tree, nowMs: nowMs)
        antiEntropy.counters.started += 1
        effects.append(.send(to: peer, .aeBranches(operation, partition: partition, segmentCount: tree.shape.segmentCount,
                                                   branches: tree.branches)))
        effects.append(.startTimer(.deadline(operation), afterMs: antiEntropy.settings.exchangeTimeoutMs))
    }

    /// The next partition of the round to exchange, its peer and its tree; partitions passed over are
    /// counted and consumed. Considers each partition at most once per call (a new round at most once).
    private mutating func nextExchange(nowMs: UInt64) -> (partition: Int, peer: NodeID, tree: SegmentTree)? {
        var roundsStarted = 0
        while true {
            if antiEntropy.roundIndex >= antiEntropy.round.count {
                guard roundsStarted == 0 else { return nil }
                roundsStarted += 1
                startExchangeRound()
                guard !antiEntropy.round.isEmpty else { return nil }
            }
            let partition = antiEntropy.round[antiEntropy.roundIndex]
            antiEntropy.roundIndex += 1
            if let picked = exchangeCandidate(partition, nowMs: nowMs) { return picked }
        }
    }

    /// A new round: the partitions this node is a primary of, in an order drawn from its generator.
    private mutating func startExchangeRound() {
        var partitions = (0..<placement.partitioning.partitionCount).filter {
            placement.primaries(ofPartition: $0).contains(nodeID)
        }
        random.shuffle(&partitions)
        antiEntropy.round = partitions
        antiEntropy.roundIndex = 0
        antiEntropy.counters.roundsStarted += 1
    }

    /// `partition` with its successor and ready tree, or nil (counted) when it is to be passed over.
    private mutating func exchangeCandidate(_ partition: Int, nowMs: UInt64) -> (partition: Int, peer: NodeID, tree: SegmentTree)? {
        let primaries = placement.primaries(ofPartition: partition)
        guard let index = primaries.firstIndex(of: nodeID), !antiEntropy.isInitiating(partition) else { return nil }
        guard !antiEntropy.isQuiet(partition, nowMs: nowMs), !transfers.owes(partition: partition) else {
            antiEntropy.counters.skippedRingChange += 1
            return nil
        }
        guard let tree = antiEntropy.trees?.readyTree(of: partition) else {
            antiEntropy.counters.skippedTreeNotReady += 1
            return nil
        }
        // The successor p(i+1), else the next healthy primary after it; never this node.
        let successors = (1..<max(1, primaries.count)).map { primaries[(index + $0) % primaries.count] }
        guard let peer = successors.first(where: { $0 != nodeID && membership.isHealthy($0) }) else {
            antiEntropy.counters.skippedNoHealthyPeer += 1
            return nil
        }
        return (partition, peer, tree)
    }

    /// The responder's comparison of an exchange this node initiated.
    mutating func exchangeReplied(_ operation: OperationID, _ reply: ExchangeBranchesReply, from peer: NodeID,
                                  into effects: inout [NodeEffect]) {
        guard let exchange = antiEntropy.inFlight[operation], exchange.peer == peer, exchange.isInitiator else { return }
        if case .refused(.settingsMismatch) = reply { logMismatchOnce(with: peer, into: &effects) }
        exchangeEvent(operation, .branchesReply(reply), into: &effects)
    }

    // MARK: Responder

    /// A peer's `aeBranches`: refuse, or compare and answer equal or with the differing branches'
    /// segments (then wait for the key list of step 7 until the deadline). Equal trees are answered even
    /// when `exchangesServedMax` are in flight, since they cost nothing more.
    mutating func serveExchange(_ peerOperation: OperationID, partition: Int, segmentCount: Int, branches: [UInt64],
                                from peer: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        let reply: ExchangeBranchesReply
        switch exchangeTree(partition: partition, segmentCount: segmentCount, branchCount: branches.count, nowMs: nowMs) {
        case .failure(let refusal):
            reply = .refused(refusal)
        case .success(let tree):
            let compared = Exchange.compare(tree, with: branches)
            if case .segments = compared, antiEntropy.servedCount >= antiEntropy.settings.exchangesServedMax {
                reply = .refused(.busy)
            } else {
                reply = compared
            }
        }
        switch reply {
        case .refused(let refusal):
            antiEntropy.counters.countRefusalGiven(refusal)
            if refusal == .settingsMismatch { logMismatchOnce(with: peer, into: &effects) }
        case .equal:
            antiEntropy.counters.servedEqual += 1
        case .segments:
            let operation = allocateOperationID()
            operations.insert(.exchange, at: operation)
            antiEntropy.inFlight[operation] = .served(partition: partition, for: peer, peerOperation: peerOperation, nowMs: nowMs)
            antiEntropy.counters.servedDiffering += 1
            effects.append(.startTimer(.deadline(operation), afterMs: antiEntropy.settings.exchangeTimeoutMs))
        }
        effects.append(.send(to: peer, .aeBranchesReply(peerOperation, reply)))
    }

    /// This node's ready tree of `partition` to compare with a peer's, or why it cannot serve.
    private mutating func exchangeTree(partition: Int, segmentCount: Int, branchCount: Int,
                                       nowMs: UInt64) -> Result<SegmentTree, ExchangeRefusal> {
        guard antiEntropy.isEnabled, let trees = antiEntropy.trees else { return .failure(.disabled) }
        guard trees.shape.partitionCount == placement.partitioning.partitionCount, partition < trees.shape.partitionCount,
              segmentCount == trees.shape.segmentCount, branchCount == trees.shape.branchCount else {
            return .failure(.settingsMismatch)
        }
        antiEntropy.noteRing(placement, nowMs: nowMs)
        guard !isLeaving, placement.primaries(ofPartition: partition).contains(nodeID),
              !antiEntropy.isQuiet(partition, nowMs: nowMs), !transfers.owes(partition: partition) else {
            return .failure(.notPrimary)
        }
        guard let tree = trees.readyTree(of: partition) else { return .failure(.treeNotReady) }
        return .success(tree)
    }

    // MARK: Both sides

    /// Feeds `event` to exchange `operation`; when it ends, removes and counts it.
    mutating func exchangeEvent(_ operation: OperationID, _ event: Exchange.Event, into effects: inout [NodeEffect]) {
        guard antiEntropy.inFlight[operation] != nil else { return }
        let segmentsMax = antiEntropy.settings.segmentsPerExchangeMax
        guard let outcome = antiEntropy.inFlight[operation]!.receive(event, segmentsMax: segmentsMax) else { return }
        let exchange = antiEntropy.inFlight.removeValue(forKey: operation)!
        _ = operations.take(operation)
        countExchange(exchange, outcome, into: &effects)
    }

    /// An `aeBranchesReply` this node sent could not be delivered: the served exchange it opened, if
    /// any, fails.
    mutating func exchangeReplyUndeliverable(_ peerOperation: OperationID, to peer: NodeID, into effects: inout [NodeEffect]) {
        guard let operation = antiEntropy.servedOperation(for: peer, peerOperation: peerOperation) else { return }
        exchangeEvent(operation, .undeliverable, into: &effects)
    }

    private mutating func countExchange(_ exchange: Exchange, _ outcome: Exchange.Outcome, into effects: inout [NodeEffect]) {
        if exchange.isServed {
            switch outcome {
            case .failed(.undeliverable): antiEntropy.counters.servedUndeliverable += 1
            case .failed(.deadline), .failed(.malformedReply), .equal, .differing, .refused: antiEntropy.counters.servedExpired += 1
            }
            return
        }
        switch outcome {
        case .equal:
            antiEntropy.counters.equal += 1
        case .differing(let segments, let capped):
            antiEntropy.counters.differing += 1
            antiEntropy.counters.segmentsFound += UInt64(segments.count)
            if capped { antiEntropy.counters.segmentsCapped += 1 }
            effects.append(.log("anti-entropy: partition \(exchange.partition) with \(exchange.peer): "
                + "\(Counted(segments.count, "segment")) differ\(segments.count == 1 ? "s" : "")\(capped ? " (capped)" : "")"))
        case .refused(let reason):
            antiEntropy.counters.countRefusalReceived(reason)
        case .failed(.deadline):
            antiEntropy.counters.failedDeadline += 1
        case .failed(.undeliverable):
            antiEntropy.counters.failedUndeliverable += 1
        case .failed(.malformedReply):
            antiEntropy.counters.failedMalformedReply += 1
        }
    }

    private mutating func logMismatchOnce(with peer: NodeID, into effects: inout [NodeEffect]) {
        guard antiEntropy.mismatchLogged.insert(peer).inserted else { return }
        effects.append(.log("anti-entropy: \(peer)'s trees have another shape than ours "
            + "(\(antiEntropy.trees.map { "\($0.shape.segmentCount) segments, \($0.shape.partitionCount) partitions" } ?? "off here")); "
            + "no exchange with it"))
    }
}
