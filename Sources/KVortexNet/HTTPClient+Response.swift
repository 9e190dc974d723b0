extension HTTPClient {
    /// Reads one response: status line, headers, then a Content-Length or chunked body. Skips `100 Continue`.
    func readResponse(isHead: Bool) throws(NetError) -> Response {
        while true {
            let headEnd = try waitForHeadEnd()
            let headText = String(decoding: bufferPrefix(headEnd), as: UTF8.self)
            consume(headEnd + 4)
            var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
            guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
                throw .protocolError("malformed status line")
            }
            let headers = lines.compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces())
            }
            if status == 100 { continue }
            let body = try readBody(headers: headers, isHead: isHead || status == 204 || status == 304)
            return (status, headers, body)
        }
    }

    private func readBody(headers: [(String, String)], isHead: Bool) throws(NetError) -> [UInt8] {
        guard !isHead else { return [] }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        if header("transfer-encoding")?.lowercased() == "chunked" { return try readChunked() }
        guard let length = Int(header("content-length") ?? "0"), length >= 0, length <= Self.responseBytesMax else {
            throw .protocolError("invalid Content-Length")
        }
        while bufferCount < length { try fillMore() }
        let body = bufferPrefix(length)
        consume(length)
        return body
    }

    private func readChunked() throws(NetError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try waitForCRLF()
            let sizeText = String(decoding: bufferPrefix(lineEnd), as: UTF8.self).split(separator: ";").first ?? ""
            consume(lineEnd + 2)
            guard let size = Int(sizeText.trimmingCharacters(), radix: 16), size >= 0 else { throw .protocolError("bad chunk size") }
            if size == 0 {
                while try waitForCRLF() != 0 { consume(try waitForCRLF() + 2) }
                consume(2)
                return body
            }
            while bufferCount < size + 2 { try fillMore() }
            body += bufferPrefix(size)
            consume(size + 2)
            guard body.count <= Self.responseBytesMax else { throw .protocolError("chunked response too large") }
        }
    }

    private func waitForHeadEnd() throws(NetError) -> Int {
        while true {
            if let end = find([13, 10, 13, 10]) { return end }
            try fillMore()
        }
    }

    private func waitForCRLF() throws(NetError) -> Int {
        while true {
            if let end = find([13, 10]) { return end }
            try fillMore()
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    func trimmingCharacters() -> String { trimmingSpaces() }
}
