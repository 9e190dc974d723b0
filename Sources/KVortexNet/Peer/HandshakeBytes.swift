/// Building and reading the handshake's frames: `length u32 LE` then the body, whose texts are
/// `u16 LE` length + UTF-8 and whose fixed-size fields are raw bytes.
enum HandshakeBytes {
    /// `body` behind its `u32 LE` length.
    static func framed(_ body: [UInt8]) -> [UInt8] {
        littleEndian(UInt32(body.count)) + body
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func littleEndian64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// Appends `text` as `u16 LE` length + UTF-8, cut to `UInt16.max` bytes.
    static func appendText(_ text: String, to body: inout [UInt8]) {
        let bytes = Array(text.utf8.prefix(Int(UInt16.max)))
        body += [UInt8(truncatingIfNeeded: bytes.count), UInt8(truncatingIfNeeded: bytes.count >> 8)] + bytes
    }

    /// Reads a frame's body field by field; every read answers nil, and moves nothing, when the frame
    /// is too short.
    struct Reader {
        private let frame: [UInt8]
        private var offset = 4

        /// A reader past the length of `frame`, or nil when the length does not match the frame's size.
        init?(frame: [UInt8]) {
            guard frame.count >= 4 else { return nil }
            let length = frame[0..<4].reversed().reduce(0) { $0 << 8 | Int($1) }
            guard length == frame.count - 4 else { return nil }
            self.frame = frame
        }

        var isAtEnd: Bool { offset == frame.count }

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard frame.count - offset >= count else { return nil }
            defer { offset += count }
            return Array(frame[offset..<(offset + count)])
        }

        mutating func byte() -> UInt8? {
            bytes(1)?[0]
        }

        mutating func text() -> String? {
            guard let length = bytes(2) else { return nil }
            guard let utf8 = bytes(Int(length[0]) | Int(length[1]) << 8) else { offset -= 2; return nil }
            return String(decoding: utf8, as: UTF8.self)
        }
    }
}
