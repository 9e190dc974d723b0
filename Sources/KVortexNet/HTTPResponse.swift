import Glibc

/// A response to send: status, extra header lines (already formatted) and body.
///
/// `Content-Length`, and `Connection: close` when the connection ends, are added by the server.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    /// `Name: value\r\n` lines, built as bytes.
    var headerLines: [UInt8]

    public init(status: Int, body: [UInt8] = [], contentType: StaticString? = nil) {
        self.status = status
        self.body = body
        headerLines = []
        headerLines.reserveCapacity(192)
        if let contentType { addHeader("Content-Type", contentType) }
    }

    public mutating func addHeader(_ name: StaticString, _ value: String) {
        appendName(name)
        var value = value
        value.withUTF8 { appendSanitized(UnsafeRawBufferPointer($0)) }
        appendLineEnd()
    }

    public mutating func addHeader(_ name: StaticString, _ value: StaticString) {
        appendName(name)
        headerLines.append(contentsOf: UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        appendLineEnd()
    }

    public mutating func addHeader(_ name: StaticString, _ value: Int) {
        appendName(name)
        HTTPResponse.appendDecimal(value, to: &headerLines)
        appendLineEnd()
    }

    /// A header whose value `append` writes onto the header lines itself (a context token, straight
    /// from its encoder). Not sanitized: `append` must write no CR or LF (checked in debug builds).
    public mutating func addHeader(_ name: StaticString, appending append: (inout [UInt8]) -> Void) {
        appendName(name)
        let start = headerLines.count
        append(&headerLines)
        assert(!headerLines[start...].contains { $0 == 13 || $0 == 10 }, "a header value with a line break")
        appendLineEnd()
    }

    public mutating func addHeader(_ name: StaticString, bytes: UnsafeRawBufferPointer) {
        appendName(name)
        appendSanitized(bytes)
        appendLineEnd()
    }

    /// `{"error": code, "message": message}` with the given status, Content-Type application/json.
    public static func error(status: Int, code: String, message: String) -> HTTPResponse {
        var body: [UInt8] = []
        body.reserveCapacity(32 + code.utf8.count + message.utf8.count)
        body.append(contentsOf: #"{"error":"#.utf8)
        appendJSONString(code, to: &body)
        body.append(contentsOf: #","message":"#.utf8)
        appendJSONString(message, to: &body)
        body.append(UInt8(ascii: "}"))
        return HTTPResponse(status: status, body: body, contentType: "application/json")
    }

    private mutating func appendName(_ name: StaticString) {
        Self.append(name, to: &headerLines)
        headerLines.append(58)  // ": ", byte by byte: an array literal here was allocated per header
        headerLines.append(32)
    }

    private mutating func appendLineEnd() {
        headerLines.append(13)
        headerLines.append(10)
    }

    /// Header values never carry CR or LF (response splitting); they become spaces. Values without
    /// either (all but hostile ones) are appended in one copy.
    private mutating func appendSanitized(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        guard memchr(base, 13, bytes.count) != nil || memchr(base, 10, bytes.count) != nil else {
            headerLines.append(contentsOf: bytes)
            return
        }
        for byte in bytes { headerLines.append(byte == 13 || byte == 10 ? 32 : byte) }
    }

    /// Appends `value` in decimal (for header values written through `addHeader(_:appending:)`).
    public static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &bytes)
            return
        }
        if value >= 10 { appendDecimal(value / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 15)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Serialises status line, headers and body onto `out`.
    func serialize(into out: inout [UInt8], keepAlive: Bool, includeBody: Bool) {
        out.append(contentsOf: Self.statusLine(status))
        out.append(contentsOf: headerLines)
        Self.append("Content-Length: ", to: &out)
        Self.appendDecimal(body.count, to: &out)
        Self.append(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n", to: &out)
        if includeBody { out.append(contentsOf: body) }
    }

    /// Appends the bytes of `text` as they are (a `String`'s UTF-8 view is appended element by element).
    static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for (code, reason) in reasons { lines[code] = Array("HTTP/1.1 \(code) \(reason)\r\n".utf8) }
        return lines
    }()

    private static let reasons: [(Int, String)] = [
        (100, "Continue"), (200, "OK"), (201, "Created"), (202, "Accepted"), (204, "No Content"),
        (300, "Multiple Choices"), (301, "Moved Permanently"), (304, "Not Modified"), (400, "Bad Request"),
        (401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"),
        (408, "Request Timeout"), (409, "Conflict"), (411, "Length Required"), (413, "Content Too Large"),
        (414, "URI Too Long"), (417, "Expectation Failed"), (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"), (501, "Not Implemented"), (503, "Service Unavailable"),
        (505, "HTTP Version Not Supported"),
    ]

    static func statusLine(_ status: Int) -> [UInt8] {
        statusLines[status] ?? Array("HTTP/1.1 \(status) Status\r\n".utf8)
    }
}
