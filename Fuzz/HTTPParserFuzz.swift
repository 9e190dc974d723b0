@testable import KVortexNet

// Target `http`: the request parser (KVortexNet/HTTPParser*.swift). The first input byte picks how the
// rest is cut into reads; the rest is the byte stream of a connection. Properties: parsing gives
// requests, then a clean error or a need-more state, never a trap; every range lies in the bytes
// parsed; nothing grows past its limit; a request waiting for more bytes fits the connection's
// buffer; and the stream read in those pieces parses exactly as when it arrives at once.

/// Small limits, so inputs of a few kilobytes reach every bound.
let limits: HTTPParserLimits = {
    var limits = HTTPParserLimits()
    limits.requestLineBytesMax = 64
    limits.headerBytesMax = 256
    limits.headerCountMax = 8
    limits.bodyBytesMax = 512
    return limits
}()

/// The most a connection holds for one request: `HTTPConnection.makeRoom` grows its read buffer to this
/// and no further, and closes the connection when it is full. A parser still answering `incomplete`
/// there would leave the client without a reply.
let bufferedBytesMax = limits.headerBytesMax + limits.bodyBytesMax + 4096

func fuzzSeeds() -> [[UInt8]] {
    let streams = [
        "GET /kv/a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
        "\r\nPOST /set?key=k HTTP/1.1\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        "PUT /kv/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nDELETE /kv/c HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET /health HTTP/1.1\r\n\r\nGET /ready HTTP/1.1\r\nContent-Length: 0\r\n\r\nPOST /batch HTTP/1.1\r\n",
    ]
    return streams.enumerated().map { index, stream in [UInt8(index * 37)] + Array(stream.utf8) }
}

func fuzzOne(_ input: [UInt8]) {
    guard let splitSeed = input.first else { return }
    let stream = Array(input.dropFirst())
    let whole = parseStream(stream, pieces: [stream.count])
    let split = parseStream(stream, pieces: pieceSizes(of: stream.count, seed: splitSeed))
    require(whole == split, "split reads parse differently:\n  at once \(whole)\n  in pieces \(split)")
}

/// What a connection made of a byte stream: its requests in order, then how it stopped.
struct StreamOutcome: Equatable {
    enum End: Equatable {
        case drained
        case incomplete(headComplete: Bool, expectsContinue: Bool)
        case failure(HTTPParseFailure)
    }

    var requests: [RequestSummary] = []
    var end = End.drained
}

/// A parsed request as bytes, to compare one parse with another.
struct RequestSummary: Equatable {
    var method: HTTPMethod
    var path, query, body: [UInt8]
    var headers: [[UInt8]]
    var keepAlive: Bool
    var consumed: Int
}

/// Cuts `count` bytes into reads: one byte each for seed 0 mod 64, otherwise up to `seed % 64 + 1`
/// bytes each, and never more than 256 reads (the parser re-reads a request from its start on every
/// read, so more would make a long input slow without testing more).
func pieceSizes(of count: Int, seed: UInt8) -> [Int] {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    let sizeMin = max(1, count / 256)
    var sizes: [Int] = []
    var total = 0
    while total < count {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17  // xorshift64
        let size = min(count - total, max(sizeMin, Int(state % UInt64(seed % 64 + 1)) + 1))
        sizes.append(size)
        total += size
    }
    return sizes
}

/// Feeds `stream` to a parser in reads of `pieces` bytes, parsing after each read as
/// `HTTPConnection.processInput` does: every complete request, until one is incomplete or fails.
func parseStream(_ stream: [UInt8], pieces: [Int]) -> StreamOutcome {
    var parser = HTTPParser(limits: limits)
    var outcome = StreamOutcome()
    var start = 0
    var received = 0
    for piece in pieces {
        received += piece
        outcome.end = .drained
        while start < received {
            let result = stream.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[start..<received])) }
            switch result {
            case .incomplete(let headComplete, let expectsContinue):
                require(received - start <= bufferedBytesMax,
                        "asks for more than a connection buffers: \(received - start) bytes held, at most \(bufferedBytesMax)")
                outcome.end = .incomplete(headComplete: headComplete, expectsContinue: expectsContinue)
            case .failure(let failure):
                outcome.end = .failure(failure)
                return outcome
            case .request(let request, let consumed):
                outcome.requests.append(summary(request, consumed: consumed, of: Array(stream[start..<received]), parser: parser))
                start += consumed
                continue
            }
            break
        }
    }
    return outcome
}

/// Checks that the request's ranges lie in the parsed bytes and its parts within their limits.
func summary(_ request: ParsedRequest, consumed: Int, of bytes: [UInt8], parser: HTTPParser) -> RequestSummary {
    require(consumed > 0 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count) bytes")
    func slice(_ start: Int, _ count: Int, within end: Int, _ name: String) -> [UInt8] {
        require(start >= 0 && count >= 0 && start <= end - count, "\(name) \(start)+\(count) outside 0..<\(end)")
        return Array(bytes[start..<(start + count)])
    }
    let head = slice(request.headStart, request.headCount, within: consumed, "head")
    require(parser.headers.count <= limits.headerCountMax, "\(parser.headers.count) headers")
    let headers = parser.headers.map { range in
        slice(range.nameStart, range.nameCount, within: head.count, "header name") + [0]
            + slice(range.valueStart, range.valueCount, within: head.count, "header value")
    }
    let body = request.bodyIsDechunked
        ? parser.chunkedBody : slice(request.bodyStart, request.bodyCount, within: consumed, "body")
    require(body.count <= limits.bodyBytesMax, "body of \(body.count) bytes")
    return RequestSummary(
        method: request.method, path: slice(request.pathStart, request.pathCount, within: head.count, "path"),
        query: slice(request.queryStart, request.queryCount, within: head.count, "query"), body: body,
        headers: headers, keepAlive: request.keepAlive, consumed: consumed)
}
