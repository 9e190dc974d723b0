import Testing
@testable import KVortexCore

/// The stored binary form and the context token: round trips, and no trap on any bad input.
@Suite struct ObjectCodecTests {
    @Test(arguments: 0..<100 as Range<UInt64>)
    func objectsRoundTrip(seed: UInt64) throws {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 30)
        for object in history.replicas {
            #expect(try VersionedObject(decoding: object.encoded()) == object, "seed \(seed)")
        }
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func everyTruncationIsAnError(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 10)
        let bytes = history.replicas[0].encoded()
        for cut in 0..<bytes.count {
            #expect(throws: DecodeError.self, "seed \(seed), cut \(cut)") { try VersionedObject(decoding: Array(bytes[..<cut])) }
        }
        #expect(throws: DecodeError.self) { try VersionedObject(decoding: bytes + [0]) }
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func garbageNeverTraps(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            var bytes = (0..<random.int(in: 0..<48)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !bytes.isEmpty { bytes[0] = 1 }  // a valid version byte, so decoding goes deeper
            _ = try? VersionedObject(decoding: bytes)
        }
    }

    @Test func forgedCountsAreRejectedWithoutHugeAllocations() {
        // version 1, clock count 2^40 (varint), nothing else.
        let forged: [UInt8] = [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]
        #expect(throws: DecodeError.self) { try VersionedObject(decoding: forged) }
        // Empty clock, then 2^30 siblings announced.
        #expect(throws: DecodeError.self) { try VersionedObject(decoding: [1, 0, 0x80, 0x80, 0x80, 0x80, 0x04]) }
        // A sibling whose dot the clock does not cover.
        var writer = ByteWriter()
        writer.write(1); writer.writeVarint(0); writer.writeVarint(1)
        writer.writeFixed64(7); writer.writeVarint(1); writer.write(0); writer.writeVarint(5); writer.writeString("")
        writer.writeLengthPrefixed([1, 2])
        #expect(throws: DecodeError.self) { try VersionedObject(decoding: writer.bytes) }
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func contextTokensRoundTrip(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 20)
        let clock = history.replicas[1].clock
        let token = CausalContext.token(for: clock)
        #expect(token.utf8.allSatisfy { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") })
        #expect(CausalContext.clock(fromToken: token.utf8) == clock, "seed \(seed)")
    }

    @Test func malformedTokensAreRejected() {
        var history = HistoryGenerator(seed: 3)
        history.run(steps: 20)
        let token = Array(CausalContext.token(for: history.replicas[0].clock).utf8)
        #expect(CausalContext.clock(fromToken: [UInt8]()) == nil)
        #expect(CausalContext.clock(fromToken: "not a token!".utf8) == nil)
        #expect(CausalContext.clock(fromToken: Array(token.dropLast(3))) == nil, "truncated")
        var flipped = token
        flipped[token.count / 2] = flipped[token.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(CausalContext.clock(fromToken: flipped) == nil, "checksum")
        #expect(CausalContext.clock(fromToken: Array(repeating: UInt8(ascii: "A"), count: CausalContext.tokenCharactersMax + 4)) == nil)
        var writer = ByteWriter()
        writer.write(2)  // unknown version, valid checksum
        VersionVector().encode(into: &writer)
        writer.writeFixed32(CRC32C.checksum(writer.bytes))
        #expect(CausalContext.clock(fromToken: Base64URL.encode(writer.bytes).utf8) == nil)
    }
}
