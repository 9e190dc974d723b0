import Testing
@testable import KVortexNet
@testable import KVortexServer

/// `RequestOptionHeaders(request)`: the seven consistency headers read in one pass over a parsed
/// request, in any case, the first of a repeated header counting, look-alike names ignored.
@Suite struct RequestOptionHeadersTests {
    /// The option headers of the request `head` (a request line and headers, no body).
    func optionHeaders(_ head: String) -> RequestOptionHeaders? {
        var parser = HTTPParser(limits: HTTPParserLimits())
        let bytes = Array((head + "\r\n").utf8)
        return bytes.withUnsafeBytes { raw -> RequestOptionHeaders? in
            guard case .request(let parsed, _) = parser.parse(raw) else { return nil }
            return parser.headers.withUnsafeBufferPointer { headers in
                RequestOptionHeaders(HTTPRequest(
                    method: parsed.method, path: raw, query: raw, body: UnsafeRawBufferPointer(start: nil, count: 0),
                    keepAlive: true, head: raw, headers: headers))
            }
        }
    }

    @Test func everyHeaderIsReadInAnyCase() throws {
        let headers = try #require(optionHeaders(
            "GET /get?key=a HTTP/1.1\r\nHost: x\r\nx-consistency: all\r\nX-READ-QUORUM: 2\r\nX-Write-Quorum: 3\r\n"
                + "x-Sloppy-Quorum: false\r\nX-Timeout-Ms: 250\r\nX-Context: abc\r\nX-TTL: 60\r\n"))
        #expect(headers.consistency == "all")
        #expect(headers.readQuorum == "2")
        #expect(headers.writeQuorum == "3")
        #expect(headers.sloppyQuorum == "false")
        #expect(headers.timeoutMs == "250")
        #expect(headers.context == "abc")
        #expect(headers.ttl == "60")
    }

    @Test func aRequestWithoutThemHasNone() throws {
        let headers = try #require(optionHeaders("GET /get?key=a HTTP/1.1\r\nHost: x\r\nX-Request-Id: 7\r\nAccept: */*\r\n"))
        #expect(headers.isEmpty)
    }

    @Test func theFirstOfARepeatedHeaderCounts() throws {
        let headers = try #require(optionHeaders("GET /get?key=a HTTP/1.1\r\nX-Read-Quorum: 1\r\nx-read-quorum: 3\r\n"))
        #expect(headers.readQuorum == "1")
    }

    @Test func lookAlikeNamesAreIgnored() throws {
        let headers = try #require(optionHeaders(
            "GET /get?key=a HTTP/1.1\r\nX-Contexts: a\r\nX-TT: 1\r\nY-TTL: 5\r\nX_TTL: 6\r\nXX-Consistency: one\r\n"))
        #expect(headers.isEmpty)
    }
}
