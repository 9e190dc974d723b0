import Testing
@testable import KVortexCore

/// A write applied to an object still in its encoding (`EncodedObject.applyingWrite`) must give the
/// very bytes that decoding, `VersionedObject.applyWrite` and encoding give, with the same outcome
/// and context: checked on every write of seeded random histories (blind and context writes and
/// deletes, TTLs, content types, merges), uncapped, at a cap of 3 and in LWW.
@Suite struct EncodedWriteTests {
    @Test(arguments: 0..<60 as Range<UInt64>)
    func writeOnTheEncodingIsTheDecodedWrite(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, mix: seed % 2 == 0 ? .balanced : .concurrent,
                                       worlds: [(.siblings, 1_000), (.siblings, 3), (.lww, 1_000)])
        var writes = 0
        var capped = 0
        for _ in 0..<120 {
            let operation = history.nextOperation()
            guard case .write(let replica, let request, let stamp) = operation else {
                history.perform(operation)
                continue
            }
            // Absent keys are written from nil as a storage engine would; an empty object from its bytes.
            let encodedBefore = history.worlds.map { world -> [UInt8]? in
                let object = world.objects[replica]
                return object == VersionedObject() && seed % 3 == 0 ? nil : object.encoded()
            }
            let outcomes = history.perform(operation)
            for (index, world) in history.worlds.enumerated() {
                let written = Self.write(request, to: encodedBefore[index], actor: world.actors[replica], stamp: stamp,
                                         mode: world.mode, siblingsMax: world.siblingsMax)
                let expected = world.objects[replica]
                #expect(written.object.bytes == expected.encoded(), "seed \(seed) world \(index): \(history.recentLog)")
                #expect(written.object.clock == expected.clock)
                #expect(written.object.mayBecomeReapable == expected.mayBecomeReapable)
                #expect(written.context == WriteContext(of: expected))
                #expect(written.outcome == outcomes[index])
                capped += written.outcome.siblingsCapped
            }
            writes += 1
        }
        #expect(writes > 20, "seed \(seed): too few writes to check")
        if seed % 2 == 1 { #expect(capped > 0, "seed \(seed): the cap never bound") }
    }

    @Test func writeOnAnAbsentKeyEncodesTheNewSiblingAlone() {
        let request = WriteRequest(payload: .value(Array("v".utf8)), expiryMs: 9_000, contentType: "text/plain")
        let written = Self.write(request, to: nil, actor: ActorID(rawValue: 5), stamp: HybridTimestamp(physicalMs: 7, logical: 0),
                                 mode: .siblings, siblingsMax: 16)
        var object = VersionedObject()
        _ = object.applyWrite(request, actor: ActorID(rawValue: 5), timestamp: HybridTimestamp(physicalMs: 7, logical: 0),
                              mode: .siblings, siblingsMax: 16)
        #expect(written.object.bytes == object.encoded())
        #expect(written.object.decoded().siblings.map(\.contentType) == ["text/plain"])
        #expect(written.object.mayBecomeReapable, "a TTL may make it reapable")
        #expect(written.outcome.dot == Dot(actor: ActorID(rawValue: 5), counter: 1))
    }

    static func write(_ request: WriteRequest, to stored: [UInt8]?, actor: ActorID, stamp: HybridTimestamp,
                      mode: ConflictMode, siblingsMax: Int) -> EncodedWrite {
        guard let stored else {
            return EncodedObject.applyingWrite(request, toStored: nil, actor: actor, timestamp: stamp, mode: mode,
                                               siblingsMax: siblingsMax)
        }
        return stored.withUnsafeBytes {
            EncodedObject.applyingWrite(request, toStored: $0, actor: actor, timestamp: stamp, mode: mode,
                                        siblingsMax: siblingsMax)
        }
    }
}
