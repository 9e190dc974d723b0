import Testing
@testable import KVortexCore

/// Frozen algorithms: the vectors are the contract (changing them moves every key).
@Suite struct HashingTests {
    @Test func xxHash64Vectors() {
        #expect(StableHash.hash64(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(StableHash.hash64(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(StableHash.hash64(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(StableHash.hash64(Array("key0".utf8)) == 0x6290_E6BC_61D2_44BB)
        #expect(StableHash.hash64(Array("hello world".utf8)) == 0x45AB_6734_B21E_6968)
        #expect(StableHash.hash64((0..<40).map { UInt8($0) }) == 0xF5DA_40F1_B117_41E9)
        #expect(StableHash.hash64((0..<100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
    }

    @Test func crc32cVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let whole = CRC32C.checksum(Array("hello world".utf8))
        #expect(CRC32C.checksum(Array(" world".utf8), continuing: CRC32C.checksum(Array("hello".utf8))) == whole)
    }

    @Test func base64Vectors() {
        // RFC 4648 §10.
        let cases = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in cases {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            let url = String(encoded.filter { $0 != "=" })
            #expect(Base64URL.encode(Array(plain.utf8)) == url)
            #expect(Base64URL.decode(url.utf8) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("Zm9v+".utf8) == nil)
        #expect(Base64URL.decode("Z".utf8) == nil, "a dangling sextet")
        #expect(Base64URL.decode("Zh".utf8) == nil, "stray low bits")
    }

    @Test func hybridClockIsMonotonicAndCausal() {
        var clock = HybridLogicalClock()
        let first = clock.tick(physicalMs: 1_000)
        let backwards = clock.tick(physicalMs: 900)
        #expect(backwards > first, "a clock going backwards still moves forward")
        #expect(backwards.physicalMs == 1_000 && backwards.logical == 1)
        clock.observe(HybridTimestamp(physicalMs: 5_000, logical: 7), physicalMs: 1_001)
        let after = clock.tick(physicalMs: 1_002)
        #expect(after > HybridTimestamp(physicalMs: 5_000, logical: 7))
        var carry = HybridLogicalClock(last: HybridTimestamp(physicalMs: 10, logical: UInt16.max))
        #expect(carry.tick(physicalMs: 10) == HybridTimestamp(physicalMs: 11, logical: 0), "the logical part carries")
    }

    @Test func partitionsSpreadEvenly() {
        let partitioning = Partitioning(partitionCount: 256)
        var counts = [Int](repeating: 0, count: 256)
        for index in 0..<100_000 { counts[partitioning.partition(of: Array("key\(index)".utf8))] += 1 }
        // 390.6 expected per partition; xxHash keeps every partition within ±25 %.
        #expect(counts.min()! > 290 && counts.max()! < 490, "min \(counts.min()!) max \(counts.max()!)")
        #expect(Partitioning(partitionCount: 1).partition(of: [1, 2, 3]) == 0)
    }

    @Test func actorsDifferByEpoch() {
        let node = NodeID("127.0.0.1:9080")
        #expect(ActorID(node: node, epoch: 1) != ActorID(node: node, epoch: 2))
        #expect(ActorID(node: node, epoch: 1) == ActorID(node: node, epoch: 1))
    }
}
