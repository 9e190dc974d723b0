import Testing
@testable import KVortexCore

/// `CausalContext` tokens (`X-Context`): what we issue comes back; anything else is nil, never a trap
/// and never an empty clock (which would turn a resolving write into a blind one).
@Suite struct ContextTokenTests {
    static func contexts(seed: UInt64) -> [WriteContext] {
        var history = HistoryGenerator(seed: seed, replicaCount: 4)
        history.run(steps: 20)
        return history.replicas.map(WriteContext.init(of:)) + [WriteContext()]
    }

    static let urlAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    @Test(arguments: 0..<100 as Range<UInt64>)
    func tokensRoundTrip(seed: UInt64) {
        for context in Self.contexts(seed: seed) {
            let token = CausalContext.token(for: context)
            #expect(token.utf8.allSatisfy(Self.urlAlphabet.contains), "seed \(seed): \(token)")
            #expect(CausalContext.context(fromToken: token.utf8) == context, "seed \(seed)")
            #expect(CausalContext.context(fromToken: Array(token.utf8)) == context, "seed \(seed)")
        }
    }

    /// The token written straight onto a buffer is the layout's bytes (version, clock, newest, CRC of
    /// those) in base64url, as a plain writer and encoder make them, after whatever the buffer held.
    @Test(arguments: 0..<50 as Range<UInt64>)
    func appendedTokensAreTheLayout(seed: UInt64) {
        for context in Self.contexts(seed: seed) {
            var layout = ByteWriter()
            layout.write(CausalContext.tokenVersion)
            context.clock.encode(into: &layout)
            layout.writeFixed64(context.newest.rawValue)
            layout.writeFixed32(CRC32C.checksum(layout.bytes))
            var appended = Array("X-Context: ".utf8)
            CausalContext.appendToken(for: context, to: &appended)
            #expect(appended == Array("X-Context: ".utf8) + Array(Base64URL.encode(layout.bytes).utf8), "seed \(seed)")
            #expect(CausalContext.token(for: context) == Base64URL.encode(layout.bytes))
        }
    }

    @Test func extremeCountersRoundTrip() {
        let context = WriteContext(clock: makeClock((ActorID(rawValue: 0), .max), (ActorID(rawValue: .max), 1)),
                                   newest: HybridTimestamp(rawValue: .max))
        #expect(CausalContext.context(fromToken: CausalContext.token(for: context).utf8) == context)
    }

    /// Every single-character change and every single-bit flip of the decoded bytes is caught.
    @Test(arguments: 0..<20 as Range<UInt64>)
    func damagedTokensAreRejected(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let token = Array(CausalContext.token(for: Self.contexts(seed: seed)[0]).utf8)
        let alphabet = Array(Self.urlAlphabet)
        for index in token.indices {
            var changed = token
            repeat { changed[index] = random.element(of: alphabet) } while changed[index] == token[index]
            #expect(CausalContext.context(fromToken: changed) == nil, "seed \(seed): char \(index) changed and accepted")
        }
        let raw = Base64URL.decode(token)!
        for bit in 0..<(raw.count * 8) {
            var flipped = raw
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(CausalContext.context(fromToken: Base64URL.encode(flipped).utf8) == nil, "seed \(seed): bit \(bit)")
        }
    }

    @Test func truncatedTokensAreRejected() {
        let token = Array(CausalContext.token(for: Self.contexts(seed: 5)[0]).utf8)
        for cut in 0..<token.count {
            #expect(CausalContext.context(fromToken: token[..<cut]) == nil, "cut \(cut)")
        }
        #expect(CausalContext.context(fromToken: token + Array("AA".utf8)) == nil, "extended")
    }

    @Test func malformedTokensAreRejected() {
        let token = CausalContext.token(for: Self.contexts(seed: 3)[0])
        for bad in ["", "A", "not a token!", token + "=", token + "==", "=" + token, token + " ", token + "\n",
                    token.replacingFirst("-", "+"), token.replacingFirst("_", "/"), "é" + token] {
            #expect(CausalContext.context(fromToken: bad.utf8) == nil, "\(bad)")
        }
        #expect(CausalContext.context(fromToken: [0xFF, 0x00, 0x80]) == nil)
    }

    @Test func unknownVersionsAreRejectedEvenWithAGoodChecksum() {
        for version: UInt8 in [0, 3, 0x7F, 0xFF] {
            #expect(CausalContext.context(fromToken: Self.forged(version: version, clock: makeClock((ActorID(rawValue: 1), 1))).utf8) == nil)
        }
        #expect(CausalContext.context(fromToken: Self.forged(version: 2, clock: VersionVector(), newest: 7).utf8)
                    == WriteContext(newest: HybridTimestamp(rawValue: 7)), "the forger is right")
        #expect(CausalContext.context(fromToken: Self.forged(version: 2, clock: VersionVector()).utf8) == nil,
                "version 2 carries a timestamp")
    }

    /// Tokens issued before the timestamp was added (version 1) still resolve, with a zero timestamp.
    @Test func versionOneTokensAreStillRead() {
        let clock = makeClock((ActorID(rawValue: 1), 3), (ActorID(rawValue: 9), 1))
        #expect(CausalContext.context(fromToken: Self.forged(version: 1, clock: clock).utf8) == WriteContext(clock: clock))
        #expect(CausalContext.context(fromToken: Self.forged(version: 1, clock: clock, newest: 7).utf8) == nil,
                "version 1 has nothing after the clock")
    }

    @Test func overlongTokensAreRejectedBeforeDecoding() {
        let long = String(repeating: "A", count: CausalContext.tokenCharactersMax + 4)
        #expect(CausalContext.context(fromToken: long.utf8) == nil)
        // A valid token of exactly the limit's length passes the length check (but not the checksum).
        #expect(CausalContext.context(fromToken: String(repeating: "A", count: CausalContext.tokenCharactersMax).utf8) == nil)
    }

    /// FINDING: `token(for:)` issues tokens longer than `tokenCharactersMax` for clocks of more than
    /// about 600 actors, and then refuses them: a client can never write with the context it was given.
    /// Clocks are never pruned, and each stand-in write adds a one-off actor, so a long-lived key gets there.
    @Test func everyIssuedTokenIsAccepted() {
        let clock = VersionVector((1...700).map { (ActorID(rawValue: UInt64($0) &* 0x9E37_79B9_7F4A_7C15), UInt64(1)) })
        let token = CausalContext.token(for: WriteContext(clock: clock))
        #expect(CausalContext.context(fromToken: token.utf8)?.clock == clock,
                "a clock of \(clock.entries.count) actors gives a token of \(token.utf8.count) characters, over \(CausalContext.tokenCharactersMax)")
    }

    static func forged(version: UInt8, clock: VersionVector, newest: UInt64? = nil) -> String {
        var writer = ByteWriter()
        writer.write(version)
        clock.encode(into: &writer)
        if let newest { writer.writeFixed64(newest) }
        writer.writeFixed32(CRC32C.checksum(writer.bytes))
        return Base64URL.encode(writer.bytes)
    }
}

extension String {
    /// Replaces the first occurrence of `target` (or appends `replacement` when there is none).
    fileprivate func replacingFirst(_ target: Character, _ replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self + String(replacement) }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
