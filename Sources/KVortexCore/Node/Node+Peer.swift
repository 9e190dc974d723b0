/// Messages from peers, delivery failures and deadlines.
extension Node {
    mutating func receive(_ message: PeerMessage, from peer: NodeID, nowMs: UInt64) -> [NodeEffect] {
        switch message {
        case .getRequest(let operation, let key):
            switch localObject(key, nowMs: nowMs) {
            case .success(let object): return [.send(to: peer, .getReply(operation, object: object))]
            case .failure: counters.storageFailures += 1; return []  // the coordinator's deadline covers it
            }
        case .getReply(let operation, let object):
            return readEvent(operation, .reply(from: peer, object: object), nowMs: nowMs)
        case .putRequest(let operation, let key, let object, let hintFor):
            return storeReplica(operation, key: key, object: object, hintFor: hintFor, from: peer, nowMs: nowMs)
        case .putAck(let operation):
            return writeEvent(operation, .ack(from: peer))
        case .putRejected(let operation, _):
            return writeEvent(operation, .failed(from: peer))
        case .forwardPut(let operation, let key, let write, let options):
            return startWrite(.peer(peer, operation), key: key, write: write, options: options, nowMs: nowMs)
        case .forwardReply(let operation, let result):
            guard case .forward(let replyTo, _, _, _, _) = operations[operation] else { return [] }
            operations.take(operation)
            return reply(replyTo, result)
        case .repair(let key, let object):
            mergeLocally(key, object, nowMs: nowMs)
            return []
        case .hintDelivery(let operation, let key, let object):
            return mergeLocally(key, object, nowMs: nowMs) ? [.send(to: peer, .hintAck(operation))] : []
        case .hintAck(let operation):
            return hintAcknowledged(operation)
        case .gossip(let digests):
            let changes = membership.merge(digests, nowMs: nowMs)
            return growRing(changes) + membershipChanged(changes)
        }
    }

    /// A replica's side of a coordinated write: merge it, or keep it as a hint for an absent primary.
    mutating func storeReplica(_ operation: OperationID, key: [UInt8], object: VersionedObject, hintFor: NodeID?,
                               from peer: NodeID, nowMs: UInt64) -> [NodeEffect] {
        guard let primary = hintFor else {
            return mergeLocally(key, object, nowMs: nowMs)
                ? [.send(to: peer, .putAck(operation))]
                : [.send(to: peer, .putRejected(operation, reason: "storage failure"))]
        }
        let effects = keepHint(for: primary, key: key, object: object)
        return effects.isEmpty
            ? [.send(to: peer, .putAck(operation))]
            : effects + [.send(to: peer, .putRejected(operation, reason: "no hint kept for \(primary)"))]
    }

    mutating func undeliverable(_ message: PeerMessage, to peer: NodeID, nowMs: UInt64) -> [NodeEffect] {
        let changed = membershipChanged(membership.markUnreachable(peer))
        return changed + failedDelivery(message, to: peer, nowMs: nowMs)
    }

    private mutating func failedDelivery(_ message: PeerMessage, to peer: NodeID, nowMs: UInt64) -> [NodeEffect] {
        switch message {
        case .getRequest(let operation, _):
            return readEvent(operation, .failed(from: peer), nowMs: nowMs)
        case .putRequest(let operation, let key, let object, let hintFor):
            // The replica (or stand-in) is unreachable: keep the write as a hint for the replica it was
            // meant for, so it is handed off later rather than lost (Dynamo §4.6).
            return keepHint(for: hintFor ?? peer, key: key, object: object) + writeEvent(operation, .failed(from: peer))
        case .forwardPut(let operation, _, _, _):
            return retryForward(operation, nowMs: nowMs)
        case .hintDelivery(let operation, _, _):
            endHintDelivery(operation)  // the hint stays; the next heartbeat tries again
            return []
        case .getReply, .putAck, .putRejected, .forwardReply, .repair, .hintAck, .gossip:
            return []  // the other side's deadline, or the next round, covers these
        }
    }

    mutating func deadline(_ operation: OperationID, nowMs: UInt64) -> [NodeEffect] {
        switch operations[operation] {
        case .read:
            return readEvent(operation, .deadline, nowMs: nowMs)
        case .write:
            return writeEvent(operation, .deadline)
        case .forward:
            return retryForward(operation, nowMs: nowMs)
        case .hintDelivery:
            endHintDelivery(operation)
            return []
        case nil:
            return []
        }
    }

    private mutating func retryForward(_ operation: OperationID, nowMs: UInt64) -> [NodeEffect] {
        guard case .forward(let replyTo, let key, let write, let options, let tried) = operations[operation] else { return [] }
        operations.take(operation)
        return forward(replyTo, key: key, write: write, options: options, tried: tried, nowMs: nowMs)
    }
}
