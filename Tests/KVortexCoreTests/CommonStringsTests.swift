@testable import KVortexCore
import Testing

/// Decoding strings where they lie: known content types come back shared, others validated, and bytes
/// that are not UTF-8 are refused, through both readers.
@Suite struct CommonStringsTests {
    static func encoded(_ bytes: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(UInt64(bytes.count))
        return writer.bytes + bytes
    }

    static func readBoth(_ bytes: [UInt8]) -> [Result<String, DecodeError>] {
        var array = ByteReader(encoded(bytes))
        let fromArray = Result { () throws(DecodeError) in try array.readString(lengthMax: 100) }
        let fromRaw = encoded(bytes).withUnsafeBytes { raw in
            var reader = RawByteReader(raw)
            return Result { () throws(DecodeError) in try reader.readString(lengthMax: 100) }
        }
        return [fromArray, fromRaw]
    }

    @Test func knownUnknownAndInvalid() {
        for text in ["application/octet-stream", "text/plain", "image/x-some-long-vendor-type", "", "ünïcödé/type"] {
            #expect(Self.readBoth(Array(text.utf8)) == [.success(text), .success(text)], "\(text)")
        }
        #expect(Self.readBoth([0x61, 0xFF, 0xFE]) == [.failure(.invalidUTF8), .failure(.invalidUTF8)])
        let invalidLong = Array("application/octet-strea".utf8) + [0xC3]  // as long as a known one, not UTF-8
        #expect(Self.readBoth(invalidLong) == [.failure(.invalidUTF8), .failure(.invalidUTF8)])
    }

    /// `skipString` (validation of an object kept encoded) refuses exactly what `readString` refuses.
    @Test func skippingChecksWhatReadingChecks() {
        let cases: [[UInt8]] = ["application/octet-stream", "text/plain", "ünïcödé/type", "", "image/x-some-long-vendor-type"]
            .map { Array($0.utf8) } + [[0x61, 0xFF, 0xFE], Array("application/octet-strea".utf8) + [0xC3], [0xE2, 0x82], Array(repeating: 0x41, count: 101)]
        for bytes in cases {
            let read = Self.readBoth(bytes)[1]
            let skipped = Self.encoded(bytes).withUnsafeBytes { raw in
                var reader = RawByteReader(raw)
                return Result { () throws(DecodeError) in try reader.skipString(lengthMax: 100); return reader.remaining }
            }
            switch (read, skipped) {
            case (.success, .success(let left)): #expect(left == 0, "\(bytes)")
            case (.failure(let readError), .failure(let skipError)): #expect(readError == skipError, "\(bytes)")
            default: Issue.record("read \(read), skipped \(skipped) for \(bytes)")
            }
        }
    }
}
