import Testing
@testable import KVortexNet

/// The incremental parser on its own: framing, pipelining, chunking, and every malformed case.
@Suite struct ParserTests {
    func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> (HTTPParseResult, HTTPParser) {
        var parser = HTTPParser(limits: limits)
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        return (result, parser)
    }

    func request(_ text: String) -> (ParsedRequest, consumed: Int)? {
        if case .request(let request, let consumed) = parse(text).0 { return (request, consumed) }
        return nil
    }

    func failureStatus(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> Int? {
        if case .failure(let failure) = parse(text, limits: limits).0 { return failure.status }
        return nil
    }

    @Test func simpleGet() throws {
        let text = "GET /get?key=a%20b HTTP/1.1\r\nHost: x\r\nX-Consistency:  all \r\n\r\n"
        let (parsed, consumed) = try #require(request(text))
        #expect(consumed == text.utf8.count)
        #expect(parsed.method == .get)
        let bytes = Array(text.utf8)
        #expect(Array(bytes[parsed.pathStart..<(parsed.pathStart + parsed.pathCount)]) == Array("/get".utf8))
        #expect(Array(bytes[parsed.queryStart..<(parsed.queryStart + parsed.queryCount)]) == Array("key=a%20b".utf8))
        #expect(parsed.keepAlive)
        #expect(parsed.bodyCount == 0)
    }

    @Test func headerLookupIsCaseInsensitiveAndTrimmed() {
        let text = "GET / HTTP/1.1\r\nX-Consistency:  all \r\ncontent-TYPE: text/plain\r\n\r\n"
        var parser = HTTPParser(limits: HTTPParserLimits())
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            guard case .request(let parsed, _) = parser.parse(raw) else { Issue.record("not parsed"); return }
            parser.headers.withUnsafeBufferPointer { headers in
                let request = HTTPRequest(method: parsed.method, path: raw, query: raw, body: UnsafeRawBufferPointer(start: nil, count: 0),
                                          keepAlive: true, head: raw, headers: headers)
                #expect(request.header("x-consistency").map { Array($0) } == Array("all".utf8))
                #expect(request.header("Content-Type").map { Array($0) } == Array("text/plain".utf8))
                #expect(request.header("x-missing") == nil)
            }
        }
    }

    @Test func pipelinedRequestsParseOneAtATime() throws {
        let one = "POST /set?key=a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        let two = "GET /get?key=a HTTP/1.1\r\n\r\n"
        let (first, consumed) = try #require(request(one + two))
        #expect(consumed == one.utf8.count)
        #expect(first.bodyCount == 5)
        let (second, _) = try #require(request(two))
        #expect(second.method == .get)
    }

    @Test func everySplitPointIsIncompleteUntilTheEnd() {
        let text = "POST /set?key=k HTTP/1.1\r\nContent-Length: 11\r\nX-TTL: 3\r\n\r\nhello world"
        for cut in 0..<text.utf8.count {
            let prefix = String(decoding: Array(text.utf8)[..<cut], as: UTF8.self)
            guard case .incomplete = parse(prefix).0 else { Issue.record("cut \(cut) was not incomplete"); continue }
        }
        #expect(request(text) != nil)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /set?key=c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let (result, parser) = parse(text)
        guard case .request(let parsed, let consumed) = result else { Issue.record("not parsed: \(result)"); return }
        #expect(consumed == text.utf8.count)
        #expect(parsed.bodyIsDechunked)
        #expect(parser.chunkedBody == Array("hello world".utf8))
        for cut in stride(from: 0, to: text.utf8.count, by: 3) {
            let prefix = String(decoding: Array(text.utf8)[..<cut], as: UTF8.self)
            guard case .incomplete = parse(prefix).0 else { Issue.record("chunked cut \(cut)"); continue }
        }
    }

    @Test func expectContinueIsReported() {
        guard case .incomplete(let headComplete, let expects) = parse("PUT /kv/a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").0 else {
            Issue.record("expected incomplete"); return
        }
        #expect(headComplete && expects)
    }

