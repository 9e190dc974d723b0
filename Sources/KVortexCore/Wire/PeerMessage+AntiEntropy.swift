/// The encoding of the anti-entropy exchange messages (docs/anti-entropy.md §3), protocol 5.
///
/// Every count and length is bounded on decode (`Limits.exchange*`): branches per `aeBranches`,
/// branches, hashes per branch and hashes in all per `aeBranchesReply`, segments, entries and entry
/// bytes per `aeKeys`, keys and key bytes per `aeWanted`. Branches of a reply and segments of a key
/// list are strictly ascending, so a message has one encoding and names nothing twice. The encoder
/// checks the same bounds with `precondition`: exceeding them is our bug.
///
/// - `aeBranches`: operation, partition, segment count, branch count, branch hashes (fixed 64 bits).
/// - `aeBranchesReply`: operation, kind (0 equal, 1 segments, 2 refused), then for segments a branch
///   count and per branch its index, a hash count and the hashes; for refused the reason's byte.
/// - `aeKeys`: operation, partition, segment count and segments, entry count, then per entry the key
///   (length-prefixed), the digest (fixed 64 bits) and the clock.
/// - `aeWanted`: operation, key count, keys (length-prefixed). `aePush`: operation, key, object.
///   `aePushAck`: operation.
extension PeerMessage {
    private enum ReplyKind: UInt8 {
        case equal = 0, segments, refused
    }

    func encodeAntiEntropy(into writer: inout ByteWriter) {
        switch self {
        case .aeBranches(let operation, let partition, let segmentCount, let branches):
            Self.checkPartition(partition)
            precondition(segmentCount >= 0 && segmentCount <= Limits.exchangeSegmentCountMax, "segment count \(segmentCount)")
            precondition(branches.count <= Limits.exchangeBranchesMax, "\(branches.count) branches, bound \(Limits.exchangeBranchesMax)")
            writer.write(Tag.aeBranches.rawValue); writer.writeVarint(operation.rawValue)
            writer.writeVarint(UInt64(partition)); writer.writeVarint(UInt64(segmentCount))
            writer.writeVarint(UInt64(branches.count))
            for hash in branches { writer.writeFixed64(hash) }
        case .aeBranchesReply(let operation, let reply):
            writer.write(Tag.aeBranchesReply.rawValue); writer.writeVarint(operation.rawValue)
            Self.encodeReply(reply, into: &writer)
        case .aeKeys(let operation, let partition, let segments, let entries):
            Self.encodeKeys(operation, partition: partition, segments: segments, entries: entries, into: &writer)
        case .aeWanted(let operation, let keys):
            precondition(keys.count <= Limits.exchangeKeyListEntriesMax, "\(keys.count) wanted keys, bound \(Limits.exchangeKeyListEntriesMax)")
            let bytes = keys.reduce(0) { $0 + $1.count }
            precondition(bytes <= Limits.exchangeKeyListBytesMax, "\(bytes) bytes of wanted keys, bound \(Limits.exchangeKeyListBytesMax)")
            writer.write(Tag.aeWanted.rawValue); writer.writeVarint(operation.rawValue)
            writer.writeVarint(UInt64(keys.count))
            for key in keys { writer.writeLengthPrefixed(key) }
        case .aePush(let operation, let key, let object):
            writer.write(Tag.aePush.rawValue); writer.writeVarint(operation.rawValue); writer.writeLengthPrefixed(key)
            object.encode(into: &writer)
        case .aePushAck(let operation):
            writer.write(Tag.aePushAck.rawValue); writer.writeVarint(operation.rawValue)
        case .getRequest, .getReply, .getReplyUnchanged, .putRequest, .putAck, .putRejected, .forwardPut, .forwardReply,
             .repair, .hintDelivery, .hintAck, .gossip, .reapCheck, .reapCheckReply:
            preconditionFailure("\(self) is not an anti-entropy message")
        }
    }

