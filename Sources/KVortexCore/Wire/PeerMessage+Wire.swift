/// The binary encoding of peer messages: one tag byte, then the fields in order.
///
/// Keys and strings are length-prefixed; objects use `VersionedObject+Binary`. Decoding checks every
/// length against what is left and every enum tag against the known ones: garbage returns a
/// `DecodeError`, never a trap.
extension PeerMessage {
    enum Tag: UInt8 {
        case getRequest = 1, getReply, putRequest, putAck, putRejected, forwardPut, forwardReply
        case repair, hintDelivery, hintAck, gossip, getReplyUnchanged
        /// Protocol 4: confirmed reaps (`PeerMessage+Reap`).
        case reapCheck, reapCheckReply
        /// Protocol 5: anti-entropy exchanges (`PeerMessage+AntiEntropy`).
        case aeBranches, aeBranchesReply, aeKeys, aeWanted, aePush, aePushAck
    }

    static let keyBytesMax = 1 << 16
    static let stringBytesMax = 1 << 12
    static let gossipMembersMax = 1 << 12

    /// An upper bound of the encoding's size for the messages every request sends (reads and acks),
    /// which are written through `RawByteWriter` in one pass (`encodeSmall`); nil for the others.
    var smallEncodingBound: Int? {
        switch self {
        case .getRequest(_, let key, let unlessClock): 1 + 10 + 10 + key.count + 1 + (unlessClock.map { 10 + $0.entries.count * 18 } ?? 0)
        case .getReplyUnchanged, .putAck, .hintAck: 1 + 10
        default: nil
        }
    }

