/// How the body of a request is framed, from its headers.
struct BodyFraming {
    var contentLength: Int?
    var chunked = false
    var expectsContinue = false
    var connectionClose = false
    var connectionKeepAlive = false
}

enum HeadResult {
    case incomplete
    case complete(end: Int)
    case failure(HTTPParseFailure)
}

extension HTTPParser {
    /// `METHOD SP request-target SP HTTP/1.x`.
    func parseRequestLine(_ buffer: UnsafeRawBufferPointer, start: Int, end: Int, into request: inout ParsedRequest,
                          isHTTP10: inout Bool) -> HTTPParseFailure? {
        var space1 = start
        while space1 < end && buffer[space1] != 32 {
            guard Self.isTokenByte(buffer[space1]) else { return Self.malformed("invalid character in the method") }
            space1 += 1
        }
        guard space1 > start, space1 < end else { return Self.malformed("malformed request line") }
        request.method = HTTPMethod.parse(UnsafeRawBufferPointer(rebasing: buffer[start..<space1]))
        let targetStart = space1 + 1
        var space2 = targetStart
        var question = -1
        while space2 < end && buffer[space2] != 32 {
            let byte = buffer[space2]
            guard byte > 32 && byte != 127 else { return Self.malformed("invalid character in the request target") }
            if byte == UInt8(ascii: "?") && question < 0 { question = space2 }
            space2 += 1
        }
        guard space2 > targetStart, space2 < end, buffer[targetStart] == UInt8(ascii: "/") || buffer[targetStart] == UInt8(ascii: "*") else {
            return Self.malformed("malformed request target")
        }
        let version = UnsafeRawBufferPointer(rebasing: buffer[(space2 + 1)..<end])
        if version.equals("HTTP/1.1") {
            isHTTP10 = false
        } else if version.equals("HTTP/1.0") {
            isHTTP10 = true
        } else if version.starts(with: "HTTP/" as StaticString) {
            return HTTPParseFailure(status: 505, code: "http_version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are served", limit: nil)
        } else {
            return Self.malformed("malformed HTTP version")
        }
        request.pathStart = targetStart
        request.pathCount = (question < 0 ? space2 : question) - targetStart
        request.queryStart = question < 0 ? space2 : question + 1
        request.queryCount = question < 0 ? 0 : space2 - question - 1
        return nil
    }

    /// Header lines up to the empty line; records their ranges and the body framing.
    mutating func parseHeaders(_ buffer: UnsafeRawBufferPointer, from: Int, headStart: Int,
                               framing: inout BodyFraming) -> HeadResult {
        headers.removeAll(keepingCapacity: true)
        var lineStart = from
        while true {
            let remainingBudget = limits.headerBytesMax - (lineStart - headStart)
            // Every line's CR, the empty last line's too, lies within the bound: search no further than its LF.
            guard let lineEnd = Self.findLineEnd(buffer, from: lineStart, limit: max(remainingBudget + 2, 0)) else {
                if Self.lineCannotEnd(buffer, from: lineStart, byIndex: headStart + limits.headerBytesMax) {
                    return .failure(Self.limitFailure(.headerBytes, 431, "request head larger than \(limits.headerBytesMax) bytes"))
                }
                return .incomplete
            }
            guard lineEnd >= 0 else { return .failure(Self.malformed("header lines must end with CRLF")) }
            guard lineEnd + 2 - headStart <= limits.headerBytesMax + 2 else {
                return .failure(Self.limitFailure(.headerBytes, 431, "request head larger than \(limits.headerBytesMax) bytes"))
            }
            if lineEnd == lineStart { return .complete(end: lineEnd + 2) }
            guard headers.count < limits.headerCountMax else {
                return .failure(Self.limitFailure(.headerCount, 431, "more than \(limits.headerCountMax) header lines"))
            }
            if let failure = parseHeaderLine(buffer, start: lineStart, end: lineEnd, framing: &framing) {
                return .failure(failure)
            }
            lineStart = lineEnd + 2
        }
    }

