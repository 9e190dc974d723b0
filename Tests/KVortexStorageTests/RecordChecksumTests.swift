import CCRC32C
import KVortexCore
@testable import KVortexStorage
import Testing

/// The processor's CRC-32C and the table-driven one agree, so files written by either read back with the other.
@Suite struct RecordChecksumTests {
    @Test func theInstructionAndTheTablesAgree() {
        var bytes: [UInt8] = []
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: state >> 56))
        }
        #expect(RecordChecksum.checksum(Array("123456789".utf8)) == 0xE306_9283, "the CRC-32C check value")
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = bytes[start..<end]
                #expect(RecordChecksum.checksum(slice) == CRC32C.checksum(slice), "bytes \(start)..<\(end)")
            }
        }
        if RecordChecksum.usesHardware {
            let whole = bytes.withUnsafeBytes { kvortex_crc32c(0, $0.baseAddress!, $0.count) }
            let pieces = bytes.withUnsafeBytes { raw in
                kvortex_crc32c(kvortex_crc32c(0, raw.baseAddress!, 100), raw.baseAddress! + 100, raw.count - 100)
            }
            #expect(whole == pieces, "continuing from a previous CRC")
            #expect(whole == CRC32C.checksum(bytes))
        }
    }
}