    static func decodeAntiEntropy(_ tag: Tag, _ reader: inout RawByteReader) throws(DecodeError) -> PeerMessage {
        let operation = OperationID(try reader.readVarint())
        switch tag {
        case .aeBranches:
            let partition = try readBounded(&reader, max: Limits.exchangePartitionMax)
            let segmentCount = try readBounded(&reader, max: Limits.exchangeSegmentCountMax)
            let count = try reader.readCount(itemsMax: Limits.exchangeBranchesMax)
            var branches: [UInt64] = []
            branches.reserveCapacity(count)
            for _ in 0..<count { branches.append(try reader.readFixed64()) }
            return .aeBranches(operation, partition: partition, segmentCount: segmentCount, branches: branches)
        case .aeBranchesReply:
            return .aeBranchesReply(operation, try decodeReply(&reader))
        case .aeKeys:
            return try decodeKeys(operation, &reader)
        case .aeWanted:
            let count = try reader.readCount(itemsMax: Limits.exchangeKeyListEntriesMax)
            var keys: [[UInt8]] = []
            keys.reserveCapacity(count)
            var bytes = 0
            for _ in 0..<count {
                let key = try reader.readLengthPrefixed(lengthMax: keyBytesMax)
                bytes += key.count
                guard bytes <= Limits.exchangeKeyListBytesMax else {
                    throw .lengthTooLarge(length: UInt64(bytes), lengthMax: Limits.exchangeKeyListBytesMax)
                }
                keys.append(key)
            }
            return .aeWanted(operation, keys: keys)
        case .aePush:
            let key = try reader.readLengthPrefixed(lengthMax: keyBytesMax)
            return .aePush(operation, key: key, object: .encoded(try EncodedObject(from: &reader)))
        case .aePushAck:
            return .aePushAck(operation)
        case .getRequest, .getReply, .putRequest, .putAck, .putRejected, .forwardPut, .forwardReply, .repair,
             .hintDelivery, .hintAck, .gossip, .getReplyUnchanged, .reapCheck, .reapCheckReply:
            preconditionFailure("tag \(tag) is not an anti-entropy message")
        }
    }

    // MARK: aeBranchesReply

    private static func encodeReply(_ reply: ExchangeBranchesReply, into writer: inout ByteWriter) {
        switch reply {
        case .equal:
            writer.write(ReplyKind.equal.rawValue)
        case .segments(let branches):
            precondition(branches.count <= Limits.exchangeBranchesMax, "\(branches.count) branches, bound \(Limits.exchangeBranchesMax)")
            let total = branches.reduce(0) { $0 + $1.hashes.count }
            precondition(total <= Limits.exchangeReplySegmentsMax, "\(total) segment hashes, bound \(Limits.exchangeReplySegmentsMax)")
            writer.write(ReplyKind.segments.rawValue)
            writer.writeVarint(UInt64(branches.count))
            var previous = -1
            for branch in branches {
                precondition(branch.branch > previous && branch.branch < Limits.exchangeBranchesMax, "branch \(branch.branch) after \(previous)")
                precondition(branch.hashes.count <= Limits.exchangeBranchesMax, "\(branch.hashes.count) hashes in a branch")
                previous = branch.branch
                writer.writeVarint(UInt64(branch.branch))
                writer.writeVarint(UInt64(branch.hashes.count))
                for hash in branch.hashes { writer.writeFixed64(hash) }
            }
        case .refused(let reason):
            writer.write(ReplyKind.refused.rawValue)
            writer.write(reason.rawValue)
        }
    }

    private static func decodeReply(_ reader: inout RawByteReader) throws(DecodeError) -> ExchangeBranchesReply {
        let raw = try reader.readByte()
        guard let kind = ReplyKind(rawValue: raw) else { throw .invalid("anti-entropy reply kind \(raw)") }
        switch kind {
        case .equal:
            return .equal
        case .refused:
            let byte = try reader.readByte()
            guard let reason = ExchangeRefusal(rawValue: byte) else { throw .invalid("anti-entropy refusal \(byte)") }
            return .refused(reason)
        case .segments:
            let count = try reader.readCount(itemsMax: Limits.exchangeBranchesMax)
            var branches: [ExchangeBranchSegments] = []
            branches.reserveCapacity(count)
            var total = 0
            for _ in 0..<count {
                let branch = try readBounded(&reader, max: Limits.exchangeBranchesMax - 1)
                guard branch > (branches.last?.branch ?? -1) else { throw .invalid("branch \(branch) not ascending") }
                let hashCount = try reader.readCount(itemsMax: Limits.exchangeBranchesMax)
                total += hashCount
                guard total <= Limits.exchangeReplySegmentsMax else {
                    throw .lengthTooLarge(length: UInt64(total), lengthMax: Limits.exchangeReplySegmentsMax)
                }
                var hashes: [UInt64] = []
                hashes.reserveCapacity(hashCount)
                for _ in 0..<hashCount { hashes.append(try reader.readFixed64()) }
                branches.append(ExchangeBranchSegments(branch: branch, hashes: hashes))
            }
            return .segments(branches)
        }
    }

