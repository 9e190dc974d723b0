import Glibc

/// Bounds the parser enforces; each hit is answered with the status API.md gives.
public struct HTTPParserLimits: Sendable {
    /// Longest request line (method, target, version); longer is 414.
    public var requestLineBytesMax = 8 * 1024
    /// Largest request head (request line and headers); larger is 431.
    public var headerBytesMax = 16 * 1024
    /// Most header lines; more is 431.
    public var headerCountMax = 100
    /// Largest body; larger is 413.
    public var bodyBytesMax = (1 << 20) + 64 * 1024

    public init() {}

    /// Most bytes one request may take, chunk framing and trailers included; a request that needs more
    /// is 413. A connection's read buffer grows to this and no further (`HTTPConnection.makeRoom`).
    public var requestBytesMax: Int { headerBytesMax + bodyBytesMax + 4096 }
}

/// What parsing the buffered bytes of a connection found.
enum HTTPParseResult {
    /// More bytes are needed. `headComplete` with `expectsContinue` asks for a `100 Continue`.
    case incomplete(headComplete: Bool, expectsContinue: Bool)
    /// A complete request of `consumed` bytes; ranges are offsets into the parsed buffer.
    case request(ParsedRequest, consumed: Int)
    /// Malformed or over a limit: answer `status` and close the connection.
    case failure(HTTPParseFailure)
}

struct HTTPParseFailure: Error, Equatable {
    let status: Int
    let code: String
    let message: String
    /// Which limit was hit, for the server's counters; nil for malformed input.
    let limit: HTTPLimit?
}

/// The limits the server counts hits of (`HTTPServerStats.limitHits`).
public enum HTTPLimit: Int, CaseIterable, Sendable {
    case requestLine, headerBytes, headerCount, bodyBytes, connections, headerTimeout, bodyTimeout, pipelineDepth

    public var label: String {
        switch self {
        case .requestLine: "request_line_bytes"
        case .headerBytes: "header_bytes"
        case .headerCount: "header_count"
        case .bodyBytes: "body_bytes"
        case .connections: "connections"
        case .headerTimeout: "header_timeout"
        case .bodyTimeout: "body_timeout"
        case .pipelineDepth: "pipeline_depth"
        }
    }
}

/// A request located in a buffer by offsets; `HTTPParser` fills it, the connection turns it into an
/// `HTTPRequest` pointing into the same buffer.
struct ParsedRequest {
    var method = HTTPMethod.other
    var pathStart = 0, pathCount = 0
    var queryStart = 0, queryCount = 0
    var headStart = 0, headCount = 0
    var bodyStart = 0, bodyCount = 0
    /// True when the body was chunked: it is in `HTTPParser.chunkedBody`, not in the buffer.
    var bodyIsDechunked = false
    var keepAlive = true
}

/// An incremental, strict HTTP/1.1 request parser working in place on a connection's read buffer.
///
/// Re-parses the head from the start of the unconsumed bytes on each call (heads are small and bounded
/// by `headerBytesMax`), so it keeps no partial state beyond reusable scratch arrays.
struct HTTPParser {
    let limits: HTTPParserLimits
    /// Header ranges of the last request, reused between requests.
    var headers: [HTTPHeaderRange] = []
    /// The de-chunked body of the last chunked request.
    var chunkedBody: [UInt8] = []

    init(limits: HTTPParserLimits) {
        self.limits = limits
        headers.reserveCapacity(16)
    }

    /// Parses the request at the start of `buffer`, looking at its first `requestBytesMax` bytes only:
    /// a request still incomplete there is refused, as the connection could not buffer the rest. (A
    /// chunked body can take many times its size: one-byte chunks with long extensions; make fuzz.)
    mutating func parse(_ buffer: UnsafeRawBufferPointer) -> HTTPParseResult {
        let view = UnsafeRawBufferPointer(rebasing: buffer.prefix(limits.requestBytesMax))
        let result = parseRequest(view)
        guard case .incomplete = result, buffer.count > view.count else { return result }
        return .failure(Self.limitFailure(.bodyBytes, 413, "request larger than \(limits.requestBytesMax) bytes"))
    }

