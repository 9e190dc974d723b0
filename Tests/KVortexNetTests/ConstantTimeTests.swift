import KVortexNet
import Testing

/// `ConstantTime.isEqual` over buffers, as a bearer token is checked: equal only for the same bytes
/// and the same length, whatever the lengths.
@Suite struct ConstantTimeTests {
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        given.withUnsafeBytes { given in expected.withUnsafeBytes { ConstantTime.isEqual(given, $0) } }
    }

    @Test func onlyTheSameBytesAreEqual() {
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        #expect(Self.equal(secret, secret))
        for index in secret.indices {
            var forged = secret
            forged[index] ^= 0x01
            #expect(!Self.equal(forged, secret), "differs at byte \(index)")
        }
    }

    @Test func lengthsCount() {
        let secret = Array("0123456789abcdef".utf8)
        #expect(!Self.equal(Array(secret.dropLast()), secret), "a prefix")
        #expect(!Self.equal(secret + [0], secret), "one byte more")
        #expect(!Self.equal(secret + secret, secret), "twice")
        #expect(!Self.equal([], secret))
        #expect(!Self.equal(secret, []))
        #expect(Self.equal([], []))
        // A shorter input read again at its last byte must not match a secret of repeated bytes.
        #expect(!Self.equal(Array("aaaa".utf8), Array("aaaaaaaa".utf8)))
        // Lengths whose XOR has only high bits set still differ.
        #expect(!Self.equal([UInt8](repeating: 7, count: 256), [UInt8](repeating: 7, count: 512)))
    }
}
