/// Confirmed tombstone reaps (DESIGN.md "Data model": a tombstone is reaped only when all N primaries
/// hold it and a grace has passed; docs/anti-entropy.md §4). Each step appends its effects to `effects`.
///
/// Every `roundIntervalMs` (on the heartbeat) a node takes up to `candidatesPerRoundMax` objects the
/// grace made reapable and asks every other current primary of each key, in one `reapCheck` per peer
/// (or several, of `checkEntriesPerMessageMax`). Once every primary said yes the node removes the key,
/// unless it changed meanwhile, and remembers its clock (`ReapedMemory`); a primary down or silent
/// defers the reap, one that holds something else refuses it. Both are counted.
extension Node {
    /// The reap state, copied on write (its box is shared by copies of the node).
    public internal(set) var reaping: ReapState {
        get { reapingBox.value }
        _modify {
            OperationBox.makeUnique(&reapingBox)
            yield &reapingBox.value
        }
    }

    /// Starts a round of reap checks when reaps are confirmed, none is in flight and it is time.
    mutating func reapTick(nowMs: UInt64, into effects: inout [NodeEffect]) {
        let settings = self.settings.reaping
        guard settings.isConfirming, reaping.round == nil, nowMs >= reaping.nextRoundMs else { return }
        reaping.memory.expire(nowMs: nowMs)
        let candidates = storage.reapCandidates(nowMs: nowMs, graceMs: settings.graceMs, keysMax: settings.candidatesPerRoundMax)
        guard !candidates.isEmpty else {
            reaping.nextRoundMs = nowMs + settings.roundIntervalMs
            return
        }
        var round = ReapRound(candidates: candidates)
        let asks = planReapChecks(candidates, round: &round)
        for peer in asks.keys.sorted() {
            let indices = asks[peer]!
            for start in stride(from: 0, to: indices.count, by: settings.checkEntriesPerMessageMax) {
                let chunk = Array(indices[start..<min(indices.count, start + settings.checkEntriesPerMessageMax)])
                let operation = allocateOperationID()
                operations.insert(.reapCheck(peer: peer), at: operation)
                round.asked(operation, about: chunk)
                effects.append(.send(to: peer, .reapCheck(operation, entries: chunk.map { candidates[$0] })))
                effects.append(.startTimer(.deadline(operation), afterMs: settings.checkTimeoutMs))
            }
        }
        reaping.round = round
        if round.isComplete { finishReapRound(nowMs: nowMs) }
    }

    /// Which peers to ask about which candidates (by index), and what each candidate expects: one yes
    /// from every other current primary; deferred at once when one of them is not healthy, or when the
    /// ring names fewer primaries than the members this node knows allow (a node just started with
    /// seeds routes by a ring of itself alone until gossip arrives: it must not take itself for a
    /// cluster of one and reap unasked).
    private func planReapChecks(_ candidates: [ReapCandidate], round: inout ReapRound) -> [NodeID: [Int]] {
        var asks: [NodeID: [Int]] = [:]
        let primariesExpected = min(max(1, settings.replicaCount), membership.members.count)
        for (index, candidate) in candidates.enumerated() {
            if settings.plantedBugs.contains(.reapWithoutConfirmation) {
                round.expect(index, answers: 0)  // planted bug: the grace alone, as before
                continue
            }
            let primaries = replicas(of: candidate.key).primaries
            let others = primaries.filter { $0 != nodeID }
            guard primaries.count >= primariesExpected, others.allSatisfy({ membership.isHealthy($0) }) else {
                round.deferUnreachable(index)
                continue
            }
            round.expect(index, answers: others.count)
            for peer in others { asks[peer, default: []].append(index) }
        }
        return asks
    }