    /// Appends this message's whole frame (length, `version`, message) to `bytes` when it has a small
    /// encoding; false, appending nothing, when it has none. (A method, so the closure borrows the
    /// message: a function's message parameter captured in it was copied, every part retained.)
    func appendSmallFrame(version: UInt8, to bytes: inout [UInt8]) -> Bool {
        guard let bound = smallEncodingBound else { return false }
        withUnsafeTemporaryAllocation(byteCount: 5 + bound, alignment: 8) { raw in
            var writer = RawByteWriter(raw.baseAddress!)
            writer.writeFixed32(0)
            writer.write(version)
            encodeSmall(to: &writer)
            precondition(writer.offset <= 5 + bound, "a small message of \(writer.offset) bytes, bound \(5 + bound)")
            raw.storeBytes(of: UInt32(writer.offset - 4).littleEndian, as: UInt32.self)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<writer.offset]))
        }
        return true
    }

    /// Writes a message that has a `smallEncodingBound`.
    func encodeSmall(to writer: inout RawByteWriter) {
        switch self {
        case .getRequest(let operation, let key, let unlessClock):
            writer.write(Tag.getRequest.rawValue); writer.writeVarint(operation.rawValue)
            key.withUnsafeBytes { writer.writeLengthPrefixed($0) }
            writer.write(unlessClock == nil ? 0 : 1)
            unlessClock?.encode(to: &writer)
        case .getReplyUnchanged(let operation):
            writer.write(Tag.getReplyUnchanged.rawValue); writer.writeVarint(operation.rawValue)
        case .putAck(let operation):
            writer.write(Tag.putAck.rawValue); writer.writeVarint(operation.rawValue)
        case .hintAck(let operation):
            writer.write(Tag.hintAck.rawValue); writer.writeVarint(operation.rawValue)
        default:
            preconditionFailure("\(self) has no small encoding")
        }
    }

    public func encode(into writer: inout ByteWriter) {
        if let bound = smallEncodingBound {
            withUnsafeTemporaryAllocation(byteCount: bound, alignment: 8) { raw in
                var small = RawByteWriter(raw.baseAddress!)
                encodeSmall(to: &small)
                writer.writeRaw(UnsafeRawBufferPointer(rebasing: raw[..<small.offset]))
            }
            return
        }
        switch self {
        case .getRequest, .getReplyUnchanged, .putAck, .hintAck:
            preconditionFailure("written by encodeSmall")
        case .getReply(let operation, let object):
            writer.write(Tag.getReply.rawValue); writer.writeVarint(operation.rawValue); Self.encodeOptional(object, into: &writer)
        case .putRequest(let operation, let key, let object, let hintFor):
            writer.write(Tag.putRequest.rawValue); writer.writeVarint(operation.rawValue); writer.writeLengthPrefixed(key)
            object.encode(into: &writer)
            writer.write(hintFor == nil ? 0 : 1)
            if let hintFor { writer.writeString(hintFor.rawValue) }
        case .putRejected(let operation, let reason):
            writer.write(Tag.putRejected.rawValue); writer.writeVarint(operation.rawValue); writer.writeString(reason)
        case .forwardPut(let operation, let key, let write, let options):
            writer.write(Tag.forwardPut.rawValue); writer.writeVarint(operation.rawValue); writer.writeLengthPrefixed(key)
            write.encode(into: &writer); options.encode(into: &writer)
        case .forwardReply(let operation, let result):
            writer.write(Tag.forwardReply.rawValue); writer.writeVarint(operation.rawValue); result.encode(into: &writer)
        case .repair(let key, let object):
            writer.write(Tag.repair.rawValue); writer.writeLengthPrefixed(key); object.encode(into: &writer)
        case .hintDelivery(let operation, let key, let object):
            writer.write(Tag.hintDelivery.rawValue); writer.writeVarint(operation.rawValue); writer.writeLengthPrefixed(key)
            object.encode(into: &writer)
        case .gossip(let digests):
            writer.write(Tag.gossip.rawValue); writer.writeVarint(UInt64(digests.count))
            for digest in digests { digest.encode(into: &writer) }
        case .reapCheck(let operation, let entries):
            Self.encodeReapCheck(operation, entries, into: &writer)
        case .reapCheckReply(let operation, let answers):
            Self.encodeReapCheckReply(operation, answers, into: &writer)
        case .aeBranches, .aeBranchesReply, .aeKeys, .aeWanted, .aePush, .aePushAck:
            encodeAntiEntropy(into: &writer)
        }
    }

    public init(from reader: inout RawByteReader) throws(DecodeError) {
        let raw = try reader.readByte()
        guard let tag = Tag(rawValue: raw) else { throw .unknownTag(raw) }
        switch tag {
        case .getRequest:
            let operation = try Self.operation(&reader)
            let key = try reader.readLengthPrefixed(lengthMax: Self.keyBytesMax)
            self = .getRequest(operation, key: key, unlessClock: try reader.readFlag() ? try VersionVector(from: &reader) : nil)
        case .getReply:
            self = .getReply(try Self.operation(&reader), object: try Self.decodeOptional(&reader))
        case .getReplyUnchanged:
            self = .getReplyUnchanged(try Self.operation(&reader))
        case .putRequest:
            let operation = try Self.operation(&reader)
            let key = try reader.readLengthPrefixed(lengthMax: Self.keyBytesMax)
            let object = MessageObject.encoded(try EncodedObject(from: &reader))
            let hintFor: NodeID? = try reader.readFlag() ? NodeID(try reader.readString(lengthMax: Self.stringBytesMax)) : nil
            self = .putRequest(operation, key: key, object: object, hintFor: hintFor)
        case .putAck:
            self = .putAck(try Self.operation(&reader))
        case .putRejected:
            self = .putRejected(try Self.operation(&reader), reason: try reader.readString(lengthMax: Self.stringBytesMax))
        case .forwardPut:
            let operation = try Self.operation(&reader)
            let key = try reader.readLengthPrefixed(lengthMax: Self.keyBytesMax)
            self = .forwardPut(operation, key: key, write: try ClientWrite(from: &reader), options: try QuorumOptions(from: &reader))
        case .forwardReply:
            self = .forwardReply(try Self.operation(&reader), try Result<WriteOutcome, KVError>(from: &reader))
        case .repair:
            let key = try reader.readLengthPrefixed(lengthMax: Self.keyBytesMax)
            self = .repair(key: key, object: .encoded(try EncodedObject(from: &reader)))
        case .hintDelivery:
            let operation = try Self.operation(&reader)
            let key = try reader.readLengthPrefixed(lengthMax: Self.keyBytesMax)
            self = .hintDelivery(operation, key: key, object: .encoded(try EncodedObject(from: &reader)))
        case .hintAck:
            self = .hintAck(try Self.operation(&reader))
        case .gossip:
            let count = try reader.readCount(itemsMax: Self.gossipMembersMax)
            var digests: [MemberDigest] = []
            digests.reserveCapacity(count)
            for _ in 0..<count { digests.append(try MemberDigest(from: &reader)) }
            self = .gossip(digests)
        case .reapCheck:
            self = try Self.decodeReapCheck(&reader)
        case .reapCheckReply:
            self = try Self.decodeReapCheckReply(&reader)
        case .aeBranches, .aeBranchesReply, .aeKeys, .aeWanted, .aePush, .aePushAck:
            self = try Self.decodeAntiEntropy(tag, &reader)
        }
    }

    /// The object the message carries, if any.
    private var carriedObject: MessageObject? {
        switch self {
        case .putRequest(_, _, let object, _), .repair(_, let object), .hintDelivery(_, _, let object): object
        case .aePush(_, _, let object): object
        case .getReply(_, let object): object
        case .getRequest, .getReplyUnchanged, .putAck, .putRejected, .forwardPut, .forwardReply, .hintAck, .gossip,
             .reapCheck, .reapCheckReply, .aeBranches, .aeBranchesReply, .aeKeys, .aeWanted, .aePushAck: nil
        }
    }

    /// Bytes of the already encoded object the message carries (0 for none, or one to be encoded), so
    /// a frame can be sized for it up front instead of growing while the bytes are copied in.
    var encodedObjectBytes: Int {
        guard case .encoded(let encoded)? = carriedObject else { return 0 }
        return encoded.bytes.count
    }

    /// True when the message carries an object still to be encoded (not a copy of bytes): worth
    /// encoding once for several peers that get the same message.
    public var carriesDecodedObject: Bool {
        if case .decoded? = carriedObject { return true } else { return false }
    }

    private static func operation(_ reader: inout RawByteReader) throws(DecodeError) -> OperationID {
        OperationID(try reader.readVarint())
    }

    private static func encodeOptional(_ object: MessageObject?, into writer: inout ByteWriter) {
        writer.write(object == nil ? 0 : 1)
        object?.encode(into: &writer)
    }

    private static func decodeOptional(_ reader: inout RawByteReader) throws(DecodeError) -> MessageObject? {
        try reader.readFlag() ? .encoded(try EncodedObject(from: &reader)) : nil
    }
}
