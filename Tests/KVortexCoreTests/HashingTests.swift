import Testing
@testable import KVortexCore

/// Frozen algorithms: the vectors are the contract (changing xxHash64 moves every key; changing
/// CRC-32C orphans every stored record and issued token).
@Suite struct HashingTests {
    @Test func xxHash64Vectors() {
        let vectors: [([UInt8], UInt64)] = [
            (Array("".utf8), 0xEF46_DB37_51D8_E999),
            (Array("a".utf8), 0xD24E_C4F1_A98C_6E5B),
            (Array("abc".utf8), 0x44BC_2CF5_AD77_0999),
            (Array("key0".utf8), 0x6290_E6BC_61D2_44BB),
            (Array("hello world".utf8), 0x45AB_6734_B21E_6968),
            ((0..<40).map { UInt8($0) }, 0xF5DA_40F1_B117_41E9),
            ((0..<100).map { UInt8($0) }, 0x6AC1_E580_3216_6597),
        ]
        for (bytes, hash) in vectors {
            #expect(StableHash.hash64(bytes) == hash, "\(bytes.count) bytes")
        }
    }

    /// The array, slice and raw-buffer entry points agree, including slices that do not start at 0.
    @Test func everyEntryPointAgrees() {
        var random = TestRandom(seed: 11)
        let buffer = random.bytes(count: 200)
        for start in [0, 1, 3, 7] {
            for count in 0..<(buffer.count - start) where count < 70 || count % 13 == 0 {
                let slice = buffer[start..<(start + count)]
                let expected = StableHash.hash64(Array(slice))
                #expect(StableHash.hash64(slice) == expected, "start \(start) count \(count)")
                #expect(slice.withUnsafeBytes { StableHash.hash64($0) } == expected, "start \(start) count \(count)")
            }
        }
    }

    @Test func crc32cVectors() {
        // RFC 3720 §B.4, and the classic check value.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    /// The eight-bytes-a-step loop agrees with the plain bitwise definition at every length and
    /// alignment (the vectors above are all 9 or 32 bytes long).
    @Test func crc32cMatchesTheBitwiseDefinition() {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc = ~UInt32(0)
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var random = TestRandom(seed: 9)
        let bytes = random.bytes(count: 300)
        for start in 0..<9 {
            for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200, 291 - start] {
                let slice = bytes[start..<(start + count)]
                #expect(CRC32C.checksum(slice) == bitwise(slice), "start \(start) count \(count)")
            }
        }
    }

    @Test func crc32cContinues() {
        var random = TestRandom(seed: 2)
        let bytes = random.bytes(count: 100)
        let whole = CRC32C.checksum(bytes)
        for cut in [0, 1, 50, 99, 100] {
            #expect(CRC32C.checksum(bytes[cut...], continuing: CRC32C.checksum(bytes[..<cut])) == whole, "cut \(cut)")
        }
    }

    @Test func splitMix64IsPinned() {
        // The simulator's and nodes' generator: its reference output for seed 0 (Vigna's splitmix64.c).
        var random = SplitMix64(seed: 0)
        #expect([random.next(), random.next(), random.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }
}