    private mutating func parseRequest(_ buffer: UnsafeRawBufferPointer) -> HTTPParseResult {
        var start = 0
        // RFC 9112 §2.2: ignore empty lines before a request line.
        while start + 1 < buffer.count, buffer[start] == 13, buffer[start + 1] == 10 { start += 2 }
        guard let lineEnd = Self.findLineEnd(buffer, from: start, limit: limits.requestLineBytesMax + 2) else {
            if Self.lineCannotEnd(buffer, from: start, byIndex: start + limits.requestLineBytesMax) {
                return .failure(Self.limitFailure(.requestLine, 414, "request line longer than \(limits.requestLineBytesMax) bytes"))
            }
            return .incomplete(headComplete: false, expectsContinue: false)
        }
        guard lineEnd >= 0 else { return .failure(Self.malformed("request line must end with CRLF")) }
        guard lineEnd - start <= limits.requestLineBytesMax else {
            return .failure(Self.limitFailure(.requestLine, 414, "request line longer than \(limits.requestLineBytesMax) bytes"))
        }
        var request = ParsedRequest()
        var isHTTP10 = false
        if let failure = parseRequestLine(buffer, start: start, end: lineEnd, into: &request, isHTTP10: &isHTTP10) {
            return .failure(failure)
        }
        var framing = BodyFraming()
        let headResult = parseHeaders(buffer, from: lineEnd + 2, headStart: start, framing: &framing)
        let headEnd: Int
        switch headResult {
        case .incomplete: return .incomplete(headComplete: false, expectsContinue: false)
        case .failure(let failure): return .failure(failure)
        case .complete(let end): headEnd = end
        }
        request.headStart = 0
        request.headCount = headEnd
        request.keepAlive = framing.connectionClose ? false : (isHTTP10 ? framing.connectionKeepAlive : true)
        return parseBody(buffer, headEnd: headEnd, framing: framing, request: request)
    }

    /// Index of the CR of the first CRLF at or after `from`, searching at most `limit` bytes; -1 for a
    /// bare LF (malformed); nil when no LF is there yet. A bare LF in the last byte searched is taken as
    /// not there: the line before it is already too long, and the caller says so, as it would have
    /// had the bytes up to that LF arrived first.
    /// The LF is found by `memchr`, which compares many bytes per instruction: headers are most of
    /// what a small request's parse reads.
    static func findLineEnd(_ buffer: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int? {
        let end = min(buffer.count, from + limit)
        guard from < end, let base = buffer.baseAddress,
              let found = memchr(base + from, 10, end - from) else { return nil }
        let index = base.distance(to: UnsafeRawPointer(found))
        if index > from && buffer[index - 1] == 13 { return index - 1 }
        return index == from + limit - 1 ? nil : -1
    }

    /// True when the line from `from`, whose LF has not arrived, can no longer have its CR at or before
    /// `crIndexMax`. A CR as the last byte may be the line's own, so a line exactly at its bound is not
    /// refused before its LF arrives: the same bytes parse alike however they are split (make fuzz).
    static func lineCannotEnd(_ buffer: UnsafeRawBufferPointer, from: Int, byIndex crIndexMax: Int) -> Bool {
        let crIndexEarliest = buffer.count > from && buffer[buffer.count - 1] == 13 ? buffer.count - 1 : buffer.count
        return crIndexEarliest > crIndexMax
    }

    static func limitFailure(_ limit: HTTPLimit, _ status: Int, _ message: String) -> HTTPParseFailure {
        let code = status == 414 ? "uri_too_long" : status == 413 ? "body_too_large" : "headers_too_large"
        return HTTPParseFailure(status: status, code: code, message: message, limit: limit)
    }

    static func malformed(_ message: String) -> HTTPParseFailure {
        HTTPParseFailure(status: 400, code: "bad_request", message: message, limit: nil)
    }
}
