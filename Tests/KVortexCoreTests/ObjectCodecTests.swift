import Testing
@testable import KVortexCore

/// The stored binary form of `VersionedObject`: round trips, and any bad input is a `DecodeError`,
/// never a trap, through both readers (array and raw memory).
@Suite struct ObjectCodecTests {
    /// Decodes with both readers; they must agree.
    static func decode(_ bytes: [UInt8]) -> Result<VersionedObject, DecodeError> {
        let fromArray = Result { () throws(DecodeError) in try VersionedObject(decoding: bytes) }
        let fromRaw = bytes.withUnsafeBytes { raw in Result { () throws(DecodeError) in try VersionedObject(decoding: raw) } }
        #expect(fromArray == fromRaw, "the two readers disagree on \(bytes)")
        return fromArray
    }

    static func objects(seed: UInt64) -> [VersionedObject] {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.siblings, 2)])
        history.run(steps: 30)
        return history.worlds.flatMap(\.objects)
    }

    @Test(arguments: 0..<200 as Range<UInt64>)
    func objectsRoundTrip(seed: UInt64) {
        for object in Self.objects(seed: seed) {
            let bytes = object.encoded()
            #expect(bytes.count == object.encodedByteCount, "seed \(seed)")
            #expect(Self.decode(bytes) == .success(object), "seed \(seed)")
            var writer = ByteWriter()
            object.encode(into: &writer)
            #expect(writer.bytes == bytes, "seed \(seed)")
        }
    }

    @Test func extremeFieldsRoundTrip() throws {
        let actor = ActorID(rawValue: .max)
        let dot = Dot(actor: actor, counter: .max)
        let sibling = Sibling(dot: dot, payload: .value(Array(repeating: 0xFF, count: 300)), timestamp: HybridTimestamp(rawValue: .max),
                              expiryMs: .max, contentType: String(repeating: "é", count: 200))
        let tombstone = Sibling(dot: Dot(actor: ActorID(rawValue: 0), counter: 1), payload: .tombstone, timestamp: .zero, expiryMs: 0)
        let object = try #require(VersionedObject(clock: makeClock((actor, .max), (ActorID(rawValue: 0), 1)),
                                                  siblings: [sibling, tombstone]))
        #expect(Self.decode(object.encoded()) == .success(object))
        #expect(Self.decode(VersionedObject().encoded()) == .success(VersionedObject()))
        #expect(VersionedObject().encoded() == [1, 0, 0])
    }

    @Test(arguments: 0..<30 as Range<UInt64>)
    func everyTruncationIsAnError(seed: UInt64) {
        for object in Self.objects(seed: seed).prefix(3) {
            let bytes = object.encoded()
            for cut in 0..<bytes.count {
                guard case .failure = Self.decode(Array(bytes[..<cut])) else {
                    Issue.record("seed \(seed): a prefix of \(cut) of \(bytes.count) bytes decoded"); continue
                }
            }
            #expect(Self.decode(bytes + [0]) == .failure(.trailingBytes(1)), "seed \(seed)")
        }
    }

    /// Random bytes, and valid encodings with random damage: an error, or an object that keeps the
    /// invariants and re-encodes to something that decodes to itself.
    @Test(arguments: 0..<30 as Range<UInt64>)
    func garbageNeverTraps(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let valid = Self.objects(seed: seed).map { $0.encoded() }
        for round in 0..<1_500 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = random.bytes(count: random.int(in: 0..<64))
                if !bytes.isEmpty { bytes[0] = 1 }  // the known version, so decoding goes deeper
            } else {
                bytes = random.damaged(random.element(of: valid))
            }
            guard case .success(let object) = Self.decode(bytes) else { continue }
            #expect(object.siblings.allSatisfy { object.clock.covers($0.dot) }, "seed \(seed), round \(round)")
            #expect(zip(object.siblings, object.siblings.dropFirst()).allSatisfy { $0.dot < $1.dot }, "seed \(seed)")
            #expect(Self.decode(object.encoded()) == .success(object), "seed \(seed), round \(round)")
        }
    }

    /// Forged counts and lengths fail on the count check, before anything of that size is reserved
    /// (the bounds are checked against the bytes left, so 2^40 entries never reach `reserveCapacity`).
    @Test func forgedCountsAndLengthsAreRejected() {
        // Clock count 2^40.
        #expect(Self.decode([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]) == .failure(.lengthTooLarge(length: 1 << 40, lengthMax: 0)))
        // Empty clock, then 2^30 siblings.
        #expect(Self.decode([1, 0, 0x80, 0x80, 0x80, 0x80, 0x04]) == .failure(.lengthTooLarge(length: 1 << 30, lengthMax: 0)))
        // 4,096 siblings announced, only a few bytes follow.
        #expect(Self.decode([1, 0, 0x80, 0x20, 0, 0]) == .failure(.lengthTooLarge(length: 4_096, lengthMax: 2)))
        // A varint of 11 bytes.
        #expect(Self.decode([1] + Array(repeating: 0xFF, count: 10) + [0x01]) == .failure(.varintTooLong))
        // One sibling whose value claims 60 MiB (under the 64 MiB bound) with 2 bytes present.
        #expect(Self.decode(oneSibling(valueLength: 60 << 20, present: [1, 2])) == .failure(.truncated(needed: 60 << 20, available: 2)))
        // A value length over the bound, and a content type over its bound.
        #expect(Self.decode(oneSibling(valueLength: UInt64.max, present: [])) == .failure(.lengthTooLarge(length: .max, lengthMax: 1 << 26)))
        #expect(Self.decode(oneSibling(contentTypeLength: 5_000)) == .failure(.lengthTooLarge(length: 5_000, lengthMax: 1 << 10)))
    }

    @Test func structurallyInvalidObjectsAreRejected() {
        func isInvalid(_ bytes: [UInt8]) -> Bool {
            if case .failure(.invalid) = Self.decode(bytes) { true } else { false }
        }
        #expect(Self.decode([2, 0, 0]) == .failure(.unknownVersion(2)))
        #expect(isInvalid(oneSibling(clockCounter: 4, dotCounter: 5)), "dot not covered by the clock")
        #expect(isInvalid(oneSibling(dotCounter: 0)), "dot counter 0")
        #expect(isInvalid(oneSibling(flags: 4)), "unknown flags")
        #expect(Self.decode(oneSibling(contentType: [0xC3, 0x28])) == .failure(.invalidUTF8))
        var twice = ByteWriter()
        twice.write(1); twice.writeVarint(1); twice.writeFixed64(7); twice.writeVarint(9); twice.writeVarint(2)
        for _ in 0..<2 { twice.writeFixed64(7); twice.writeVarint(3); twice.write(1); twice.writeVarint(1); twice.writeVarint(0) }
        #expect(isInvalid(twice.bytes), "the same dot twice")
    }

    /// An encoding of one sibling of actor 7, with the given fields forged.
    private func oneSibling(clockCounter: UInt64 = 9, dotCounter: UInt64 = 5, flags: UInt8 = 0, contentType: [UInt8] = [],
                            contentTypeLength: UInt64? = nil, valueLength: UInt64 = 1, present: [UInt8] = [0]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(1)
        writer.writeVarint(1); writer.writeFixed64(7); writer.writeVarint(clockCounter)
        writer.writeVarint(1); writer.writeFixed64(7); writer.writeVarint(dotCounter)
        writer.write(flags); writer.writeVarint(1_000)
        writer.writeVarint(contentTypeLength ?? UInt64(contentType.count)); writer.writeRaw(contentType)
        writer.writeVarint(valueLength); writer.writeRaw(present)
        return writer.bytes
    }
}
