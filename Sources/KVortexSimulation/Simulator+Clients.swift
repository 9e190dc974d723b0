import KVortexCore

/// The client workers: each runs one operation at a time, then thinks, then the next.
extension Simulator {
    enum Pending {
        case read(client: Int, operation: Int)
        /// The read half of a read-modify-write or a delete; the write follows with its context.
        case readBeforeWrite(client: Int, operation: Int)
        case write(client: Int, operation: Int)
        case readPass
    }

    /// The consistency of the next operation: the scenario's, or one drawn by weight from its mix.
    func drawOptions() -> QuorumOptions {
        guard !scenario.consistency.isEmpty else {
            return QuorumOptions(readQuorum: scenario.readQuorum, writeQuorum: scenario.writeQuorum, sloppy: scenario.sloppy,
                                 timeoutMs: scenario.timeoutMs)
        }
        var draw = random.int(in: 0..<scenario.consistency.reduce(0) { $0 + $1.weight })
        for level in scenario.consistency {
            if draw < level.weight {
                return QuorumOptions(readQuorum: level.readQuorum, writeQuorum: level.writeQuorum, sloppy: level.sloppy,
                                     timeoutMs: scenario.timeoutMs)
            }
            draw -= level.weight
        }
        preconditionFailure("weighted draw beyond the total")
    }

    /// From the first fault to the last, and while a node is leaving (until it has stopped).
    var inFaultWindow: Bool {
        (faultWindowMs?.contains(nowMs) ?? false) || leavingCount > 0
    }

    func clientStep(_ client: Int) {
        guard clientsActive else { return }
        let mix = scenario.mix
        let total = mix.blindWrite + mix.readModifyWrite + mix.delete + mix.read
        let draw = random.int(in: 0..<max(1, total))
        let kind: History.Kind =
            draw < mix.blindWrite ? .blindWrite
            : draw < mix.blindWrite + mix.readModifyWrite ? .readModifyWrite
            : draw < mix.blindWrite + mix.readModifyWrite + mix.delete ? .delete : .read
        let keyIndex = random.int(in: 0..<scenario.keys)
        let key = keyNames[keyIndex]
        let node = drawClientNode()
        let options = drawOptions()
        let value = kind == .blindWrite || kind == .readModifyWrite
            ? History.uniqueValue(client: client, operationIndex: history.operations.count) : []
        // Built in the call, not in a variable: a variable's operation was copied into the history
        // (`consume` of it crashes this compiler).
        let index = history.begin(History.Operation(kind: kind, key: key, keyIndex: keyIndex, node: node, startMs: nowMs,
                                                    value: value, duringFault: inFaultWindow, options: options))
        guard nodes[node].isUp, nodes[node].departure.servesClients else {
            refuse(client, index)  // the node the client talks to is down, or stopping
            return
        }
        nodes[node].clientOperationsInFlight += 1
        let request = makeRequest()
        switch kind {
        case .read:
            pending[request] = .read(client: client, operation: index)
            feed(node, .get(request, key: key, options))
        case .blindWrite:
            pending[request] = .write(client: client, operation: index)
            feed(node, .put(request, key: key, ClientWrite(payload: .value(value)), options))
        case .readModifyWrite, .delete:
            pending[request] = .readBeforeWrite(client: client, operation: index)
            feed(node, .get(request, key: key, options))
        }
    }

    func makeRequest() -> RequestID {
        defer { nextRequest += 1 }
        return RequestID(nextRequest)
    }

    func completeRead(_ request: RequestID, _ result: Result<ReadOutcome, KVError>) {
        guard let waiting = pending.removeValue(forKey: request) else { return }
        switch waiting {
        case .read(let client, let index):
            guard case .success(let outcome) = result else { return finish(client, index, succeeded: false) }
            let values = outcome.object.map { Self.liveValues(of: $0, atMs: localNow(history.operations[index].node)) } ?? []
            history.finish(index, atMs: nowMs) {
                $0.siblingsSeen = values.count
                $0.valuesSeen = values
                $0.succeeded = true
            }
            metrics.siblingsSeen.append(values.count)
            scheduleNext(client, index)
        case .readBeforeWrite(let client, let index):
            guard case .success(let outcome) = result else { return finish(client, index, succeeded: false) }
            let context = outcome.object.map(WriteContext.init(of:)) ?? WriteContext()
            history.update(index) { $0.context = context.clock }
            // Field by field: a copy of the whole operation retained and released each of its arrays.
            let node = history.operations[index].node
            guard nodes[node].isUp, nodes[node].departure.servesClients else { return finish(client, index, succeeded: false) }
            let payload: Sibling.Payload = history.operations[index].kind == .delete ? .tombstone : .value(history.operations[index].value)
            let write = ClientWrite(payload: payload, context: context)
            let next = makeRequest()
            pending[next] = .write(client: client, operation: index)
            feed(node, .put(next, key: history.operations[index].key, write, history.operations[index].options))
        case .write, .readPass:
            return
        }
    }

    /// The values of the siblings a read at `nowMs` returns (`VersionedObject.liveSiblings`), in one
    /// array: the live siblings' array and the map of it to their values were two per read.
    private static func liveValues(of object: VersionedObject, atMs nowMs: UInt64) -> [[UInt8]] {
        var values: [[UInt8]] = []
        for index in object.siblings.indices where object.siblings[index].isLive(atMs: nowMs) {
            if values.isEmpty { values.reserveCapacity(object.siblings.count - index) }
            if case .value(let bytes) = object.siblings[index].payload { values.append(bytes) }
        }
        return values
    }

    func completeWrite(_ request: RequestID, _ result: Result<WriteOutcome, KVError>) {
        guard case .write(let client, let index) = pending.removeValue(forKey: request) else { return }
        switch result {
        case .success(let outcome):
            history.finish(index, atMs: nowMs) { $0.dot = outcome.dot; $0.succeeded = true }
            scheduleNext(client, index)
        case .failure:
            finish(client, index, succeeded: false)
        }
    }

    /// Ends an operation a node took (answered, or failed), and schedules the client's next.
    func finish(_ client: Int, _ index: Int, succeeded: Bool) {
        history.finish(index, atMs: nowMs) { $0.succeeded = succeeded }
        scheduleNext(client, index)
    }

    private func scheduleNext(_ client: Int, _ index: Int) {
        nodes[history.operations[index].node].clientOperationsInFlight -= 1
        thinkThenNext(client, index)
    }

    /// Ends an operation no node took: its node was down or stopping.
    private func refuse(_ client: Int, _ index: Int) {
        history.finish(index, atMs: nowMs) { $0.succeeded = false }
        thinkThenNext(client, index)
    }

    private func thinkThenNext(_ client: Int, _ index: Int) {
        metrics.record(history.outcome(index))
        queue.schedule(at: nowMs + scenario.thinkMs, .client(client))
    }

    /// Fails every client operation node `index` still has (it stopped after its leave), in request
    /// order, as the real driver fails its orphaned waiters.
    func failClientOperations(of index: Int) {
        let orphans = pending.removeAll { waiting in
            switch waiting {
            case .read(_, let operation), .readBeforeWrite(_, let operation), .write(_, let operation):
                history.operations[operation].node == index
            case .readPass:
                false
            }
        }
        for orphan in orphans {
            switch orphan {
            case .read(let client, let operation), .readBeforeWrite(let client, let operation), .write(let client, let operation):
                finish(client, operation, succeeded: false)
            case .readPass:
                continue
            }
        }
    }
}
