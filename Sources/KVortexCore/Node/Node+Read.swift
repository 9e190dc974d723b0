/// Coordinated reads (DESIGN.md "Coordination": get). Each step appends its effects to `effects`.
extension Node {
    mutating func startRead(_ request: RequestID, key: [UInt8], options: QuorumOptions, nowMs: UInt64,
                            into effects: inout [NodeEffect]) {
        guard operations.count < settings.operationsMax else {
            counters.operationsRefused += 1
            effects.append(.replyRead(request, .failure(.overloaded(reason: "\(settings.operationsMax) operations in flight"))))
            return
        }
        let (partition, primaries) = replicas(of: key)
        // A finished read's box and arrays are refilled: the targets go into its arrays.
        let spare = spareReadBoxes.takeUnique()
        var buffers = spare?.value.takeBuffers() ?? GetCoordinator.Buffers()
        readTargets(partition: partition, primaries: primaries, sloppy: options.sloppy, into: &buffers.targets)
        guard buffers.targets.count >= options.readQuorum else {
            // Fewer replicas are reachable than R: refused without asking them. The counts are those
            // the coordinator would end with: every reachable replica (this node's own included)
            // answered, of the N asked; a write in the same state reports the same (`PutCoordinator`).
            let reachable = buffers.targets.count
            if let spare { spareReadBoxes.keep(spare) }
            effects.append(.replyRead(request, .failure(.quorumUnmet(needed: options.readQuorum, acked: reachable,
                                                                     asked: primaries.count))))
            return
        }
        let operation = allocateOperationID()
        let readQuorum = settings.plantedBugs.contains(.readQuorumOfOne) ? 1 : options.readQuorum  // planted bug
        var coordinator = GetCoordinator(requestID: request, key: key, buffers: buffers, readQuorum: readQuorum,
                                         replicaCount: primaries.count, mode: settings.conflictMode, siblingsMax: settings.siblingsMax,
                                         clocksDecide: settings.plantedBugs.isEmpty, localNode: nodeID)
        let targets = coordinator.targets
        effects.append(.startTimer(.deadline(operation), afterMs: options.timeoutMs))
        // This node's replica is read first, so the requests can carry its clock: a replica holding
        // the same object answers without sending it (most reads, in a healthy cluster).
        let local = targets.contains { $0.node == nodeID } ? localObject(key, nowMs: nowMs) : nil
        var unlessClock: VersionVector?
        if coordinator.clocksDecide, case .success(let object?)? = local { unlessClock = object.clock }
        var actions = borrowReadActions()
        for target in targets {
            if target.node == nodeID {
                switch local! {
                case .success(let object):
                    coordinator.receive(.reply(from: nodeID, object: object.map(MessageObject.decoded)), into: &actions)
                case .failure:
                    coordinator.receive(.failed(from: nodeID), into: &actions)
                }
            } else {
                effects.append(.send(to: target.node, .getRequest(operation, key: key, unlessClock: unlessClock)))
            }
        }
        let state = coordinator.state
        if state != .finished {
            let box: OperationBox<GetCoordinator>
            if let spare {
                spare.value = consume coordinator
                box = spare
            } else {
                box = OperationBox(consume coordinator)
            }
            operations.insert(.read(box), at: operation)
        } else if let spare {
            spareReadBoxes.keep(spare)
        }
        perform(&actions, of: operation, requestID: request, key: key, state: state, nowMs: nowMs, into: &effects)
        giveBack(&actions)
    }

    /// `spareReadActions`, moved out (the field is left empty, so appending does not copy it).
    private mutating func borrowReadActions() -> [GetCoordinator.Action] {
        var actions: [GetCoordinator.Action] = []
        swap(&actions, &spareReadActions)
        return actions
    }

    /// Keeps `actions`, emptied by `perform` (its capacity kept), as `spareReadActions`.
    private mutating func giveBack(_ actions: inout [GetCoordinator.Action]) {
        assert(actions.isEmpty, "\(actions.count) read actions not performed")
        swap(&actions, &spareReadActions)
    }

    /// Appends to `targets` the healthy primaries; under a sloppy quorum, healthy stand-ins take the
    /// place of the others. Leaves the targets already there unchanged.
    /// Inlined: called from a `mutating` method, it was passed a copy of the whole node (a 680-byte
    /// `memcpy` per read).
    @inline(__always)
    func readTargets(partition: Int, primaries: [NodeID], sloppy: Bool, into targets: inout [ReplicaTarget]) {
        let first = targets.count
        targets.reserveCapacity(first + primaries.count)
        for primary in primaries where membership.isHealthy(primary) { targets.append(ReplicaTarget(node: primary)) }
        guard sloppy, targets.count - first < primaries.count else { return }
        // The healthy fallbacks in ring order, one per unhealthy primary, found by walking the ring's
        // list: filtering it into a new array first cost an allocation per sloppy read.
        let fallbacks = placement.fallbacks(ofPartition: partition)
        var next = 0
        for primary in primaries where !membership.isHealthy(primary) {
            while next < fallbacks.count && !membership.isHealthy(fallbacks[next]) { next += 1 }
            guard next < fallbacks.count else { break }
            targets.append(ReplicaTarget(node: fallbacks[next], hintFor: primary))
            next += 1
        }
    }

    /// This node's replica of `key`, or a storage failure.
    func localObject(_ key: [UInt8], nowMs: UInt64) -> Result<VersionedObject?, StorageError> {
        do {
            return .success(try storage.get(key, nowMs: nowMs))
        } catch {
            return .failure(error)
        }
    }

