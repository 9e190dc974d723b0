/// Coordinated writes and deletes (DESIGN.md "Coordination": put/delete, "Placement": sloppy quorum).
/// Each step appends its effects to `effects`.
extension Node {
    mutating func startWrite(_ replyTo: ReplyTo, key: [UInt8], write: ClientWrite, options: QuorumOptions,
                             nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard operations.count < settings.operationsMax else {
            counters.operationsRefused += 1
            reply(replyTo, .failure(.overloaded(reason: "\(settings.operationsMax) operations in flight")), into: &effects)
            return
        }
        let (partition, primaries) = replicas(of: key)
        if primaries.contains(nodeID) {
            coordinateWrite(replyTo, key: key, write: write, options: options, partition: partition,
                            primaries: primaries, nowMs: nowMs, into: &effects)
            return
        }
        // The dot must be minted by a replica: forward to the preferred healthy primary.
        forward(replyTo, key: key, write: write, options: options, tried: [], nowMs: nowMs, into: &effects)
    }

    /// Sends the write to the next healthy primary not yet tried; with none left, stands in (sloppy)
    /// or fails (strict).
    mutating func forward(_ replyTo: ReplyTo, key: [UInt8], write: ClientWrite, options: QuorumOptions,
                          tried: [NodeID], nowMs: UInt64, into effects: inout [NodeEffect]) {
        let (partition, primaries) = replicas(of: key)
        if let next = primaries.first(where: { $0 != nodeID && membership.isHealthy($0) && !tried.contains($0) }) {
            let operation = allocateOperationID()
            // Appended, not `tried + [next]`: that built a one-element array and then a third.
            var triedNow = tried
            triedNow.reserveCapacity(tried.count + 1)
            triedNow.append(next)
            operations.insert(.forward(ForwardedWrite(replyTo: replyTo, key: key, write: write, options: options,
                                                      tried: triedNow)), at: operation)
            counters.writesForwarded += 1
            effects.append(.send(to: next, .forwardPut(operation, key: key, write: write, options: options)))
            effects.append(.startTimer(.deadline(operation), afterMs: min(options.timeoutMs, settings.peerRequestTimeoutMs)))
            return
        }
        guard options.sloppy else {
            reply(replyTo, .failure(.quorumUnmet(needed: options.writeQuorum, acked: 0, asked: primaries.count)), into: &effects)
            return
        }
        coordinateWrite(replyTo, key: key, write: write, options: options, partition: partition,
                        primaries: primaries, nowMs: nowMs, into: &effects)
    }

    /// Applies the write here, then replicates the new object to the other replicas.
    ///
    /// As a primary, this node mints the dot with its own actor in its own replica. As a stand-in (no
    /// primary reachable) it holds no replica to count from, so it mints with a one-off actor derived
    /// from its actor, this start of the node and the operation (operation IDs start again when a
    /// durable node restarts in the same epoch): such a dot can never repeat or be falsely covered, at
    /// the cost of one clock entry per stand-in write (rare: only when every primary is unreachable).
    mutating func coordinateWrite(_ replyTo: ReplyTo, key: [UInt8], write: ClientWrite, options: QuorumOptions,
                                  partition: Int, primaries: [NodeID], nowMs: UInt64, into effects: inout [NodeEffect]) {
        let operation = allocateOperationID()
        let isPrimary = primaries.contains(nodeID)
        let timestamp = clock.tick(physicalMs: nowMs)
        let request = WriteRequest(payload: write.payload, context: write.context,
                                   expiryMs: write.ttlSeconds.map { nowMs + $0 * 1000 }, contentType: write.contentType)
        let written: StoredWrite
        if isPrimary {
            guard let stored = applyLocally(key, request, timestamp: timestamp, nowMs: nowMs) else {
                reply(replyTo, .failure(.storageFailure("local write failed")), into: &effects)
                return
            }
            written = stored
        } else {
            var fresh = VersionedObject()
            let outcome = fresh.applyWrite(request, actor: oneOffActor(operation), timestamp: timestamp, mode: settings.conflictMode,
                                           siblingsMax: settings.siblingsMax)
            written = StoredWrite(object: .decoded(fresh), context: WriteContext(of: fresh), outcome: outcome)
        }
        let targets = writeTargets(partition: partition, primaries: primaries)
        for (index, primary) in primaries.enumerated() where targets.keptLocally & (1 << index) != 0 {
            keepHint(for: primary, key: key, object: written.object.object, into: &effects)
        }
        var coordinator = PutCoordinator(requestID: RequestID(operation.rawValue), key: key, context: written.context,
                                         dot: written.outcome.dot, targets: targets.remote,
                                         writeQuorum: options.writeQuorum, replicaCount: primaries.count, sloppy: options.sloppy,
                                         localIsPrimary: isPrimary)
        for target in targets.remote {
            effects.append(.send(to: target.node, .putRequest(operation, key: key, object: written.object, hintFor: target.hintFor)))
        }
        effects.append(.startTimer(.deadline(operation), afterMs: options.timeoutMs))
        // The coordinator moves into its box: kept until it replies.
        switch coordinator.startAction() {
        case .reply(let result)?:
            replyAsCoordinator(replyTo, result, into: &effects)
        case nil:
            operations.insert(.write(spareWriteBoxes.box(PendingWrite(coordinator: consume coordinator, replyTo: replyTo))),
                              at: operation)
        }
    }

