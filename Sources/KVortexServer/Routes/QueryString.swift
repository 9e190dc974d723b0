/// Finds and percent-decodes parameters of a raw query string, without allocating for the others.
public enum QueryString {
    /// The decoded value of the first parameter named `name`, or nil when absent. `+` decodes to a
    /// space (form encoding); `%XX` to its byte. Returns `.invalid` for a malformed escape.
    public static func value(_ name: StaticString, in query: UnsafeRawBufferPointer) -> Decoded {
        let nameBytes = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var start = 0
        while start <= query.count {
            var end = start
            while end < query.count && query[end] != UInt8(ascii: "&") { end += 1 }
            let pair = UnsafeRawBufferPointer(rebasing: query[start..<end])
            if pair.starts(with: name) {
                if pair.count == nameBytes.count { return .found([]) }
                if pair[nameBytes.count] == UInt8(ascii: "=") {
                    let raw = UnsafeRawBufferPointer(rebasing: pair[(nameBytes.count + 1)...])
                    guard let decoded = percentDecode(raw, plusIsSpace: true) else { return .invalid }
                    return .found(decoded)
                }
            }
            start = end + 1
        }
        return .absent
    }

    public enum Decoded: Equatable {
        case absent
        case invalid
        case found([UInt8])
    }

    /// Decodes `%XX` escapes (and `+` as space when asked); nil for a truncated or non-hex escape.
    public static func percentDecode(_ raw: UnsafeRawBufferPointer, plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.count,
                    let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
