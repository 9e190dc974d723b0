import Testing
@testable import KVortexCore

/// The confirmed-reap messages at their bounds: `Limits.reapCheckEntriesPerMessageMax` entries round
/// trip, one more is refused by the decoder, and an answer bitmap has one encoding.
struct ReapWireTests {
    static let bound = Limits.reapCheckEntriesPerMessageMax

    static func entries(_ count: Int) -> [ReapCheckEntry] {
        (0..<count).map { index in
            ReapCheckEntry(key: Array("k\(index)".utf8), clock: VersionVector([(ActorID(rawValue: UInt64(index) + 1), UInt64(3))]),
                           digest: ObjectDigest(value: UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        }
    }

    @Test func theBoundRoundTrips() throws {
        let check = PeerMessage.reapCheck(OperationID(3), entries: Self.entries(Self.bound))
        let reply = PeerMessage.reapCheckReply(OperationID(3), answers: (0..<Self.bound).map { $0 % 3 == 0 })
        for message in [check, reply] {
            let frame = WireFrame.encode(message)
            #expect(try WireFrame.decode(frame) == .message(message, consumed: frame.count))
        }
    }

    /// Bytes of a message body: the tag, the operation, a count, then `rest`.
    static func frame(tag: UInt8, count: Int, rest: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(tag)
        writer.writeVarint(3)
        writer.writeVarint(UInt64(count))
        writer.writeRaw(rest)
        var body: [UInt8] = []
        writer.exchangeBytes(with: &body)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(body.count + 1).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(WireFrame.protocolVersion)
        return bytes + body
    }

    @Test func moreEntriesThanTheBoundAreRefused() throws {
        let reply = WireFrame.encode(.reapCheckReply(OperationID(3), answers: Array(repeating: true, count: 8)))
        let tag = reply[5]
        let over = Self.frame(tag: tag, count: Self.bound + 1, rest: Array(repeating: 0xFF, count: (Self.bound + 8) / 8))
        #expect(throws: DecodeError.self) { try WireFrame.decode(over) }
        let checkTag = WireFrame.encode(.reapCheck(OperationID(3), entries: []))[5]
        let manyEntries = Self.frame(tag: checkTag, count: Self.bound + 1, rest: Array(repeating: 0, count: 4_096))
        #expect(throws: DecodeError.self) { try WireFrame.decode(manyEntries) }
    }

    @Test func answerBitsPastTheCountAreRefused() throws {
        let tag = WireFrame.encode(.reapCheckReply(OperationID(3), answers: []))[5]
        let clean = Self.frame(tag: tag, count: 3, rest: [0b0000_0101])
        #expect(try WireFrame.decode(clean) == .message(.reapCheckReply(OperationID(3), answers: [true, false, true]), consumed: clean.count))
        let dirty = Self.frame(tag: tag, count: 3, rest: [0b0000_1101])
        #expect(throws: DecodeError.self) { try WireFrame.decode(dirty) }
        let short = Self.frame(tag: tag, count: 9, rest: [0xFF])
        #expect(throws: DecodeError.self) { try WireFrame.decode(short) }
    }
}
