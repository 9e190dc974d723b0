/// Messages from peers, delivery failures and deadlines. Each appends its effects to `effects`.
extension Node {
    /// `handle(.peer(from: peer, message), nowMs:into:)` without wrapping the message in an input.
    /// The simulator calls it for every message it delivers: destroying the wrapping input went
    /// through the runtime's generic tuple witnesses (2 % of the simulator's instructions). It takes
    /// the message: its parts move into what keeps them instead of being copied and released.
    public mutating func receive(_ message: consuming PeerMessage, from peer: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        switch consume message {
        case .getRequest(let operation, let key, let unlessClock):
            do {
                switch try storage.getForPeer(key, nowMs: nowMs, unlessClock: unlessClock) {
                case .unchanged: effects.append(.send(to: peer, .getReplyUnchanged(operation)))
                case .object(let object): effects.append(.send(to: peer, .getReply(operation, object: object)))
                }
            } catch {
                counters.storageFailures += 1  // the coordinator's deadline covers it
            }
        case .getReply(let operation, let object):
            readEvent(operation, .reply(from: peer, object: object), nowMs: nowMs, into: &effects)
        case .getReplyUnchanged(let operation):
            readEvent(operation, .replyUnchanged(from: peer), nowMs: nowMs, into: &effects)
        case .putRequest(let operation, let key, let object, let hintFor):
            storeReplica(operation, key: key, object: object, hintFor: hintFor, from: peer, nowMs: nowMs, into: &effects)
        case .putAck(let operation):
            writeEvent(operation, .ack(from: peer), into: &effects)
        case .putRejected(let operation, _):
            writeEvent(operation, .failed(from: peer), into: &effects)
        case .forwardPut(let operation, let key, let write, let options):
            startWrite(.peer(peer, operation), key: key, write: write, options: options, nowMs: nowMs, into: &effects)
        case .forwardReply(let operation, let result):
            guard let forwarded = takeForward(operation) else { return }
            reply(forwarded.replyTo, result, into: &effects)
        case .repair(let key, let object):
            mergeLocally(key, object, nowMs: nowMs)
        case .hintDelivery(let operation, let key, let object):
            if mergeLocally(key, object, nowMs: nowMs) { effects.append(.send(to: peer, .hintAck(operation))) }
        case .hintAck(let operation):
            if isTransfer(operation) {
                transferAcknowledged(operation, nowMs: nowMs, into: &effects)
            } else {
                hintAcknowledged(operation, nowMs: nowMs, into: &effects)
            }
        case .gossip(let digests):
            let changes = membership.merge(digests, nowMs: nowMs)
            growRing(changes, into: &effects)
            membershipChanged(changes, into: &effects)
        case .reapCheck(let operation, let entries):
            answerReapCheck(operation, entries, from: peer, nowMs: nowMs, into: &effects)
        case .reapCheckReply(let operation, let answers):
            reapCheckAnswered(operation, answers, from: peer, nowMs: nowMs)
        case .aeBranches(let operation, let partition, let segmentCount, let branches):
            serveExchange(operation, partition: partition, segmentCount: segmentCount, branches: branches, from: peer,
                          nowMs: nowMs, into: &effects)
        case .aeBranchesReply(let operation, let reply):
            exchangeReplied(operation, reply, from: peer, into: &effects)
        case .aeKeys, .aeWanted, .aePush, .aePushAck:
            break  // step 7 (docs/anti-entropy.md §7): no node sends them yet
        }
    }

    /// A replica's side of a coordinated write: merge it, or keep it as a hint for an absent primary.
    mutating func storeReplica(_ operation: OperationID, key: [UInt8], object: MessageObject, hintFor: NodeID?,
                               from peer: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard let primary = hintFor else {
            effects.append(mergeLocally(key, object, nowMs: nowMs)
                ? .send(to: peer, .putAck(operation))
                : .send(to: peer, .putRejected(operation, reason: "storage failure")))
            return
        }
        let kept = keepHint(for: primary, key: key, object: object.object, into: &effects)
        effects.append(kept
            ? .send(to: peer, .putAck(operation))
            : .send(to: peer, .putRejected(operation, reason: "no hint kept for \(primary)")))
    }

    mutating func undeliverable(_ message: PeerMessage, to peer: NodeID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        // The change first, then the call: changing `membership` in the call's argument made the
        // compiler copy the whole node (with a retain of each reference) for the call.
        let change = membership.markUnreachable(peer)
        membershipChanged(change, into: &effects)
        failedDelivery(message, to: peer, nowMs: nowMs, into: &effects)
    }

    private mutating func failedDelivery(_ message: PeerMessage, to peer: NodeID, nowMs: UInt64,
                                         into effects: inout [NodeEffect]) {
        switch message {
        case .getRequest(let operation, _, _):
            readEvent(operation, .failed(from: peer), nowMs: nowMs, into: &effects)
        case .putRequest(let operation, let key, let object, let hintFor):
            // The replica (or stand-in) is unreachable: keep the write as a hint for the replica it was
            // meant for, so it is handed off later rather than lost (Dynamo §4.6).
            keepHint(for: hintFor ?? peer, key: key, object: object.object, into: &effects)
            writeEvent(operation, .failed(from: peer), into: &effects)
        case .forwardPut(let operation, _, _, _):
            retryForward(operation, nowMs: nowMs, into: &effects)
        case .hintDelivery(let operation, _, _):
            if isTransfer(operation) {
                transferFailed(operation)  // its partition is sent again when the target is healthy
            } else {
                endHintDelivery(operation)  // the hint stays; the next heartbeat tries again
            }
        case .reapCheck(let operation, _):
            reapCheckUnanswered(operation, nowMs: nowMs)
        case .aeBranches(let operation, _, _, _):
            exchangeEvent(operation, .undeliverable, into: &effects)
        case .aeBranchesReply(let peerOperation, _):
            exchangeReplyUndeliverable(peerOperation, to: peer, into: &effects)
        case .getReply, .getReplyUnchanged, .putAck, .putRejected, .forwardReply, .repair, .hintAck, .gossip,
             .reapCheckReply, .aeKeys, .aeWanted, .aePush, .aePushAck:
            break  // the other side's deadline, or the next round, covers these
        }
    }

    mutating func deadline(_ operation: OperationID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        switch operations[operation] {
        case .read:
            readEvent(operation, .deadline, nowMs: nowMs, into: &effects)
        case .write:
            writeEvent(operation, .deadline, into: &effects)
        case .forward:
            retryForward(operation, nowMs: nowMs, into: &effects)
        case .hintDelivery:
            endHintDelivery(operation)
        case .transfer:
            transferFailed(operation)
        case .reapCheck:
            reapCheckUnanswered(operation, nowMs: nowMs)
        case .exchange:
            exchangeEvent(operation, .deadline, into: &effects)
        case nil:
            break
        }
    }

    private mutating func retryForward(_ operation: OperationID, nowMs: UInt64, into effects: inout [NodeEffect]) {
        guard let forwarded = takeForward(operation) else { return }
        forward(forwarded.replyTo, key: forwarded.key, write: forwarded.write, options: forwarded.options,
                tried: forwarded.tried, nowMs: nowMs, into: &effects)
    }

    /// Removes the forwarded write `operation` from the table and returns it; nil (and the table
    /// unchanged) when it is not one. Taken, not read and then removed: reading copied its fields out
    /// of the box (about 240 instructions per forwarded write).
    private mutating func takeForward(_ operation: OperationID) -> ForwardedWrite? {
        guard case .forward(let forwarded)? = operations.take(operation, if: { $0.isForward }) else { return nil }
        return forwarded
    }
}
