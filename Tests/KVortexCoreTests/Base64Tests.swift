import Testing
@testable import KVortexCore

/// Base64 (RFC 4648 §4) and unpadded base64url (§5), which context tokens use.
@Suite struct Base64Tests {
    /// RFC 4648 §10; the url form drops the padding.
    static let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                          ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]

    @Test func rfc4648Vectors() {
        for (plain, encoded) in Self.vectors {
            let url = String(encoded.filter { $0 != "=" })
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.encode(Array(plain.utf8)) == url)
            #expect(Base64URL.decode(url.utf8) == Array(plain.utf8), "\(url)")
        }
    }

    /// Where the two alphabets differ: 62 is `-` (not `+`), 63 is `_` (not `/`).
    @Test func urlAlphabet() {
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.decode("-_8".utf8) == [0xFB, 0xFF])
    }

    @Test func invalidInputIsRejected() {
        // Padding, the standard alphabet, whitespace, non-ASCII; "Z"/"Zm9vY" leave a dangling sextet;
        // "Zh"/"Zm9" have stray low bits (non-canonical).
        for bad in ["Zg==", "Zg=", "+/8", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9v\n", "é", "Z", "Zm9vY", "Zh", "Zm9"] {
            #expect(Base64URL.decode(bad.utf8) == nil, "\(bad)")
        }
        #expect(Base64URL.decode([0x00, 0x80, 0xFF]) == nil)
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func randomBytesRoundTrip(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let bytes = random.bytes(count: random.int(in: 0..<100))
        let url = Base64URL.encode(bytes)
        #expect(Base64URL.decode(url.utf8) == bytes, "seed \(seed)")
        #expect(url.utf8.count == (bytes.count * 4 + 2) / 3, "seed \(seed): no padding")
        #expect(Base64.encode(bytes).utf8.count == (bytes.count + 2) / 3 * 4, "seed \(seed)")
    }
}
