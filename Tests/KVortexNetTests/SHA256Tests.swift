@testable import KVortexNet
import Testing

/// SHA-256 against the FIPS 180-4 examples (NIST CSRC "Examples with intermediate values" and the
/// long messages of the NIST test vectors), fed whole and in uneven pieces.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",  // 448 bits
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",  // 896 bits
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test(arguments: 0..<4)
    func fipsExamples(index: Int) {
        let (message, digest) = Self.vectors[index]
        #expect(Self.hex(SHA256.hash(Array(message.utf8))) == digest, "message \(index): \(message)")
    }

    /// The same digests when the message arrives in pieces that straddle block boundaries.
    @Test(arguments: [1, 3, 55, 63, 64, 65])
    func piecesHashLikeTheWhole(pieceBytes: Int) {
        for (message, digest) in Self.vectors {
            let bytes = Array(message.utf8)
            var hasher = SHA256()
            for start in stride(from: 0, to: bytes.count, by: pieceBytes) {
                hasher.update(Array(bytes[start..<min(start + pieceBytes, bytes.count)]))
            }
            #expect(Self.hex(hasher.finalize()) == digest, "pieces of \(pieceBytes): \(message)")
        }
    }

    @Test func oneMillionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(Self.hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// HMAC-SHA256 against every test case of RFC 4231 §4.
@Suite struct HMACSHA256Tests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    static let cases: [(key: [UInt8], data: [UInt8], code: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // Case 5: the RFC gives only the first 128 bits.
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8), "a3b6167473100ee06e0c796c2955552b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array(("This is a test using a larger than block-size key and a larger than block-size data. The key needs to "
             + "be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 1...7)
    func rfc4231(testCase: Int) {
        let (key, data, code) = Self.cases[testCase - 1]
        let computed = HMACSHA256.authenticationCode(for: data, key: key)
        #expect(computed.count == HMACSHA256.codeBytes)
        #expect(SHA256Tests.hex(Array(computed.prefix(code.count / 2))) == code, "RFC 4231 test case \(testCase)")
    }

    @Test func constantTimeEqualityLooksAtEveryByte() {
        let code = HMACSHA256.authenticationCode(for: [1, 2, 3], key: [4])
        #expect(ConstantTime.isEqual(code, code))
        for index in code.indices {
            var forged = code
            forged[index] ^= 0x01
            #expect(!ConstantTime.isEqual(code, forged), "differs at byte \(index)")
        }
        #expect(!ConstantTime.isEqual(code, Array(code.dropLast())))
        #expect(!ConstantTime.isEqual(code, code + [0]))
        #expect(ConstantTime.isEqual([], []))
    }
}
