/// Frames peer messages on a byte stream: `length u32 LE` (of what follows), `version u8`, message.
///
/// The length bound is checked before anything is buffered, so a peer cannot make a node allocate
/// more than `frameBytesMax` for one frame.
public enum WireFrame {
    /// 3: conditional reads (`getRequest` carries a clock; `getReplyUnchanged`). 4: confirmed reaps
    /// (`reapCheck`, `reapCheckReply`). 5: anti-entropy exchanges (`aeBranches` ... `aePushAck`).
    public static let protocolVersion: UInt8 = 5
    /// Largest frame accepted: a 16 MiB value plus its metadata and siblings' slack.
    public static let frameBytesMax = 64 << 20

    public static func encode(_ message: PeerMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + message.encodedObjectBytes)
        encode(message, appendingTo: &bytes)
        return bytes
    }

    /// Appends the frame of `message` to `bytes` (a peer link's queue of frames), so the frame needs no
    /// buffer of its own.
    public static func encode(_ message: PeerMessage, appendingTo bytes: inout [UInt8]) {
        // A read or an ack: written in one pass on the stack, then appended in one copy.
        if message.appendSmallFrame(version: protocolVersion, to: &bytes) { return }
        var writer = ByteWriter(capacity: 0)
        writer.exchangeBytes(with: &bytes)
        defer { writer.exchangeBytes(with: &bytes) }
        let start = writer.bytes.count
        writer.writeFixed32(0)
        writer.write(protocolVersion)
        message.encode(into: &writer)
        let length = UInt32(writer.bytes.count - start - 4)
        precondition(Int(length) <= frameBytesMax, "frame of \(length) bytes exceeds \(frameBytesMax)")
        writer.overwriteFixed32(length, at: start)
    }

    public enum Decoded: Equatable, Sendable {
        /// More bytes are needed; nothing was consumed.
        case incomplete
        case message(PeerMessage, consumed: Int)
    }

    /// Decodes the first frame in `buffer`, where it lies. Throws for an oversized, unknown-version or
    /// malformed frame; the caller closes the connection, since the stream can no longer be trusted.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodeError) -> Decoded {
        guard buffer.count >= 4 else { return .incomplete }
        let length = try bodyLength(buffer)
        guard buffer.count >= 4 + length else { return .incomplete }
        return .message(try message(inFrame: UnsafeRawBufferPointer(rebasing: buffer[..<(4 + length)])), consumed: 4 + length)
    }

    /// The message of `frame`, one whole frame (what a frame reader cut out), decoded where it lies:
    /// no `Decoded` to unwrap and copy the message out of. Throws as `decode` does, and when `frame`
    /// is not exactly one frame.
    public static func message(inFrame frame: UnsafeRawBufferPointer) throws(DecodeError) -> PeerMessage {
        guard frame.count >= 4 else { throw .truncated(needed: 4, available: frame.count) }
        let length = try bodyLength(frame)
        guard frame.count == 4 + length else {
            throw frame.count < 4 + length ? .truncated(needed: 4 + length, available: frame.count) : .trailingBytes(frame.count - 4 - length)
        }
        guard frame[4] == protocolVersion else { throw .unknownVersion(frame[4]) }
        var reader = RawByteReader(UnsafeRawBufferPointer(rebasing: frame[5...]))
        let message = try PeerMessage(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes(reader.remaining) }
        return message
    }

    /// The length prefix of the frame at the start of `buffer` (at least 4 bytes), checked.
    private static func bodyLength(_ buffer: UnsafeRawBufferPointer) throws(DecodeError) -> Int {
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(as: UInt32.self)))
        guard length <= frameBytesMax else { throw .lengthTooLarge(length: UInt64(length), lengthMax: frameBytesMax) }
        guard length >= 1 else { throw .invalid("empty frame") }
        return length
    }

    /// As above, from an array.
    public static func decode(_ buffer: [UInt8]) throws(DecodeError) -> Decoded {
        try buffer.withUnsafeBytes { bytes in Result { () throws(DecodeError) in try decode(bytes) } }.get()
    }
}