    /// The other primaries that are healthy, stand-ins for those that are not, and the primaries
    /// left without a stand-in (this node keeps their hints itself), as bits of their index in
    /// `primaries`. The stand-ins are the healthy fallbacks in ring order, found by walking the ring's
    /// list: filtering it into an array, and an array of the primaries kept locally, cost two
    /// allocations per write with a primary down.
    /// Inlined: called from a `mutating` method, it was passed a copy of the whole node (a 680-byte
    /// `memcpy` per write).
    @inline(__always)
    func writeTargets(partition: Int, primaries: [NodeID]) -> (remote: [ReplicaTarget], keptLocally: UInt64) {
        precondition(primaries.count <= UInt64.bitWidth, "\(primaries.count) primaries, more than \(UInt64.bitWidth)")
        var remote: [ReplicaTarget] = []
        remote.reserveCapacity(primaries.count)
        var keptLocally: UInt64 = 0
        var next = 0  // the next fallback to consider as a stand-in
        let isPrimary = primaries.contains(nodeID)
        for (index, primary) in primaries.enumerated() where primary != nodeID {
            if !isPrimary && index == 0 {
                // A stand-in coordinator counts its own write, so it must hold it: it keeps the first
                // primary's hint itself, whatever it believes of that primary's health.
                keptLocally |= 1 << index
            } else if membership.isHealthy(primary) {
                remote.append(ReplicaTarget(node: primary))
            } else if let standIn = nextStandIn(partition: partition, from: &next) {
                remote.append(ReplicaTarget(node: standIn, hintFor: primary))
            } else {
                keptLocally |= 1 << index
            }
        }
        return (remote, keptLocally)
    }

    /// The first healthy fallback of `partition` other than this node at or after `next`, which
    /// moves past it. The ring's list is looked up only when a primary needs a stand-in.
    /// Inlined with `writeTargets`, for the same reason.
    @inline(__always)
    private func nextStandIn(partition: Int, from next: inout Int) -> NodeID? {
        let fallbacks = placement.fallbacks(ofPartition: partition)
        while next < fallbacks.count {
            let candidate = fallbacks[next]
            next += 1
            if candidate != nodeID && membership.isHealthy(candidate) { return candidate }
        }
        return nil
    }

