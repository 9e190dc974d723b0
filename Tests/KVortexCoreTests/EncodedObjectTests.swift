import Testing
@testable import KVortexCore

/// An object kept in its encoding (a replica's write off the wire): validation accepts only encodings
/// the decoder accepts, with the same clock, so `decoded()` never fails and storing the bytes as they
/// are is storing the object.
@Suite struct EncodedObjectTests {
    static func validate(_ bytes: [UInt8]) -> Result<EncodedObject, DecodeError> {
        var reader = ByteReader(bytes)
        return Result { () throws(DecodeError) in
            let encoded = try EncodedObject(from: &reader)
            guard reader.isAtEnd else { throw .trailingBytes(reader.remaining) }
            return encoded
        }
    }

    @Test(arguments: 0..<200 as Range<UInt64>)
    func validEncodingsAreKeptAsTheyAre(seed: UInt64) throws {
        for object in ObjectCodecTests.objects(seed: seed) {
            let encoded = try Self.validate(object.encoded()).get()
            #expect(encoded.bytes == object.encoded(), "seed \(seed)")
            #expect(encoded.clock == object.clock, "seed \(seed)")
            #expect(encoded.decoded() == object, "seed \(seed)")
            #expect(encoded.mayBecomeReapable == object.siblings.contains { $0.isTombstone || $0.expiryMs != nil })
            #expect(encoded == EncodedObject(object), "seed \(seed)")
        }
    }

    /// Reading stops at the object's end: what follows in a frame is left for the next field.
    @Test func readsOneObjectOutOfAFrame() throws {
        let object = try #require(ObjectCodecTests.objects(seed: 3).last)
        var reader = ByteReader([9, 9] + object.encoded() + [7], offset: 2)
        let encoded = try EncodedObject(from: &reader)
        #expect(encoded.decoded() == object)
        #expect(try reader.readByte() == 7 && reader.isAtEnd)
    }

    @Test(arguments: 0..<30 as Range<UInt64>)
    func everyTruncationIsAnError(seed: UInt64) {
        for object in ObjectCodecTests.objects(seed: seed).prefix(3) {
            let bytes = object.encoded()
            for cut in 0..<bytes.count {
                guard case .failure = Self.validate(Array(bytes[..<cut])) else {
                    Issue.record("seed \(seed): a prefix of \(cut) of \(bytes.count) bytes validated"); continue
                }
            }
        }
    }

    /// Damaged encodings: validation passes only what the decoder decodes, with the clock the decoder
    /// reads, and the bytes are then equal to the decoded object's own encoding as objects.
    @Test(arguments: 0..<30 as Range<UInt64>)
    func validationAgreesWithTheDecoder(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let valid = ObjectCodecTests.objects(seed: seed).map { $0.encoded() }
        var accepted = 0
        for round in 0..<1_500 {
            let bytes = random.damaged(random.element(of: valid))
            guard case .success(let encoded) = Self.validate(bytes) else { continue }
            accepted += 1
            guard case .success(let object) = ObjectCodecTests.decode(bytes) else {
                Issue.record("seed \(seed), round \(round): validated bytes the decoder rejects"); continue
            }
            #expect(encoded == EncodedObject(object), "seed \(seed), round \(round)")
            #expect(encoded.mayBecomeReapable == object.siblings.contains { $0.isTombstone || $0.expiryMs != nil })
            #expect(encoded.clock == object.clock, "seed \(seed), round \(round)")
        }
        #expect(accepted > 0, "some damage (a flipped value bit) leaves a valid encoding")
    }

    @Test func unsortedSiblingsAreRejectedThoughTheDecoderSortsThem() {
        var writer = ByteWriter()
        writer.write(1); writer.writeVarint(1); writer.writeFixed64(7); writer.writeVarint(9); writer.writeVarint(2)
        for counter: UInt64 in [4, 3] { writer.writeFixed64(7); writer.writeVarint(counter); writer.write(1); writer.writeVarint(1); writer.writeVarint(0) }
        #expect(ObjectCodecTests.decode(writer.bytes).map { $0.siblings.count } == .success(2))
        guard case .failure(.invalid) = Self.validate(writer.bytes) else { Issue.record("unsorted siblings validated"); return }
    }

    @Test func messageObjectsCompareByObjectHoweverHeld() throws {
        let objects = ObjectCodecTests.objects(seed: 5)
        let (first, second) = (try #require(objects.first), try #require(objects.last))
        #expect(first != second)
        #expect(MessageObject.decoded(first) == .encoded(EncodedObject(first)))
        #expect(MessageObject.encoded(EncodedObject(first)) == .decoded(first))
        #expect(MessageObject.encoded(EncodedObject(first)) != .decoded(second))
        #expect(MessageObject.encoded(EncodedObject(first)).object == first)
    }

    /// Off the wire, objects of writes, repairs and handoffs stay encoded.
    @Test func peerMessagesCarryObjectsEncoded() throws {
        let object = try #require(ObjectCodecTests.objects(seed: 8).last)
        var writer = ByteWriter()
        PeerMessage.putRequest(OperationID(1), key: [1], object: .decoded(object), hintFor: nil).encode(into: &writer)
        let message = try writer.bytes.withUnsafeBytes { bytes in
            var reader = RawByteReader(bytes)
            return try PeerMessage(from: &reader)
        }
        guard case .putRequest(_, _, .encoded(let encoded), nil) = message else {
            Issue.record("expected an encoded put request"); return
        }
        #expect(encoded.decoded() == object)
    }
}
