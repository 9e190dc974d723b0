@testable import KVortexBench
import Testing

/// Framing responses by their head: what the load generator accepts and what it refuses.
struct ResponseHeadTests {
    func parse(_ text: String) -> ResponseHead.Parse {
        Array(text.utf8).withUnsafeBytes { ResponseHead.parse($0) }
    }

    @Test func aContentLengthResponse() {
        let head = "HTTP/1.1 200 OK\r\nX-Siblings: 1\r\ncontent-LENGTH:  5 \r\n\r\n"
        #expect(parse(head + "hello") == .complete(ResponseHead(status: 200, headBytes: head.utf8.count, bodyBytes: 5, closesConnection: false)))
    }

    @Test func anUnfinishedHeadIsIncomplete() {
        #expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") == .incomplete)
        #expect(parse("") == .incomplete)
    }

    @Test func noContentHasNoBodyAndCloseIsNoticed() {
        let head = "HTTP/1.1 204 No Content\r\nConnection: Close\r\n\r\n"
        #expect(parse(head) == .complete(ResponseHead(status: 204, headBytes: head.utf8.count, bodyBytes: 0, closesConnection: true)))
    }

    @Test func responsesItCannotFrameAreRefused() {
        #expect(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") == .invalid("Transfer-Encoding is not supported"))
        #expect(parse("HTTP/1.1 200 OK\r\n\r\n") == .invalid("response without Content-Length"))
        #expect(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == .invalid("invalid Content-Length"))
        #expect(parse("HTTP/2 200\r\n\r\n") == .invalid("malformed status line"))
        #expect(parse("HTTP/1.1 2000 OK\r\n\r\n") == .invalid("malformed status line"))
        #expect(parse("HTTP/1.1 100 Continue\r\n\r\n") == .invalid("informational response 100"))
        #expect(parse("HTTP/1.1 200 OK\r\nbroken\r\n\r\n") == .invalid("header line without a colon"))
    }
}