    private mutating func parseHeaderLine(_ buffer: UnsafeRawBufferPointer, start: Int, end: Int,
                                          framing: inout BodyFraming) -> HTTPParseFailure? {
        var colon = start
        while colon < end && buffer[colon] != UInt8(ascii: ":") {
            guard Self.isTokenByte(buffer[colon]) else { return Self.malformed("invalid character in a header name") }
            colon += 1
        }
        guard colon > start, colon < end else { return Self.malformed("header line without a name or colon") }
        var valueStart = colon + 1
        var valueEnd = end
        while valueStart < valueEnd && (buffer[valueStart] == 32 || buffer[valueStart] == 9) { valueStart += 1 }
        while valueEnd > valueStart && (buffer[valueEnd - 1] == 32 || buffer[valueEnd - 1] == 9) { valueEnd -= 1 }
        for index in valueStart..<valueEnd {
            let byte = buffer[index]
            guard byte >= 32 || byte == 9, byte != 127 else { return Self.malformed("control character in a header value") }
        }
        let range = HTTPHeaderRange(nameStart: start, nameCount: colon - start, valueStart: valueStart, valueCount: valueEnd - valueStart)
        headers.append(range)
        return noteFraming(buffer, range, &framing)
    }

    /// Reads the headers that decide framing and connection handling.
    private func noteFraming(_ buffer: UnsafeRawBufferPointer, _ range: HTTPHeaderRange, _ framing: inout BodyFraming) -> HTTPParseFailure? {
        let value = UnsafeRawBufferPointer(rebasing: buffer[range.valueStart..<(range.valueStart + range.valueCount)])
        func named(_ name: StaticString) -> Bool {
            HTTPRequest.isName(name, in: buffer, at: range.nameStart, count: range.nameCount)
        }
        if named("content-length") {
            guard let length = Self.decimal(value) else { return Self.malformed("invalid Content-Length") }
            if let existing = framing.contentLength, existing != length { return Self.malformed("conflicting Content-Length headers") }
            framing.contentLength = length
        } else if named("transfer-encoding") {
            guard Self.equalsLowercase(value, "chunked") else {
                return HTTPParseFailure(status: 501, code: "not_implemented", message: "only Transfer-Encoding: chunked is supported", limit: nil)
            }
            framing.chunked = true
        } else if named("expect") {
            guard Self.equalsLowercase(value, "100-continue") else {
                return HTTPParseFailure(status: 417, code: "expectation_failed", message: "only Expect: 100-continue is supported", limit: nil)
            }
            framing.expectsContinue = true
        } else if named("connection") {
            if Self.containsToken(value, "close") { framing.connectionClose = true }
            if Self.containsToken(value, "keep-alive") { framing.connectionKeepAlive = true }
        }
        return nil
    }

    /// RFC 9110 tchar: letters, digits and ``!#$%&'*+-.^_`|~``, as two 64-bit masks over ASCII.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        byte < 128 && (byte < 64 ? tokenBytesBelow64 : tokenBytesFrom64) >> UInt64(byte & 63) & 1 != 0
    }

    /// Bit b set when byte b (0–63), respectively 64 + b, is a tchar (ParserTests checks them against
    /// RFC 9110's list). Literals, so reading them costs no lazy initialisation.
    static let tokenBytesBelow64: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenBytesFrom64: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// A non-negative decimal of at most 15 digits, or nil.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        bytes.count == lowercase.utf8CodeUnitCount
            && HTTPRequest.equalsIgnoringCase(bytes, at: 0, UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    /// True when the comma-separated list `bytes` holds `token` (case-insensitive).
    static func containsToken(_ bytes: UnsafeRawBufferPointer, _ token: StaticString) -> Bool {
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            var low = start, high = end
            while low < high && (bytes[low] == 32 || bytes[low] == 9) { low += 1 }
            while high > low && (bytes[high - 1] == 32 || bytes[high - 1] == 9) { high -= 1 }
            if equalsLowercase(UnsafeRawBufferPointer(rebasing: bytes[low..<high]), token) { return true }
            start = end + 1
        }
        return false
    }
}
