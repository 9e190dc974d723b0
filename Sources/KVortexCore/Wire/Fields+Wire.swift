/// Encodings of the smaller values carried inside peer messages.
extension WriteContext {
    func encode(into writer: inout ByteWriter) {
        clock.encode(into: &writer)
        writer.writeFixed64(newest.rawValue)
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        let clock = try VersionVector(from: &reader)
        self.init(clock: clock, newest: HybridTimestamp(rawValue: try reader.readFixed64()))
    }
}

extension ClientWrite {
    func encode(into writer: inout ByteWriter) {
        switch payload {
        case .value(let bytes): writer.write(1); writer.writeLengthPrefixed(bytes)
        case .tombstone: writer.write(0)
        }
        writer.write(context == nil ? 0 : 1)
        context?.encode(into: &writer)
        writer.write(ttlSeconds == nil ? 0 : 1)
        if let ttlSeconds { writer.writeVarint(ttlSeconds) }
        writer.writeString(contentType)
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        let payload: Sibling.Payload =
            try reader.readFlag() ? .value(try reader.readLengthPrefixed(lengthMax: VersionedObject.decodeValueBytesMax)) : .tombstone
        let context = try reader.readFlag() ? try WriteContext(from: &reader) : nil
        let ttlSeconds = try reader.readFlag() ? try reader.readVarint() : nil
        let contentType = try reader.readString(lengthMax: VersionedObject.decodeContentTypeBytesMax)
        self.init(payload: payload, context: context, ttlSeconds: ttlSeconds, contentType: contentType)
    }
}

extension QuorumOptions {
    func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(readQuorum))
        writer.writeVarint(UInt64(writeQuorum))
        writer.write(sloppy ? 1 : 0)
        writer.writeVarint(timeoutMs)
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        let r = try reader.readVarint()
        let w = try reader.readVarint()
        guard (1...1024).contains(r), (1...1024).contains(w) else { throw .invalid("quorum R \(r) / W \(w) out of range") }
        let sloppy = try reader.readFlag()
        self.init(readQuorum: Int(r), writeQuorum: Int(w), sloppy: sloppy, timeoutMs: try reader.readVarint())
    }
}

extension MemberDigest {
    func encode(into writer: inout ByteWriter) {
        writer.writeString(node.rawValue)
        writer.writeVarint(incarnation)
        writer.writeVarint(heartbeat)
        writer.write(isLeaving ? 1 : 0)
        writer.writeString(peerAddress)
        writer.writeString(httpAddress)
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        let node = NodeID(try reader.readString(lengthMax: PeerMessage.stringBytesMax))
        let incarnation = try reader.readVarint()
        let heartbeat = try reader.readVarint()
        let isLeaving = try reader.readFlag()
        let peerAddress = try reader.readString(lengthMax: PeerMessage.stringBytesMax)
        let httpAddress = try reader.readString(lengthMax: PeerMessage.stringBytesMax)
        self.init(node: node, incarnation: incarnation, heartbeat: heartbeat, isLeaving: isLeaving,
                  peerAddress: peerAddress, httpAddress: httpAddress)
    }
}

extension Result<WriteOutcome, KVError> {
    func encode(into writer: inout ByteWriter) {
        switch self {
        case .success(let outcome):
            writer.write(0)
            outcome.context.encode(into: &writer)
            writer.write(outcome.dot == nil ? 0 : 1)
            if let dot = outcome.dot { writer.writeFixed64(dot.actor.rawValue); writer.writeVarint(dot.counter) }
            writer.writeVarint(UInt64(outcome.replicasAcked))
            writer.writeVarint(UInt64(outcome.replicasAsked))
            writer.writeString(outcome.coordinator?.rawValue ?? "")
        case .failure(let error):
            writer.write(1)
            error.encode(into: &writer)
        }
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        switch try reader.readByte() {
        case 0:
            let context = try WriteContext(from: &reader)
            var dot: Dot?
            if try reader.readFlag() {
                let actor = ActorID(rawValue: try reader.readFixed64())
                let counter = try reader.readVarint()
                guard counter > 0 else { throw .invalid("dot counter 0") }
                dot = Dot(actor: actor, counter: counter)
            }
            let acked = try KVError.readCount(&reader)
            let asked = try KVError.readCount(&reader)
            let coordinator = try reader.readString(lengthMax: PeerMessage.stringBytesMax)
            self = .success(WriteOutcome(context: context, dot: dot, replicasAcked: acked, replicasAsked: asked,
                                         coordinator: coordinator.isEmpty ? nil : NodeID(coordinator)))
        case 1:
            self = .failure(try KVError(from: &reader))
        case let other:
            throw .unknownTag(other)
        }
    }
}

extension KVError {
    func encode(into writer: inout ByteWriter) {
        switch self {
        case .notFound: writer.write(0)
        case .malformedContext: writer.write(1)
        case .invalidKey(let reason): writer.write(2); writer.writeString(reason)
        case .invalidHeader(let name, let reason): writer.write(3); writer.writeString(name); writer.writeString(reason)
        case .valueTooLarge(let bytes, let bytesMax): writer.write(4); writer.writeVarint(UInt64(bytes)); writer.writeVarint(UInt64(bytesMax))
        case .quorumUnmet(let needed, let acked, let asked): writer.write(5); Self.writeCounts(needed, acked, asked, &writer)
        case .timeout(let needed, let acked, let asked): writer.write(6); Self.writeCounts(needed, acked, asked, &writer)
        case .overloaded(let reason): writer.write(7); writer.writeString(reason)
        case .storageFailure(let detail): writer.write(8); writer.writeString(detail)
        }
    }

    init(from reader: inout RawByteReader) throws(DecodeError) {
        let stringMax = PeerMessage.stringBytesMax
        switch try reader.readByte() {
        case 0: self = .notFound
        case 1: self = .malformedContext
        case 2: self = .invalidKey(reason: try reader.readString(lengthMax: stringMax))
        case 3: self = .invalidHeader(name: try reader.readString(lengthMax: stringMax), reason: try reader.readString(lengthMax: stringMax))
        case 4:
            let bytes = try Self.readCount(&reader)
            self = .valueTooLarge(bytes: bytes, bytesMax: try Self.readCount(&reader))
        case 5:
            let (needed, acked, asked) = try Self.readCounts(&reader)
            self = .quorumUnmet(needed: needed, acked: acked, asked: asked)
        case 6:
            let (needed, acked, asked) = try Self.readCounts(&reader)
            self = .timeout(needed: needed, acked: acked, asked: asked)
        case 7: self = .overloaded(reason: try reader.readString(lengthMax: stringMax))
        case 8: self = .storageFailure(try reader.readString(lengthMax: stringMax))
        case let other: throw .unknownTag(other)
        }
    }

    private static func writeCounts(_ needed: Int, _ acked: Int, _ asked: Int, _ writer: inout ByteWriter) {
        writer.writeVarint(UInt64(needed)); writer.writeVarint(UInt64(acked)); writer.writeVarint(UInt64(asked))
    }

    static func readCount(_ reader: inout RawByteReader) throws(DecodeError) -> Int {
        let value = try reader.readVarint()
        guard value <= UInt64(Int32.max) else { throw .invalid("count \(value) out of range") }
        return Int(value)
    }

    private static func readCounts(_ reader: inout RawByteReader) throws(DecodeError) -> (Int, Int, Int) {
        (try readCount(&reader), try readCount(&reader), try readCount(&reader))
    }
}
