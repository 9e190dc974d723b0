import KVortexCore
import Synchronization

/// Lets the core `Node` write to an engine with group commit (`defersDurability`) without waiting for
/// the fsync on the thread that feeds it, an event loop: the gate starts each write and returns, and
/// the driver holds back every effect of that input (replica acknowledgements, client replies, sends)
/// until all of the input's writes are durable (`DurabilityBatch`). Nothing is acknowledged before its
/// bytes are on disk, and a loop never sleeps in an fsync.
///
/// Effects of one input may leave after those of a later input that wrote nothing; the core already
/// tolerates messages reordered by the network.
final class DurabilityGate: StorageEngine {
    let base: any StorageEngine
    /// Writes started by the input being handled (under the driver's node lock); nil before the first.
    private let current = Mutex<DurabilityBatch?>(nil)

    init(base: any StorageEngine) {
        precondition(base.defersDurability, "a gate in front of an engine that is durable when modify returns")
        self.base = base
    }

    /// The batch of the writes started since the last call, or nil when there were none.
    func takeBatch() -> DurabilityBatch? {
        current.withLock { batch in
            defer { batch = nil }
            return batch
        }
    }

    func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
        let batch = current.withLock { batch in
            if batch == nil { batch = DurabilityBatch() }
            return batch!
        }
        batch.expect()
        do {
            try base.modify(key, nowMs: nowMs, transform, whenDurable: { error in batch.settle(error) })
        } catch {
            batch.settle(nil)  // nothing to wait for: the core sees the error and acknowledges nothing
            throw error
        }
    }

    func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? {
        try base.get(key, nowMs: nowMs)
    }

    func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
        try base.forEach(partition: partition, of: partitioning, body)
    }

    /// The base engine's pass, not through the gate: it changes nothing, so nothing waits on it. The base
    /// holds the observer and tells it of every change the gate starts.
    func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                      _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        try base.visitDigests(partition: partition, of: partitioning, from: cursor, keysMax: keysMax, visit)
    }

    func sweep(nowMs: UInt64, keysMax: Int) -> Int { base.sweep(nowMs: nowMs, keysMax: keysMax) }
    func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
        base.reapCandidates(nowMs: nowMs, graceMs: graceMs, keysMax: keysMax)
    }

    var stats: StorageStats { base.stats }

    func maintain() throws(StorageError) -> String? { try base.maintain() }

    func close() throws(StorageError) { try base.close() }
}

/// The effects of one input whose writes are not durable yet: performed once every write has
/// settled. If any failed to become durable, only timers and log lines are performed (plus a line
/// saying so): whoever waits on an acknowledgement gets none and times out, rather than being told
/// a write is stored that may not be.
final class DurabilityBatch: Sendable {
    private struct State {
        var pending = 0
        var failure: StorageError?
        /// Set once the input's effects are known; nil until then.
        var sealed: (effects: [NodeEffect], perform: @Sendable ([NodeEffect]) -> Void)?
    }

    private let state = Mutex(State())

    func expect() {
        state.withLock { $0.pending += 1 }
    }

    /// One write became durable (nil) or failed to.
    func settle(_ error: StorageError?) {
        let release = state.withLock { state in
            state.pending -= 1
            precondition(state.pending >= 0, "a write settled twice")
            if let error, state.failure == nil { state.failure = error }
            return Self.releasable(&state)
        }
        release?()
    }

    /// The input's effects are known: performs them once its writes have settled (now, if they have).
    func seal(_ effects: [NodeEffect], perform: @escaping @Sendable ([NodeEffect]) -> Void) {
        let release = state.withLock { state in
            precondition(state.sealed == nil, "a batch sealed twice")
            state.sealed = (effects, perform)
            return Self.releasable(&state)
        }
        release?()
    }

    private static func releasable(_ state: inout State) -> (@Sendable () -> Void)? {
        guard state.pending == 0, let (effects, perform) = state.sealed else { return nil }
        state.sealed = nil
        guard let failure = state.failure else { return { perform(effects) } }
        let kept = effects.filter { effect in
            switch effect {
            case .startTimer, .log, .forgetPeer: true
            case .send, .replyRead, .replyWrite: false
            }
        }
        return { perform(kept + [.log("storage did not make a write durable (\(failure)): its acknowledgements are withheld")]) }
    }
}
