/// The encoding of the confirmed-reap messages (`reapCheck`, `reapCheckReply`; docs/anti-entropy.md §4).
///
/// `reapCheck`: operation, entry count (at most `Limits.reapCheckEntriesPerMessageMax`), then per
/// entry the key (length-prefixed), the clock and the digest (fixed 64 bits). `reapCheckReply`:
/// operation, answer count (same bound), then the answers as a bitmap, entry i in bit i % 8 of byte i / 8.
extension PeerMessage {
    static func encodeReapCheck(_ operation: OperationID, _ entries: [ReapCheckEntry], into writer: inout ByteWriter) {
        precondition(entries.count <= Limits.reapCheckEntriesPerMessageMax,
                     "\(entries.count) reap-check entries, bound \(Limits.reapCheckEntriesPerMessageMax)")
        writer.write(Tag.reapCheck.rawValue)
        writer.writeVarint(operation.rawValue)
        writer.writeVarint(UInt64(entries.count))
        for entry in entries {
            writer.writeLengthPrefixed(entry.key)
            entry.clock.encode(into: &writer)
            writer.writeFixed64(entry.digest.value)
        }
    }

    static func decodeReapCheck(_ reader: inout RawByteReader) throws(DecodeError) -> PeerMessage {
        let operation = OperationID(try reader.readVarint())
        let count = try reader.readCount(itemsMax: Limits.reapCheckEntriesPerMessageMax)
        var entries: [ReapCheckEntry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.readLengthPrefixed(lengthMax: keyBytesMax)
            let clock = try VersionVector(from: &reader)
            entries.append(ReapCheckEntry(key: key, clock: clock, digest: ObjectDigest(value: try reader.readFixed64())))
        }
        return .reapCheck(operation, entries: entries)
    }

    static func encodeReapCheckReply(_ operation: OperationID, _ answers: [Bool], into writer: inout ByteWriter) {
        precondition(answers.count <= Limits.reapCheckEntriesPerMessageMax,
                     "\(answers.count) reap-check answers, bound \(Limits.reapCheckEntriesPerMessageMax)")
        writer.write(Tag.reapCheckReply.rawValue)
        writer.writeVarint(operation.rawValue)
        writer.writeVarint(UInt64(answers.count))
        var byte: UInt8 = 0
        for (index, yes) in answers.enumerated() {
            if yes { byte |= 1 << UInt8(index % 8) }
            if index % 8 == 7 { writer.write(byte); byte = 0 }
        }
        if answers.count % 8 != 0 { writer.write(byte) }
    }

    static func decodeReapCheckReply(_ reader: inout RawByteReader) throws(DecodeError) -> PeerMessage {
        let operation = OperationID(try reader.readVarint())
        // Eight answers a byte, so `readCount`'s "one byte an item" does not apply: the bound alone does.
        let announced = try reader.readVarint()
        let bound = Limits.reapCheckEntriesPerMessageMax
        guard announced <= UInt64(bound) else { throw .lengthTooLarge(length: announced, lengthMax: bound) }
        let count = Int(announced)
        guard (count + 7) / 8 <= reader.remaining else { throw .truncated(needed: (count + 7) / 8, available: reader.remaining) }
        var answers: [Bool] = []
        answers.reserveCapacity(count)
        var byte: UInt8 = 0
        for index in 0..<count {
            if index % 8 == 0 { byte = try reader.readByte() }
            answers.append(byte & (1 << UInt8(index % 8)) != 0)
        }
        // Bits past the last answer must be zero: one encoding per message.
        if count % 8 != 0 && byte >> UInt8(count % 8) != 0 { throw .invalid("reap-check answer bits past the count") }
        return .reapCheckReply(operation, answers: answers)
    }
}