    /// Applies the DVV write rule to this node's replica; returns what was stored (the object, the next
    /// context, the minted dot), or nil on a storage failure.
    mutating func applyLocally(_ key: [UInt8], _ request: WriteRequest, timestamp: HybridTimestamp,
                               nowMs: UInt64) -> StoredWrite? {
        let actor = self.actor
        let mode = settings.conflictMode
        let siblingsMax = settings.siblingsMax
        do {
            let written: StoredWrite
            if let reaped = reapedObject(of: key, nowMs: nowMs) {
                // A key this node reaped: the write applies to the tombstone as if it were still stored,
                // so it mints a dot past the tombstone's (counters would start again at 1, and a replica
                // still holding the tombstone would take the new dot as seen and drop the write) and
                // gives what a replica holding the tombstone would give.
                written = try storage.update(key, nowMs: nowMs) { stored in
                    if stored == nil { stored = reaped }
                    return StoredWrite.applying(request, to: &stored, actor: actor, timestamp: timestamp, mode: mode,
                                                siblingsMax: siblingsMax)
                }
            } else if settings.plantedBugs.contains(.mintFromContextOnly) {
                written = try storage.update(key, nowMs: nowMs) { stored in
                    // Planted bug: mint the dot from the context alone, as if the replica had no clock.
                    var object = stored ?? VersionedObject()
                    var fresh = VersionedObject()
                    let outcome = fresh.applyWrite(request, actor: actor, timestamp: timestamp, mode: mode, siblingsMax: siblingsMax)
                    _ = object.merge(fresh, mode: mode, siblingsMax: siblingsMax)
                    stored = object
                    return StoredWrite(object: .decoded(object), context: WriteContext(of: object), outcome: outcome)
                }
            } else {
                written = try storage.write(key, request, actor: actor, timestamp: timestamp, nowMs: nowMs, mode: mode,
                                            siblingsMax: siblingsMax)
            }
            count(written.outcome)
            return written
        } catch {
            counters.storageFailures += 1
            return nil
        }
    }

    /// Keeps `object` as a hint for `target`; false (with a log line) when the hint was dropped.
    @discardableResult
    mutating func keepHint(for target: NodeID, key: [UInt8], object: VersionedObject,
                           into effects: inout [NodeEffect]) -> Bool {
        if settings.plantedBugs.contains(.dropHints) { return true }  // planted bug: acknowledge, keep nothing
        switch hints.add(target: target, key: key, object: object, mode: settings.conflictMode, siblingsMax: settings.siblingsMax) {
        case .stored, .merged:
            counters.hintsStored += 1
            return true
        case .full:
            counters.hintsDropped += 1
            effects.append(.log("hint for \(target) dropped: its queue is full"))
            return false
        case .failed(let reason):
            counters.hintsDropped += 1
            effects.append(.log("hint for \(target) dropped: \(reason)"))
            return false
        }
    }

    /// Advances the write `operation` by `event`; like `readEvent`, in the coordinator's box.
    mutating func writeEvent(_ operation: OperationID, _ event: PutCoordinator.Event, into effects: inout [NodeEffect]) {
        guard case .write(var box)? = operations.take(operation, if: { $0.isWrite }) else { return }
        OperationBox.makeUnique(&box)
        let action = box.value.coordinator.receiveAction(event)
        switch consume action {
        case .reply(let result)?:
            replyAsCoordinator(box.value.replyTo, result, into: &effects)
            spareWriteBoxes.keep(box)
        case nil:
            operations.insert(.write(box), at: operation)
        }
    }

    /// Answers the client or forwarding peer of a write this node coordinated. The outcome names this
    /// node: a forwarded write's client learns who coordinated it.
    /// The result moves into the effect (a copy of it, and `map`'s, cost ~300 instructions a write).
    func replyAsCoordinator(_ replyTo: ReplyTo, _ result: consuming Result<WriteOutcome, KVError>,
                            into effects: inout [NodeEffect]) {
        switch consume result {
        case .success(var outcome):
            outcome.coordinator = nodeID
            reply(replyTo, .success(outcome), into: &effects)
        case .failure(let error):
            reply(replyTo, .failure(error), into: &effects)
        }
    }

    func reply(_ replyTo: ReplyTo, _ result: consuming Result<WriteOutcome, KVError>, into effects: inout [NodeEffect]) {
        switch replyTo {
        case .client(let request): effects.append(.replyWrite(request, result))
        case .peer(let node, let operation): effects.append(.send(to: node, .forwardReply(operation, result)))
        }
    }

    /// The actor of a stand-in coordinator's write `operation`: used once, so a stand-in never mints
    /// a dot a primary's actor could mint. The hash of this node's actor, its start nonce and the
    /// operation, each 8 bytes little-endian, hashed where they lie: building them as three arrays
    /// and concatenating them cost five allocations per write a stand-in coordinates.
    func oneOffActor(_ operation: OperationID) -> ActorID {
        let words = (actor.rawValue.littleEndian, startNonce.littleEndian, operation.rawValue.littleEndian)
        return ActorID(rawValue: withUnsafeBytes(of: words) { StableHash.hash64($0) })
    }
}
