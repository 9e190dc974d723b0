/// A parsed request. Its buffers point into the connection's read buffer: valid only during `handle`.
///
/// Nothing is copied when a request is parsed; a handler that answers later copies what it needs.
public struct HTTPRequest {
    public var method: HTTPMethod
    /// The raw target before `?`, not percent-decoded.
    public var path: UnsafeRawBufferPointer
    /// The raw text after `?`, empty if none.
    public var query: UnsafeRawBufferPointer
    /// The complete body, de-chunked.
    public var body: UnsafeRawBufferPointer
    public var keepAlive: Bool
    /// Header name and value ranges into `head`.
    let head: UnsafeRawBufferPointer
    let headers: UnsafeBufferPointer<HTTPHeaderRange>

    /// The value of the first header named `name` (ASCII case-insensitive), trimmed of spaces and tabs.
    public func header(_ name: StaticString) -> UnsafeRawBufferPointer? {
        for range in headers where Self.isName(name, in: head, at: range.nameStart, count: range.nameCount) {
            return UnsafeRawBufferPointer(rebasing: head[range.valueStart..<(range.valueStart + range.valueCount)])
        }
        return nil
    }

    /// Calls `body` with each header's name and value, in order.
    public func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        for range in headers {
            body(UnsafeRawBufferPointer(rebasing: head[range.nameStart..<(range.nameStart + range.nameCount)]),
                 UnsafeRawBufferPointer(rebasing: head[range.valueStart..<(range.valueStart + range.valueCount)]))
        }
    }

    /// Whether the header name of `count` bytes at `start` in `buffer` is `name` (ASCII case-insensitive):
    /// the one name test of lookups, framing headers and the consistency headers.
    public static func isName(_ name: StaticString, in buffer: UnsafeRawBufferPointer, at start: Int, count: Int) -> Bool {
        count == name.utf8CodeUnitCount
            && equalsIgnoringCase(buffer, at: start, UnsafeRawBufferPointer(start: name.utf8Start, count: count))
    }

    /// Whether `buffer` holds `lowercase` at `start`, ASCII letters compared in any case. `buffer` must
    /// hold at least `lowercase.count` bytes from `start`.
    public static func equalsIgnoringCase(_ buffer: UnsafeRawBufferPointer, at start: Int, _ lowercase: UnsafeRawBufferPointer) -> Bool {
        for index in 0..<lowercase.count {
            var byte = buffer[start + index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            var wanted = lowercase[index]
            if wanted >= 0x41 && wanted <= 0x5A { wanted |= 0x20 }
            if byte != wanted { return false }
        }
        return true
    }
}

/// Where one header's name and value lie in the request head.
struct HTTPHeaderRange {
    var nameStart: Int
    var nameCount: Int
    var valueStart: Int
    var valueCount: Int
}
