import KVortexCore
import KVortexStorage
import Testing

extension EngineConformance {
    /// `write`, as a coordinator uses it: whatever form the engine keeps objects in, the stored result,
    /// the returned object, context and outcome are those of `VersionedObject.applyWrite`, for an
    /// absent key, blind writes piling siblings past the cap, a write with a context, a delete and a
    /// TTL, and in LWW.
    func clientWrites() throws {
        let engine = try make()
        let key = Array("k".utf8)
        var expected: VersionedObject?
        var step: UInt64 = 0
        func write(_ request: WriteRequest, mode: ConflictMode = .siblings, siblingsMax: Int = 4) throws {
            step += 1
            let stamp = HybridTimestamp(physicalMs: 1_000 + step, logical: 0)
            let written = try engine.write(key, request, actor: actor, timestamp: stamp, nowMs: 1_000 + step, mode: mode,
                                           siblingsMax: siblingsMax)
            var object = expected ?? VersionedObject()
            let outcome = object.applyWrite(request, actor: actor, timestamp: stamp, mode: mode, siblingsMax: siblingsMax)
            expected = object
            #expect(written.object.object == object, "step \(step): the returned object")
            #expect(written.context == WriteContext(of: object), "step \(step): the context")
            #expect(written.outcome == outcome, "step \(step): the outcome")
            #expect(try engine.get(key, nowMs: 1_000 + step) == object, "step \(step): the stored object")
        }
        for value in 0..<6 as Range<UInt8> {
            try write(WriteRequest(payload: .value([value]), contentType: value % 2 == 0 ? "application/octet-stream" : ""))
        }
        #expect(expected!.siblings.count == 4, "blind writes capped at 4")
        try write(WriteRequest(payload: .value([9]), context: WriteContext(of: expected!)))
        #expect(expected!.siblings.count == 1, "a context write supersedes what it saw")
        try write(WriteRequest(payload: .value([10]), expiryMs: 1_000_000))
        try write(WriteRequest(payload: .tombstone))
        try write(WriteRequest(payload: .value([11])), mode: .lww, siblingsMax: 1)
        #expect(expected!.siblings.count == 1)
    }
}
