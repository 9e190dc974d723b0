import KVortexCore
import KVortexStorage
import Testing

extension EngineConformance {
    /// `merge(_:incoming:...)`, as a replica uses it: whatever shortcut the engine takes, the stored
    /// result is the full merge, for an absent key, a newer version, a concurrent one and a stale one.
    /// With `encoded`, every object goes in still encoded, as off the wire (`merge(_:encoded:...)`).
    func replicaMerge(encoded: Bool = false) throws {
        let engine = try make()
        let key = Array("k".utf8)
        func merge(_ object: VersionedObject, mode: ConflictMode) throws -> ApplyOutcome {
            guard encoded else { return try engine.merge(key, incoming: object, nowMs: 1_000, mode: mode, siblingsMax: 64) }
            var reader = ByteReader(object.encoded())
            return try engine.merge(key, encoded: try EncodedObject(from: &reader), nowMs: 1_000, mode: mode, siblingsMax: 64)
        }
        func other(_ base: VersionedObject, actor: UInt64, _ value: UInt8) -> VersionedObject {
            var object = base
            _ = object.applyWrite(WriteRequest(payload: .value([value]), context: WriteContext(of: base)),
                                  actor: ActorID(rawValue: actor), timestamp: HybridTimestamp(physicalMs: 2_000, logical: 0),
                                  mode: .siblings, siblingsMax: 64)
            return object
        }
        var remote = VersionedObject()
        _ = remote.applyWrite(WriteRequest(payload: .value([1])), actor: ActorID(rawValue: 7),
                              timestamp: HybridTimestamp(physicalMs: 5, logical: 0), mode: .siblings, siblingsMax: 64)
        _ = try merge(remote, mode: .siblings)
        #expect(try engine.get(key, nowMs: 1_000) == remote, "absent key: the incoming object")

        let newer = other(remote, actor: 8, 2)  // supersedes what is stored
        _ = try merge(newer, mode: .siblings)
        #expect(try engine.get(key, nowMs: 1_000) == newer, "newer version: stored as it is")

        let concurrent = other(remote, actor: 9, 3)  // has not seen `newer`'s write
        _ = try merge(concurrent, mode: .siblings)
        let both = newer.merging(concurrent, mode: .siblings, siblingsMax: 64)
        #expect(try engine.get(key, nowMs: 1_000) == both, "concurrent version: merged")
        #expect(both.siblings.count == 2)

        _ = try merge(remote, mode: .siblings)
        #expect(try engine.get(key, nowMs: 1_000) == both, "stale version: changes nothing")

        let lwwNewer = other(both, actor: 8, 4)
        let outcome = try merge(lwwNewer, mode: .lww)
        var expected = both
        let expectedOutcome = expected.merge(lwwNewer, mode: .lww, siblingsMax: 64)
        #expect(try engine.get(key, nowMs: 1_000) == expected, "lww: the full merge")
        #expect(outcome == expectedOutcome)
    }
}