    /// Advances the read `operation` by `event`. The coordinator changes in its box, which is taken
    /// out of the table (so nothing else references it: no copy-on-write) and put back unless it
    /// finished; a finished read's box is kept for the next read (`spareReadBoxes`). An operation of
    /// another kind (a confused peer's reply) is left where it is.
    mutating func readEvent(_ operation: OperationID, _ event: consuming GetCoordinator.Event, nowMs: UInt64,
                            into effects: inout [NodeEffect]) {
        guard case .read(var box)? = operations.take(operation, if: { $0.isRead }) else { return }
        OperationBox.makeUnique(&box)
        var actions = borrowReadActions()
        box.value.receive(consume event, into: &actions)
        let state = box.value.state
        if state != .finished {
            operations.insert(.read(box), at: operation)
            perform(&actions, of: operation, requestID: box.value.requestID, key: box.value.key, state: state,
                    nowMs: nowMs, into: &effects)
        } else {
            let (requestID, key) = (box.value.requestID, box.value.key)
            spareReadBoxes.keep(box)
            perform(&actions, of: operation, requestID: requestID, key: key, state: state, nowMs: nowMs, into: &effects)
        }
        giveBack(&actions)
    }

    /// Turns the actions of the read `operation` into effects (read repair of this node's own replica
    /// happens here); `state` is its coordinator's state after them. Does not touch the table.
    mutating func perform(_ actions: inout [GetCoordinator.Action], of operation: OperationID, requestID: RequestID,
                          key: [UInt8], state: GetCoordinator.State, nowMs: UInt64, into effects: inout [NodeEffect]) {
        // Moved out in order, leaving the array empty with its capacity: reversed in place, then taken
        // from the end (a copy of each action, and its destruction with the array, cost ~150
        // instructions a read).
        var (low, high) = (0, actions.count - 1)
        while low < high {  // not `reverse()`: the generic one was ~200 instructions
            actions.swapAt(low, high)
            (low, high) = (low + 1, high - 1)
        }
        while !actions.isEmpty {
            switch actions.removeLast() {
            case .reply(let result):
                effects.append(.replyRead(requestID, result))
                if state == .repairing {
                    effects.append(.startTimer(.repairWindow(operation), afterMs: settings.repairWindowMs))
                }
            case .repair(let node, let object):
                if settings.plantedBugs.contains(.skipReadRepair) { continue }  // planted bug
                counters.readRepairsSent += 1
                if node == nodeID {
                    mergeLocally(key, .decoded(object), nowMs: nowMs)
                } else {
                    effects.append(.send(to: node, .repair(key: key, object: .decoded(object))))
                }
            }
        }
    }

    mutating func repairWindowClosed(_ operation: OperationID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        readEvent(operation, .repairWindowClosed, nowMs: nowMs, into: &effects)
    }

    /// Merges another replica's object into this node's; returns false on a storage failure. An
    /// object still encoded (off the wire) goes to the engine as it is: a superseding one is stored
    /// without being decoded.
    @discardableResult
    mutating func mergeLocally(_ key: [UInt8], _ incoming: MessageObject, nowMs: UInt64) -> Bool {
        let mode = settings.conflictMode
        let siblingsMax = settings.siblingsMax
        var incoming = incoming
        if let reaped = reapedObject(of: key, nowMs: nowMs) {
            guard let rest = mergingReaped(reaped, incoming.object) else { return true }
            incoming = .decoded(rest)
        }
        do {
            let outcome: ApplyOutcome
            if !settings.plantedBugs.isEmpty {
                // Planted bugs make objects no correct history reaches, where superseding is not merging.
                let object = incoming.object
                outcome = try storage.update(key, nowMs: nowMs) {
                    VersionedObject.merge(object, into: &$0, mode: mode, siblingsMax: siblingsMax)
                }
            } else {
                switch incoming {
                case .decoded(let object):
                    outcome = try storage.merge(key, incoming: object, nowMs: nowMs, mode: mode, siblingsMax: siblingsMax)
                case .encoded(let encoded):
                    outcome = try storage.merge(key, encoded: encoded, nowMs: nowMs, mode: mode, siblingsMax: siblingsMax)
                }
            }
            count(outcome)
            if isLeaving { handOffAgain(key) }
            return true
        } catch {
            counters.storageFailures += 1
            return false
        }
    }

    /// What to merge into storage for `incoming` when this node reaped the tombstone `reaped` of its
    /// key: nil (dropped, counted) when the tombstone's clock descends `incoming`'s, since it holds
    /// nothing the delete had not seen; otherwise the tombstone merged with `incoming`, which drops
    /// the siblings the delete superseded and keeps the rest, exactly as a replica still holding the
    /// tombstone would. So reaping stays invisible to merges, and equal clocks still mean equal objects.
    mutating func mergingReaped(_ reaped: VersionedObject, _ incoming: VersionedObject) -> VersionedObject? {
        if reaped.clock.descends(incoming.clock) {
            counters.staleObjectsDropped += 1
            return nil
        }
        return reaped.merging(incoming, mode: settings.conflictMode, siblingsMax: settings.siblingsMax)
    }

    mutating func count(_ outcome: ApplyOutcome) {
        counters.siblingsCapped += UInt64(outcome.siblingsCapped)
        counters.lwwOverwrites += UInt64(outcome.siblingsOverwrittenByLWW)
    }
}