    // MARK: aeKeys

    private static func encodeKeys(_ operation: OperationID, partition: Int, segments: [Int], entries: [ExchangeKeyEntry],
                                   into writer: inout ByteWriter) {
        checkPartition(partition)
        precondition(segments.count <= Limits.exchangeReplySegmentsMax, "\(segments.count) segments, bound \(Limits.exchangeReplySegmentsMax)")
        precondition(entries.count <= Limits.exchangeKeyListEntriesMax, "\(entries.count) entries, bound \(Limits.exchangeKeyListEntriesMax)")
        writer.write(Tag.aeKeys.rawValue); writer.writeVarint(operation.rawValue); writer.writeVarint(UInt64(partition))
        writer.writeVarint(UInt64(segments.count))
        var previous = -1
        for segment in segments {
            precondition(segment > previous && segment <= Limits.exchangeSegmentCountMax, "segment \(segment) after \(previous)")
            previous = segment
            writer.writeVarint(UInt64(segment))
        }
        writer.writeVarint(UInt64(entries.count))
        let start = writer.bytes.count
        for entry in entries {
            writer.writeLengthPrefixed(entry.key)
            writer.writeFixed64(entry.digest.value)
            entry.clock.encode(into: &writer)
        }
        let bytes = writer.bytes.count - start
        precondition(bytes <= Limits.exchangeKeyListBytesMax, "key list of \(bytes) bytes, bound \(Limits.exchangeKeyListBytesMax)")
    }

    private static func decodeKeys(_ operation: OperationID, _ reader: inout RawByteReader) throws(DecodeError) -> PeerMessage {
        let partition = try readBounded(&reader, max: Limits.exchangePartitionMax)
        let segmentCount = try reader.readCount(itemsMax: Limits.exchangeReplySegmentsMax)
        var segments: [Int] = []
        segments.reserveCapacity(segmentCount)
        for _ in 0..<segmentCount {
            let segment = try readBounded(&reader, max: Limits.exchangeSegmentCountMax)
            guard segment > (segments.last ?? -1) else { throw .invalid("segment \(segment) not ascending") }
            segments.append(segment)
        }
        let count = try reader.readCount(itemsMax: Limits.exchangeKeyListEntriesMax)
        var entries: [ExchangeKeyEntry] = []
        entries.reserveCapacity(count)
        let start = reader.remaining
        for _ in 0..<count {
            let key = try reader.readLengthPrefixed(lengthMax: keyBytesMax)
            let digest = ObjectDigest(value: try reader.readFixed64())
            entries.append(ExchangeKeyEntry(key: key, digest: digest, clock: try VersionVector(from: &reader)))
            let bytes = start - reader.remaining
            guard bytes <= Limits.exchangeKeyListBytesMax else {
                throw .lengthTooLarge(length: UInt64(bytes), lengthMax: Limits.exchangeKeyListBytesMax)
            }
        }
        return .aeKeys(operation, partition: partition, segments: segments, entries: entries)
    }

    // MARK: Helpers

    private static func checkPartition(_ partition: Int) {
        precondition(partition >= 0 && partition <= Limits.exchangePartitionMax, "partition \(partition)")
    }

    /// A varint that must be at most `max`, as an `Int`.
    private static func readBounded(_ reader: inout RawByteReader, max: Int) throws(DecodeError) -> Int {
        let value = try reader.readVarint()
        guard value <= UInt64(max) else { throw .lengthTooLarge(length: value, lengthMax: max) }
        return Int(value)
    }
}
