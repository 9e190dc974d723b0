import KVortexCore
import KVortexStorage
import Testing

/// The behaviour every `StorageEngine` must have. Engine-specific suites call these with a factory,
/// so the log and SQLite engines run the very same checks.
struct EngineConformance {
    let make: () throws -> any StorageEngine
    let actor = ActorID(rawValue: 42)

    func write(_ engine: any StorageEngine, _ key: String, _ value: String, context: VersionVector? = nil,
               expiryMs: UInt64? = nil, tombstone: Bool = false, atMs: UInt64 = 1_000) throws -> VersionedObject {
        try engine.update(Array(key.utf8), nowMs: atMs) { stored -> VersionedObject in
            var object = stored ?? VersionedObject()
            _ = object.applyWrite(WriteRequest(payload: tombstone ? .tombstone : .value(Array(value.utf8)), context: context.map { WriteContext(clock: $0) },
                                               expiryMs: expiryMs),
                                  actor: actor, timestamp: HybridTimestamp(physicalMs: atMs, logical: 0),
                                  mode: .siblings, siblingsMax: 64)
            stored = object
            return object
        }
    }

    func getPutRemove() throws {
        let engine = try make()
        #expect(try engine.get(Array("missing".utf8), nowMs: 0) == nil)
        let written = try write(engine, "k", "v1")
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == written)
        #expect(engine.stats.keyCount == 1)
        #expect(engine.stats.bytes > 0)
        try engine.update(Array("k".utf8), nowMs: 1_000) { $0 = nil }
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == nil)
        #expect(engine.stats.keyCount == 0)
        #expect(engine.stats.bytes == 0)
    }

    func siblingsAndContexts() throws {
        let engine = try make()
        _ = try write(engine, "k", "a")
        let two = try write(engine, "k", "b")
        #expect(two.siblings.count == 2)
        let resolved = try write(engine, "k", "ab", context: two.clock)
        #expect(resolved.siblings.map { $0.value! } == [Array("ab".utf8)])
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == resolved)
    }

    func mergeThroughUpdate() throws {
        let engine = try make()
        let local = try write(engine, "k", "local")
        var remote = VersionedObject()
        _ = remote.applyWrite(WriteRequest(payload: .value([9])), actor: ActorID(rawValue: 7),
                              timestamp: HybridTimestamp(physicalMs: 5, logical: 0), mode: .siblings, siblingsMax: 64)
        try engine.update(Array("k".utf8), nowMs: 1_000) { stored in
            stored = stored!.merging(remote, mode: .siblings, siblingsMax: 64)
        }
        #expect(try engine.get(Array("k".utf8), nowMs: 1_000) == local.merging(remote, mode: .siblings, siblingsMax: 64))
    }

    func forEachVisitsExactlyThePartition() throws {
        let engine = try make()
        let partitioning = Partitioning(partitionCount: 16)
        var expected: [Int: Set<[UInt8]>] = [:]
        for index in 0..<500 {
            let key = Array("key\(index)".utf8)
            _ = try write(engine, "key\(index)", "v")
            expected[partitioning.partition(of: key), default: []].insert(key)
        }
        for partition in 0..<16 {
            var seen: Set<[UInt8]> = []
            try engine.forEach(partition: partition, of: partitioning) { key, object in
                #expect(object.siblings.count == 1)
                seen.insert(key)
                return true
            }
            #expect(seen == expected[partition, default: []], "partition \(partition)")
        }
        var visited = 0
        try engine.forEach(partition: 0, of: Partitioning(partitionCount: 1)) { _, _ in visited += 1; return visited < 10 }
        #expect(visited == 10, "returning false stops the scan")
    }

    func reapingAfterGrace(graceMs: UInt64) throws {
        let engine = try make()
        _ = try write(engine, "gone", "x")
        _ = try write(engine, "gone", "", context: try engine.get(Array("gone".utf8), nowMs: 1_000)!.clock, tombstone: true)
        _ = try write(engine, "short", "x", expiryMs: 1_500)
        _ = try write(engine, "stays", "x")
        #expect(try engine.get(Array("gone".utf8), nowMs: 1_000 + graceMs - 1) != nil, "within the grace the tombstone is kept")
        #expect(try engine.get(Array("gone".utf8), nowMs: 1_000 + graceMs) == nil)
        #expect(engine.sweep(nowMs: 1_500 + graceMs, keysMax: 100) == 1, "the sweep reaps the expired key")
        #expect(try engine.get(Array("stays".utf8), nowMs: 10_000_000) != nil)
        #expect(engine.stats.reaped == 2)
        #expect(engine.stats.keyCount == 1)
    }

    func sweepIsBounded(graceMs: UInt64) throws {
        let engine = try make()
        for index in 0..<300 { _ = try write(engine, "t\(index)", "x", expiryMs: 1_001) }
        let late = 2_000 + graceMs
        #expect(engine.sweep(nowMs: late, keysMax: 100) == 100)
        var total = 100
        for _ in 0..<10 { total += engine.sweep(nowMs: late, keysMax: 100) }
        #expect(total == 300, "the cursor resumes until everything is swept")
        #expect(engine.stats.keyCount == 0)
    }

    func closeRefusesLaterCalls() throws {
        let engine = try make()
        _ = try write(engine, "k", "v")
        try engine.close()
        #expect(throws: StorageError.closed) { try engine.get(Array("k".utf8), nowMs: 0) }
    }
}
