extension HTTPParser {
    /// Frames the body after a complete head: Content-Length, chunked, or none.
    mutating func parseBody(_ buffer: UnsafeRawBufferPointer, headEnd: Int, framing: BodyFraming,
                            request: ParsedRequest) -> HTTPParseResult {
        var request = request
        if framing.chunked {
            guard framing.contentLength == nil else {
                return .failure(Self.malformed("Content-Length and Transfer-Encoding together"))
            }
            switch dechunk(buffer, from: headEnd) {
            case .incomplete:
                return .incomplete(headComplete: true, expectsContinue: framing.expectsContinue)
            case .failure(let failure):
                return .failure(failure)
            case .complete(let end):
                request.bodyIsDechunked = true
                request.bodyStart = 0
                request.bodyCount = chunkedBody.count
                return .request(request, consumed: end)
            }
        }
        let length = framing.contentLength ?? 0
        guard length <= limits.bodyBytesMax else {
            return .failure(Self.limitFailure(.bodyBytes, 413, "body of \(length) bytes exceeds \(limits.bodyBytesMax)"))
        }
        guard buffer.count - headEnd >= length else {
            return .incomplete(headComplete: true, expectsContinue: framing.expectsContinue)
        }
        request.bodyStart = headEnd
        request.bodyCount = length
        return .request(request, consumed: headEnd + length)
    }

    /// Decodes a chunked body that starts at `from` into `chunkedBody`; `.complete(end)` is the index
    /// after the final CRLF (after any trailers).
    mutating func dechunk(_ buffer: UnsafeRawBufferPointer, from: Int) -> HeadResult {
        chunkedBody.removeAll(keepingCapacity: true)
        var index = from
        while true {
            guard let lineEnd = Self.findLineEnd(buffer, from: index, limit: 1024) else {
                return buffer.count - index > 1024 ? .failure(Self.malformed("chunk size line too long")) : .incomplete
            }
            guard lineEnd >= 0 else { return .failure(Self.malformed("chunk size line must end with CRLF")) }
            guard let size = Self.chunkSize(UnsafeRawBufferPointer(rebasing: buffer[index..<lineEnd])) else {
                return .failure(Self.malformed("invalid chunk size"))
            }
            index = lineEnd + 2
            if size == 0 { return skipTrailers(buffer, from: index) }
            guard chunkedBody.count + size <= limits.bodyBytesMax else {
                return .failure(Self.limitFailure(.bodyBytes, 413, "chunked body exceeds \(limits.bodyBytesMax) bytes"))
            }
            guard buffer.count - index >= size + 2 else { return .incomplete }
            guard buffer[index + size] == 13, buffer[index + size + 1] == 10 else {
                return .failure(Self.malformed("chunk data not followed by CRLF"))
            }
            chunkedBody.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<(index + size)]))
            index += size + 2
        }
    }

    /// Trailer fields after the last chunk are read and ignored, within the header size bound.
    private func skipTrailers(_ buffer: UnsafeRawBufferPointer, from: Int) -> HeadResult {
        var index = from
        while true {
            // A trailer line ends within the bound (its CRLF included); the empty last line may follow it.
            let crIndexMax = max(from + limits.headerBytesMax - 2, index)
            guard let lineEnd = Self.findLineEnd(buffer, from: index, limit: crIndexMax - index + 2) else {
                return Self.lineCannotEnd(buffer, from: index, byIndex: crIndexMax)
                    ? .failure(Self.limitFailure(.headerBytes, 431, "trailers larger than \(limits.headerBytesMax) bytes"))
                    : .incomplete
            }
            guard lineEnd >= 0 else { return .failure(Self.malformed("trailer lines must end with CRLF")) }
            if lineEnd == index { return .complete(end: lineEnd + 2) }
            guard lineEnd + 2 - from <= limits.headerBytesMax else {
                return .failure(Self.limitFailure(.headerBytes, 431, "trailers larger than \(limits.headerBytesMax) bytes"))
            }
            index = lineEnd + 2
        }
    }

    /// Hex chunk size, ignoring chunk extensions after `;`; nil when malformed or over 15 hex digits.
    static func chunkSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var value = 0
        var digits = 0
        for byte in line {
            let digit: Int
            switch byte {
            case 0x30...0x39: digit = Int(byte - 0x30)
            case 0x41...0x46: digit = Int(byte - 0x41 + 10)
            case 0x61...0x66: digit = Int(byte - 0x61 + 10)
            case UInt8(ascii: ";"), 32, 9:
                return digits > 0 ? value : nil
            default:
                return nil
            }
            digits += 1
            guard digits <= 15 else { return nil }
            value = value << 4 | digit
        }
        return digits > 0 ? value : nil
    }
}
