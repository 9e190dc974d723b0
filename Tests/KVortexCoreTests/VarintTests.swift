import Testing
@testable import KVortexCore

/// LEB128 varints: both readers (the raw one has its own loop) read what `ByteWriter` writes and refuse
/// the same bad input the same way.
@Suite struct VarintTests {
    static func readBoth(_ bytes: [UInt8]) -> (Result<UInt64, DecodeError>, Result<UInt64, DecodeError>, Int, Int) {
        var array = ByteReader(bytes)
        let fromArray = Result { () throws(DecodeError) in try array.readVarint() }
        return bytes.withUnsafeBytes { raw in
            var reader = RawByteReader(raw)
            let fromRaw = Result { () throws(DecodeError) in try reader.readVarint() }
            return (fromArray, fromRaw, array.offset, reader.offset)
        }
    }

    @Test func valuesRoundTripThroughBothReaders() {
        var values: [UInt64] = [0, 1, 127, 128, 255, 16_383, 16_384, .max, .max - 1, 1 << 63]
        var random = TestRandom(seed: 11)
        for _ in 0..<2_000 { values.append(random.next() >> UInt64(random.int(in: 0..<64))) }
        for value in values {
            var writer = ByteWriter()
            writer.writeVarint(value)
            let (array, raw, arrayOffset, rawOffset) = Self.readBoth(writer.bytes + [0xAA])
            #expect(array == .success(value) && raw == .success(value), "\(value)")
            #expect(arrayOffset == writer.bytes.count && rawOffset == writer.bytes.count, "\(value): the next byte is left")
        }
    }

    @Test func badVarintsFailAlikeInBothReaders() {
        let cases: [[UInt8]] = [
            [], [0x80], [0xFF, 0xFF], Array(repeating: 0xFF, count: 9),
            Array(repeating: 0xFF, count: 9) + [0x02],  // the 10th byte may carry 1 bit only
            Array(repeating: 0x80, count: 10) + [0x00],  // 11 bytes
            Array(repeating: 0xFF, count: 9) + [0x81, 0x00],
        ]
        for bytes in cases {
            let (array, raw, _, _) = Self.readBoth(bytes)
            #expect(array == raw, "\(bytes)")
            guard case .failure = raw else { Issue.record("\(bytes) read as \(raw)"); continue }
        }
        #expect(Self.readBoth(Array(repeating: 0xFF, count: 9) + [0x01]).1 == .success(.max))
    }

    /// Random bytes, mostly with the continuation bit set so long and overlong varints are common,
    /// with and without bytes after them (the raw reader loads eight bytes at once when it can).
    @Test func randomBytesReadAlikeInBothReaders() {
        var random = TestRandom(seed: 12)
        for _ in 0..<50_000 {
            let count = random.int(in: 0...14)
            let bytes = (0..<count).map { _ in
                UInt8(truncatingIfNeeded: random.next()) | (random.chance(4, in: 5) ? 0x80 : 0)
            }
            let (array, raw, arrayOffset, rawOffset) = Self.readBoth(bytes)
            #expect(array == raw, "\(bytes)")
            if case .success = raw { #expect(arrayOffset == rawOffset, "\(bytes)") }
        }
    }
}
