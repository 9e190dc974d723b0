/// Standard base64 (RFC 4648 §4, padded): how the siblings envelope carries values that are not UTF-8.
public enum Base64 {
    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        encode(bytes, alphabet: standardAlphabet, padded: true)
    }

    /// Encodes with a 64-character alphabet, with or without `=` padding, straight into the string's
    /// storage (every byte is ASCII, so nothing is validated or copied afterwards).
    static func encode(_ bytes: [UInt8], alphabet: [UInt8], padded: Bool) -> String {
        bytes.withUnsafeBytes { encode($0, alphabet: alphabet, padded: padded) }
    }

    /// `encode` of bytes where they lie.
    static func encode(_ input: UnsafeRawBufferPointer, alphabet: [UInt8], padded: Bool) -> String {
        let count = encodedCount(input.count, padded: padded)
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { encode(input, alphabet: alphabet, padded: padded, into: $0) }
    }

    /// Characters that `count` bytes encode to.
    static func encodedCount(_ count: Int, padded: Bool) -> Int {
        let whole = count / 3
        let rest = count - whole * 3
        return whole * 4 + (rest == 0 ? 0 : padded ? 4 : rest + 1)
    }

    /// Encodes `input` into `out` (at least `encodedCount` long); returns the characters written.
    static func encode(_ input: UnsafeRawBufferPointer, alphabet: [UInt8], padded: Bool,
                       into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let whole = input.count / 3
        let rest = input.count - whole * 3
        let count = encodedCount(input.count, padded: padded)
        precondition(out.count >= count, "\(out.count) characters of room for \(count)")
        return alphabet.withUnsafeBufferPointer { table in
            var at = 0
            func put(_ chunk: UInt32, _ shift: UInt32) {
                out[at] = table[Int((chunk >> shift) & 63)]
                at += 1
            }
            for group in 0..<whole {
                let index = group * 3
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                put(chunk, 18); put(chunk, 12); put(chunk, 6); put(chunk, 0)
            }
            if rest > 0 {
                var chunk = UInt32(input[whole * 3]) << 16
                if rest == 2 { chunk |= UInt32(input[whole * 3 + 1]) << 8 }
                put(chunk, 18); put(chunk, 12)
                if rest == 2 { put(chunk, 6) }
                if padded {
                    for _ in rest..<3 { out[at] = UInt8(ascii: "="); at += 1 }
                }
            }
            precondition(at == count, "wrote \(at) base64 characters, computed \(count)")
            return count
        }
    }
}
