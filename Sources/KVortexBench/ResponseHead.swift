/// The head of one HTTP/1.1 response, as far as the load generator needs it: the status, where the
/// body starts and how long it is, and whether the server closes the connection after it.
///
/// Only `Content-Length` bodies are understood (KVortex and the anchors send nothing else); a chunked
/// or length-less response is refused rather than misread. Parsed on the bytes, without building a
/// `String`: it runs once per response in the generator's one thread (a `String`-based version cost
/// about 40 µs of CPU per response, more than the rest of the generator).
public struct ResponseHead: Sendable, Equatable {
    public let status: Int
    /// Bytes of the status line and headers, the blank line included.
    public let headBytes: Int
    public let bodyBytes: Int
    public let closesConnection: Bool

    public enum Parse: Sendable, Equatable {
        /// The blank line ending the head has not arrived yet.
        case incomplete
        case complete(ResponseHead)
        case invalid(String)
    }

    /// Parses the head at the start of `bytes`; reads nothing past its blank line.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        guard let end = headEnd(bytes) else { return .incomplete }
        guard let status = status(bytes, lineEnd: lineEnd(bytes, from: 0, limit: end)) else {
            return .invalid("malformed status line")
        }
        guard status >= 200 else { return .invalid("informational response \(status)") }
        var length: Int?
        var closes = false
        var start = lineEnd(bytes, from: 0, limit: end) + 2
        while start < end {
            let stop = lineEnd(bytes, from: start, limit: end)
            guard let colon = (start..<stop).first(where: { bytes[$0] == UInt8(ascii: ":") }) else {
                return .invalid("header line without a colon")
            }
            var valueStart = colon + 1
            while valueStart < stop && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
            var valueStop = stop
            while valueStop > valueStart && (bytes[valueStop - 1] == 32 || bytes[valueStop - 1] == 9) { valueStop -= 1 }
            if equalsIgnoringCase(bytes, start..<colon, Self.contentLength) {
                guard let parsed = decimal(bytes, valueStart..<valueStop) else { return .invalid("invalid Content-Length") }
                length = parsed
            } else if equalsIgnoringCase(bytes, start..<colon, Self.transferEncoding) {
                return .invalid("Transfer-Encoding is not supported")
            } else if equalsIgnoringCase(bytes, start..<colon, Self.connection) {
                closes = equalsIgnoringCase(bytes, valueStart..<valueStop, Self.close)
            }
            start = stop + 2
        }
        let bodyless = status == 204 || status == 304
        guard let length = bodyless ? 0 : length else { return .invalid("response without Content-Length") }
        return .complete(ResponseHead(status: status, headBytes: end + 4, bodyBytes: length, closesConnection: closes))
    }

    private static let contentLength = Array("content-length".utf8)
    private static let transferEncoding = Array("transfer-encoding".utf8)
    private static let connection = Array("connection".utf8)
    private static let close = Array("close".utf8)
    private static let version = Array("HTTP/1.".utf8)

    /// The index of the `\r\n\r\n` ending the head, if it is there.
    private static func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 {
            if bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 { return index }
        }
        return nil
    }

    /// The index of the `\r\n` ending the line that starts at `from` (`limit` if there is none before it).
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int {
        var index = from
        while index < limit && !(bytes[index] == 13 && bytes[index + 1] == 10) { index += 1 }
        return index
    }

    /// `HTTP/1.x NNN ...` -> NNN.
    private static func status(_ bytes: UnsafeRawBufferPointer, lineEnd: Int) -> Int? {
        guard lineEnd >= 12, (0..<7).allSatisfy({ bytes[$0] == version[$0] }), bytes[8] == 32 else { return nil }
        guard lineEnd == 12 || bytes[12] == 32 else { return nil }
        return decimal(bytes, 9..<12)
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// Whether `bytes[range]` is `lowercase` (ASCII letters compared without case).
    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: [UInt8]) -> Bool {
        guard range.count == lowercase.count else { return false }
        for (offset, index) in range.enumerated() {
            let byte = bytes[index]
            let folded = byte >= 65 && byte <= 90 ? byte | 0x20 : byte
            guard folded == lowercase[offset] else { return false }
        }
        return true
    }
}
