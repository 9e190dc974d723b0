/// Base64url without padding (RFC 4648 §5): the alphabet of context tokens.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes, alphabet: alphabet, padded: false)
    }

    /// `encode` of bytes where they lie.
    public static func encode(_ input: UnsafeRawBufferPointer) -> String {
        Base64.encode(input, alphabet: alphabet, padded: false)
    }

    /// Appends the encoding of `input` to `bytes` (a response's header lines), with no string between.
    public static func append(_ input: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        let count = Base64.encodedCount(input.count, padded: false)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { out in
            _ = Base64.encode(input, alphabet: alphabet, padded: false, into: out)
            bytes.append(contentsOf: out)
        }
    }

    /// Decodes unpadded base64url; nil for any other character, a dangling sextet or stray low bits.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in text {
            let sextet = decodeTable[Int(char)]
            guard sextet != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard bits < 6, accumulator == 0 else { return nil }
        return out
    }
}
