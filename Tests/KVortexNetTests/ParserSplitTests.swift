import Testing
@testable import KVortexNet

/// The same bytes parse alike however they are split into reads (inputs found by `make fuzz`): a line
/// exactly at its length bound is not refused while its LF has not arrived, and a bare LF after a line
/// that is too long is answered as too long whichever read brings it. And the parser never waits for
/// more than a connection buffers (`requestBytesMax`).
@Suite struct ParserSplitTests {
    enum Outcome: Equatable {
        case request, incomplete
        case failure(status: Int, message: String)
    }

    static let limits: HTTPParserLimits = {
        var limits = HTTPParserLimits()
        limits.requestLineBytesMax = 64
        limits.headerBytesMax = 256
        limits.bodyBytesMax = 512
        return limits
    }()

    func outcome(_ bytes: ArraySlice<UInt8>) -> Outcome {
        var parser = HTTPParser(limits: Self.limits)
        switch bytes.withUnsafeBytes({ parser.parse($0) }) {
        case .request: return .request
        case .incomplete: return .incomplete
        case .failure(let failure): return .failure(status: failure.status, message: failure.message)
        }
    }

    /// `text` parsed at once, after checking that every prefix of it is either incomplete or fails
    /// as `text` does (what a connection reading `text` in two reads would answer).
    func outcomeOfEverySplit(_ text: String) -> Outcome {
        let bytes = Array(text.utf8)
        let whole = outcome(bytes[...])
        for cut in 1..<bytes.count {
            let prefix = outcome(bytes[..<cut])
            #expect(prefix == .incomplete || prefix == whole, "first read of \(cut) of \(bytes.count) bytes: \(prefix), at once: \(whole)")
        }
        return whole
    }

    /// A request line of `length` bytes.
    func line(_ length: Int) -> String {
        "GET /" + String(repeating: "a", count: length - 14) + " HTTP/1.1"
    }

    @Test func aRequestLineAtItsBoundMayEndInTheNextRead() {
        #expect(outcomeOfEverySplit(line(64) + "\r\n\r\n") == .request)
    }

    @Test func aBareLFAfterARequestLineTooLongIsTooLong() {
        #expect(outcomeOfEverySplit(line(65) + "\nHost: x\r\n\r\n") == .failure(status: 414, message: "request line longer than 64 bytes"))
    }

    @Test func aHeadEndingAtTheBoundMayEndInTheNextRead() {
        let head = "GET / HTTP/1.1\r\nX: "  // the CR of the empty line ending the head lands on byte 256
        #expect(outcomeOfEverySplit(head + String(repeating: "b", count: 254 - head.utf8.count) + "\r\n\r\n") == .request)
        #expect(outcomeOfEverySplit(head + String(repeating: "b", count: 255 - head.utf8.count) + "\r\n\r\n")
            == .failure(status: 431, message: "request head larger than 256 bytes"))
        // The head cannot end in time after a header line ending on byte 255, whatever follows.
        #expect(outcomeOfEverySplit(head + String(repeating: "b", count: 255 - head.utf8.count) + "\r\n\nX")
            == .failure(status: 431, message: "request head larger than 256 bytes"))
    }

    @Test func trailersAtTheBoundMayEndInTheNextRead() {
        let body = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        let trailer = "T: " + String(repeating: "v", count: 256 - 5) + "\r\n"  // 256 bytes, CRLF included
        #expect(outcomeOfEverySplit(body + trailer + "\r\n") == .request)
        #expect(outcomeOfEverySplit(body + "T: " + String(repeating: "v", count: 300) + "\n\r\n")
            == .failure(status: 431, message: "trailers larger than 256 bytes"))
    }

    @Test func aRequestTheConnectionCouldNotBufferIsRefused() {
        let refused = Outcome.failure(status: 413, message: "request larger than \(Self.limits.requestBytesMax) bytes")
        #expect(outcomeOfEverySplit(String(repeating: "\r\n", count: 2_500) + "GET / HTTP/1.1\r\n\r\n") == refused)
        // 100 bytes of data in chunks of one byte with long extensions: 6.8 KB on the wire.
        let chunks = String(repeating: "1;" + String(repeating: "e", count: 60) + "\r\nx\r\n", count: 100)
        #expect(outcomeOfEverySplit("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n") == refused)
    }
}
