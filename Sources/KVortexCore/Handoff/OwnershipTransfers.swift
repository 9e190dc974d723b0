/// The ownership transfers a node owes after its ring changed (DESIGN.md "Ownership transfer"): for
/// each partition it was a primary of, one transfer per newcomer of the partition's preference list.
///
/// A value the node keeps; it never reads storage itself. A transfer waits in `waiting` until the node
/// starts it (`start`: the keys of the partition, snapshotted), is streamed from `active` in bounded
/// batches, and is done when its last key is sent and every object sent was acknowledged. An object
/// whose delivery failed puts its whole transfer back in the queue (`retry`): sending a partition again
/// is harmless because the receiver merges, and merging is idempotent.
///
/// Bounded by construction: at most one entry per (partition, target), so at most Q × N waiting
/// (`transfersMax`); objects in flight are bounded by the node's batch size.
struct OwnershipTransfers: Sendable {
    /// Copy one partition to one new owner.
    struct Transfer: Hashable, Sendable {
        let partition: Int
        let target: NodeID
    }

    /// The transfer being streamed: the keys it still has to send, in snapshot order.
    struct Active: Sendable {
        let transfer: Transfer
        var keysLeft: ArraySlice<[UInt8]>
    }

    /// Most transfers that can be owed at once: one per (partition, member of its preference list).
    let transfersMax: Int
    /// Transfers not started yet, oldest first; none repeats and none is `active`.
    private(set) var waiting: [Transfer] = []
    private(set) var active: Active?
    /// Objects sent and not yet acknowledged (or failed), per transfer, and in all.
    private(set) var inFlight: [Transfer: Int] = [:]
    private(set) var objectsInFlight = 0
    /// Transfers whose last key was sent but some objects were still in flight.
    private var draining: Set<Transfer> = []

    init(transfersMax: Int) {
        precondition(transfersMax > 0, "transfersMax \(transfersMax) must be positive")
        self.transfersMax = transfersMax
    }

    /// Transfers not finished: waiting, streaming, or waiting for acknowledgements (one requeued while
    /// still draining counts twice).
    var pendingCount: Int { waiting.count + (active == nil ? 0 : 1) + draining.count }

    /// True when every transfer owed was streamed and acknowledged.
    var isEmpty: Bool { waiting.isEmpty && active == nil && draining.isEmpty && inFlight.isEmpty }

    /// True when a transfer of `partition` is owed (waiting, streaming or unacknowledged): anti-entropy
    /// leaves such a partition alone until its new owners have it (docs/anti-entropy.md §3).
    func owes(partition: Int) -> Bool {
        isEmpty ? false
            : active?.transfer.partition == partition || waiting.contains { $0.partition == partition }
                || draining.contains { $0.partition == partition } || inFlight.keys.contains { $0.partition == partition }
    }

    /// Queues `transfer` unless it is already waiting. True when it was added. An active or draining
    /// transfer is queued again: keys written since its snapshot must reach the target too.
    @discardableResult
    mutating func enqueue(_ transfer: Transfer) -> Bool {
        guard !waiting.contains(transfer) else { return false }
        precondition(waiting.count < transfersMax, "\(waiting.count) transfers waiting, more than Q × N (\(transfersMax))")
        waiting.append(transfer)
        return true
    }

    /// Drops waiting transfers that `keep` rejects (their target no longer owns the partition).
    /// Returns how many were dropped. Does not touch the active or draining ones.
    mutating func prune(keeping keep: (Transfer) -> Bool) -> Int {
        let before = waiting.count
        waiting.removeAll { !keep($0) }
        return before - waiting.count
    }

    /// Removes and returns the first waiting transfer `isReady` accepts (its target is healthy), if
    /// no transfer is active. Transfers to unhealthy targets keep their place.
    mutating func takeNext(where isReady: (Transfer) -> Bool) -> Transfer? {
        guard active == nil, let index = waiting.firstIndex(where: isReady) else { return nil }
        return waiting.remove(at: index)
    }

    /// Makes `transfer` the active one, with the keys its partition held when it started.
    mutating func start(_ transfer: Transfer, keys: [[UInt8]]) {
        precondition(active == nil, "\(transfer) started while \(active!.transfer) is active")
        active = Active(transfer: transfer, keysLeft: keys[...])
    }

    /// Up to `limit` keys of the active transfer to send now, counted in flight, with the transfer.
    /// When it has no keys left it stops being active; `isFinished` is true when nothing of it is in
    /// flight either (an empty partition is finished at once).
    mutating func nextKeys(limit: Int) -> (transfer: Transfer, keys: [[UInt8]], isFinished: Bool)? {
        guard var current = active else { return nil }
        let keys = Array(current.keysLeft.prefix(limit))
        current.keysLeft = current.keysLeft.dropFirst(keys.count)
        active = current.keysLeft.isEmpty ? nil : current
        if !keys.isEmpty {
            inFlight[current.transfer, default: 0] += keys.count
            objectsInFlight += keys.count
        }
        guard active == nil else { return (current.transfer, keys, false) }
        if inFlight[current.transfer] == nil { return (current.transfer, keys, true) }
        draining.insert(current.transfer)
        return (current.transfer, keys, false)
    }

    /// One object of `transfer` was sent but not delivered: queue the transfer again (re-sending the
    /// whole partition is harmless: merges are idempotent). It is no longer draining to completion.
    mutating func failed(_ transfer: Transfer) {
        settle(transfer)
        draining.remove(transfer)
        if active?.transfer == transfer { active = nil }  // the rest is sent when it starts again
        enqueue(transfer)
    }

    /// One object of `transfer` was acknowledged. True when that finished the transfer.
    mutating func acknowledged(_ transfer: Transfer) -> Bool {
        settle(transfer)
        guard inFlight[transfer] == nil, draining.contains(transfer) else { return false }
        draining.remove(transfer)
        return true
    }

    private mutating func settle(_ transfer: Transfer) {
        guard let count = inFlight[transfer] else { return }
        inFlight[transfer] = count > 1 ? count - 1 : nil
        objectsInFlight -= 1
    }
}
