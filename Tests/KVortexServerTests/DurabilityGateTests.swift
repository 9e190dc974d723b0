import KVortexCore
import KVortexServer
import KVortexStorage
import Synchronization
import Testing

/// A replica on an engine with group commit acknowledges a write only once the write is durable, and
/// never when it failed to become so, while the thread that fed it (an event loop) goes on at once.
@Suite(.serialized) struct DurabilityGateTests {
    /// A memory engine that says it commits in groups and reports durability only when told to.
    final class HeldDurability: StorageEngine {
        let base = MemoryEngine()
        private let held = Mutex<[@Sendable (StorageError?) -> Void]>([])

        var heldCount: Int { held.withLock { $0.count } }
        var defersDurability: Bool { true }

        /// Reports every held write durable, or failed with `error`.
        func release(_ error: StorageError? = nil) {
            for whenDurable in held.withLock({ held in defer { held.removeAll() }; return held }) { whenDurable(error) }
        }

        func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void,
                    whenDurable: @escaping @Sendable (StorageError?) -> Void) throws(StorageError) {
            try base.modify(key, nowMs: nowMs, transform)
            held.withLock { $0.append(whenDurable) }
        }

        func modify(_ key: [UInt8], nowMs: UInt64, _ transform: (inout VersionedObject?) -> Void) throws(StorageError) {
            try base.modify(key, nowMs: nowMs, transform)
        }

        func get(_ key: [UInt8], nowMs: UInt64) throws(StorageError) -> VersionedObject? { try base.get(key, nowMs: nowMs) }
        func forEach(partition: Int, of partitioning: Partitioning, _ body: ([UInt8], VersionedObject) -> Bool) throws(StorageError) {
            try base.forEach(partition: partition, of: partitioning, body)
        }
        func sweep(nowMs: UInt64, keysMax: Int) -> Int { base.sweep(nowMs: nowMs, keysMax: keysMax) }
        func reapCandidates(nowMs: UInt64, graceMs: UInt64, keysMax: Int) -> [ReapCandidate] {
            base.reapCandidates(nowMs: nowMs, graceMs: graceMs, keysMax: keysMax)
        }
        var stats: StorageStats { base.stats }
        func close() throws(StorageError) { try base.close() }
    }

    /// Where an asynchronous answer lands.
    final class Answer: Sendable {
        let value = Mutex<Result<WriteOutcome, KVError>?>(nil)
        var result: Result<WriteOutcome, KVError>? { value.withLock { $0 } }
    }

    /// Starts a W=3 write through n1.
    static func startWrite(_ cluster: NodeDriverTests.Cluster, timeoutMs: UInt64) -> Answer {
        let answer = Answer()
        cluster.drivers[0].write(Array("k".utf8), ClientWrite(payload: .value([7])),
                                 options: QuorumOptions(readQuorum: 1, writeQuorum: 3, sloppy: false, timeoutMs: timeoutMs)) { result in
            answer.value.withLock { $0 = result }
        }
        return answer
    }

    @Test func anAcknowledgementWaitsUntilTheWriteIsDurable() throws {
        let held = HeldDurability()
        let cluster = try NodeDriverTests.cluster(storages: [MemoryEngine(), held, MemoryEngine()])
        defer { cluster.stop() }
        let answer = Self.startWrite(cluster, timeoutMs: 30_000)
        try NodeDriverTests.waitUntil("n2 applied the write and waits for its fsync") { held.heldCount >= 1 }
        #expect(try held.base.get(Array("k".utf8), nowMs: SystemClock.wallMs()) != nil, "applied (readable) before durable")
        #expect(answer.result == nil, "W=3 answered while n2's write was not durable")
        held.release()
        try NodeDriverTests.waitUntil("the write is answered") { answer.result != nil }
        let outcome = try #require(try answer.result?.get())
        #expect(outcome.replicasAcked == 3)
    }

    @Test func aWriteThatFailedToBecomeDurableIsNeverAcknowledged() throws {
        let held = HeldDurability()
        let cluster = try NodeDriverTests.cluster(storages: [MemoryEngine(), held, MemoryEngine()])
        defer { cluster.stop() }
        let answer = Self.startWrite(cluster, timeoutMs: 1_000)
        try NodeDriverTests.waitUntil("n2 applied the write and waits for its fsync") { held.heldCount >= 1 }
        held.release(.io(operation: "fsync", errno: 5))
        try NodeDriverTests.waitUntil("the write is answered") { answer.result != nil }
        switch answer.result! {
        case .failure(.timeout(needed: 3, acked: 2, _)): break
        case let other: Issue.record("W=3 with n2's write not durable answered \(other)")
        }
    }
}