    /// A peer asks whether it may reap: yes per entry when this node holds the same tombstone (same
    /// digest), or remembers reaping a clock that descends the entry's. A node restarted empty holds
    /// neither and says no. Reads storage (without reaping: the engines' grace is the backstop).
    mutating func answerReapCheck(_ operation: OperationID, _ entries: [ReapCheckEntry], from peer: NodeID,
                                  nowMs: UInt64, into effects: inout [NodeEffect]) {
        var answers: [Bool] = []
        answers.reserveCapacity(entries.count)
        for entry in entries {
            answers.append(holdsReaped(entry, nowMs: nowMs))
        }
        counters.reapChecksAnswered += UInt64(entries.count)
        counters.reapChecksAnsweredYes += UInt64(answers.count(where: { $0 }))
        effects.append(.send(to: peer, .reapCheckReply(operation, answers: answers)))
    }

    private func holdsReaped(_ entry: ReapCheckEntry, nowMs: UInt64) -> Bool {
        if !reapingBox.value.memory.isEmpty,
            let remembered = reapingBox.value.memory.clock(for: StableHash.hash64(entry.key), nowMs: nowMs),
            remembered.descends(entry.clock) {
            return true
        }
        guard let stored = try? storage.get(entry.key, nowMs: nowMs) else { return false }
        return ObjectDigest(stored) == entry.digest
    }

    /// The answers of a `reapCheck` this node sent.
    /// Only from the peer it was sent to: operation IDs restart with every process, so a late reply to a
    /// previous life's check, or one from another peer, must not count as this peer's answer.
    mutating func reapCheckAnswered(_ operation: OperationID, _ answers: [Bool], from peer: NodeID, nowMs: UInt64) {
        guard operations.take(operation, if: { $0.isReapCheck(of: peer) }) != nil, reaping.round != nil else { return }
        _ = reaping.round!.answered(operation, answers)
        if reaping.round!.isComplete { finishReapRound(nowMs: nowMs) }
    }

    /// A `reapCheck` that will get no answer (its deadline passed, or it could not be delivered).
    mutating func reapCheckUnanswered(_ operation: OperationID, nowMs: UInt64) {
        guard operations.take(operation, if: { $0.isReapCheck }) != nil, reaping.round != nil else { return }
        _ = reaping.round!.unanswered(operation)
        if reaping.round!.isComplete { finishReapRound(nowMs: nowMs) }
    }

    /// Applies a complete round: removes each confirmed candidate unless it changed, remembers it, and
    /// counts the others. A full round starts the next at the next heartbeat, a short one waits.
    private mutating func finishReapRound(nowMs: UInt64) {
        guard let round = reaping.round.take() else { return }
        let settings = self.settings.reaping
        for (index, candidate) in round.candidates.enumerated() {
            switch round.outcome(index) {
            case .confirmed:
                reapConfirmed(candidate, nowMs: nowMs)
            case .refused:
                counters.reapsRefused += 1
            case .deferredUnreachable:
                counters.reapsDeferredUnreachable += 1
            case .deferredUnanswered:
                counters.reapsDeferredUnanswered += 1
            }
        }
        let full = round.candidates.count >= settings.candidatesPerRoundMax
        reaping.nextRoundMs = full ? nowMs : nowMs + settings.roundIntervalMs
    }

    private mutating func reapConfirmed(_ candidate: ReapCandidate, nowMs: UInt64) {
        let removed: VersionedObject?
        do {
            removed = try storage.removeIfUnchanged(candidate.key, digest: candidate.digest, nowMs: nowMs,
                                                    graceMs: settings.reaping.graceMs)
        } catch {
            counters.storageFailures += 1
            return
        }
        guard let removed else {
            counters.reapsChanged += 1
            return
        }
        counters.reapsConfirmed += 1
        if settings.plantedBugs.contains(.reapWithoutConfirmation) { return }  // planted bug: as before, nothing remembered
        reaping.memory.remember(StableHash.hash64(candidate.key), object: removed, nowMs: nowMs)
    }

    /// The tombstone this node remembers reaping for `key`, if any: cheap when nothing is remembered
    /// (the key is not hashed).
    func reapedObject(of key: [UInt8], nowMs: UInt64) -> VersionedObject? {
        guard !reapingBox.value.memory.isEmpty else { return nil }
        return reapingBox.value.memory.object(for: StableHash.hash64(key), nowMs: nowMs)
    }
}