    @Test func http10AndConnectionHeaders() throws {
        #expect(try #require(request("GET / HTTP/1.0\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).0.keepAlive == true)
        #expect(try #require(request("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(request("\r\nGET / HTTP/1.1\r\n\r\n")).0.method == .get, "a leading empty line is ignored")
    }

    @Test func malformedInputIsRefused() {
        let cases: [(String, Int)] = [
            ("GET / HTTP/1.1\nHost: x\r\n\r\n", 400),            // bare LF
            ("GET  / HTTP/1.1\r\n\r\n", 400),                     // empty target
            ("GET / HTTP/2.0\r\n\r\n", 505),
            ("GET / FTP/1.1\r\n\r\n", 400),
            ("G@T / HTTP/1.1\r\n\r\n", 400),
            ("GET nope HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
            ("PUT / HTTP/1.1\r\nExpect: teapot\r\n\r\n", 417),
        ]
        for (text, status) in cases {
            #expect(failureStatus(text) == status, "\(text.debugDescription)")
        }
    }

    @Test func limitsAtAndPastTheirBounds() {
        var limits = HTTPParserLimits()
        limits.requestLineBytesMax = 64
        limits.headerBytesMax = 256
        limits.headerCountMax = 4
        limits.bodyBytesMax = 10
        func line(_ length: Int) -> String {
            let prefix = "GET /", suffix = " HTTP/1.1"
            return prefix + String(repeating: "a", count: length - prefix.count - suffix.count) + suffix
        }
        #expect(failureStatus(line(64) + "\r\n\r\n", limits: limits) == nil, "exactly at the bound")
        #expect(failureStatus(line(65) + "\r\n\r\n", limits: limits) == 414)
        #expect(failureStatus(line(65), limits: limits) == 414, "refused before the line even ends")
        let fourHeaders = (0..<4).map { "H\($0): v\r\n" }.joined()
        #expect(failureStatus("GET / HTTP/1.1\r\n" + fourHeaders + "\r\n", limits: limits) == nil)
        #expect(failureStatus("GET / HTTP/1.1\r\n" + fourHeaders + "H9: v\r\n\r\n", limits: limits) == 431)
        let big = "GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 300) + "\r\n\r\n"
        #expect(failureStatus(big, limits: limits) == 431)
        #expect(failureStatus("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits) == nil)
        #expect(failureStatus("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits: limits) == 413)
        #expect(failureStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", limits: limits) == 413)
    }

    /// The token masks against RFC 9110's tchar list, byte by byte.
    @Test func tokenBytesAreExactlyRFC9110sTchars() {
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let letter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            let tchar = letter || (0x30...0x39).contains(byte) || symbols.contains(byte)
            #expect(HTTPParser.isTokenByte(byte) == tchar, "byte \(value)")
        }
    }

    /// Where a line ends: the CR of its CRLF, -1 for a bare LF, nil when no LF is within the limit
    /// (or the LF is the last byte searched), from any start.
    @Test func lineEnds() {
        func end(_ text: String, from: Int = 0, limit: Int = 100) -> Int? {
            Array(text.utf8).withUnsafeBytes { HTTPParser.findLineEnd($0, from: from, limit: limit) }
        }
        #expect(end("ab\r\ncd\r\n") == 2)
        #expect(end("ab\r\ncd\r\n", from: 4) == 6)
        #expect(end("ab\ncd") == -1)
        #expect(end("\n") == -1)
        #expect(end("abcd") == nil)
        #expect(end("") == nil)
        #expect(end("ab\r\n", from: 4) == nil)
        #expect(end("abc\r\n", limit: 5) == 3)  // the LF is the 5th byte searched, after a CR
        #expect(end("abcd\n", limit: 5) == nil)  // a bare LF as the last byte searched: the line is too long
        #expect(end("abcd\r\n", limit: 5) == nil)  // the LF lies past the limit
    }
}
