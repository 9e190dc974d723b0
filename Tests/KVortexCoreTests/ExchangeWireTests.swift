import Testing
@testable import KVortexCore

/// The anti-entropy exchange messages (protocol 5) at their bounds: each count and length round trips
/// at its limit and is refused one past it; replies and key lists have one encoding; damaged frames
/// are errors, never traps. (Round trips and truncation of every message: `WireCodecTests`.)
struct ExchangeWireTests {
    static let operation = OperationID(3)

    static func roundTrips(_ message: PeerMessage) throws -> Bool {
        let frame = WireFrame.encode(message)
        return try WireFrame.decode(frame) == .message(message, consumed: frame.count)
    }

    /// A frame of `tag` whose body after the operation is `body`, written by hand.
    static func frame(_ tag: PeerMessage.Tag, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(tag.rawValue)
        writer.writeVarint(operation.rawValue)
        body(&writer)
        var message: [UInt8] = []
        writer.exchangeBytes(with: &message)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(message.count + 1).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(WireFrame.protocolVersion)
        return bytes + message
    }

    static func decodes(_ frame: [UInt8]) -> Bool {
        (try? WireFrame.decode(frame)) != nil
    }

    // MARK: aeBranches: branches per message

    static func branchesFrame(count: Int) -> [UInt8] {
        frame(.aeBranches) { writer in
            writer.writeVarint(5); writer.writeVarint(4096); writer.writeVarint(UInt64(count))
            for index in 0..<count { writer.writeFixed64(UInt64(index)) }
        }
    }

    @Test func branchesAtTheBoundRoundTripAndOnePastIsRefused() throws {
        let bound = Limits.exchangeBranchesMax
        #expect(try Self.roundTrips(.aeBranches(Self.operation, partition: 5, segmentCount: 4096, branches: Array(repeating: 7, count: bound))))
        #expect(Self.decodes(Self.branchesFrame(count: bound)))
        #expect(!Self.decodes(Self.branchesFrame(count: bound + 1)))
    }

    @Test func partitionAndSegmentCountAreBounded() {
        func frame(partition: Int, segmentCount: Int) -> [UInt8] {
            Self.frame(.aeBranches) { $0.writeVarint(UInt64(partition)); $0.writeVarint(UInt64(segmentCount)); $0.writeVarint(0) }
        }
        #expect(Self.decodes(frame(partition: Limits.exchangePartitionMax, segmentCount: Limits.exchangeSegmentCountMax)))
        #expect(!Self.decodes(frame(partition: Limits.exchangePartitionMax + 1, segmentCount: 1024)))
        #expect(!Self.decodes(frame(partition: 1, segmentCount: Limits.exchangeSegmentCountMax + 1)))
    }

    // MARK: aeBranchesReply: hashes per branch, branches, hashes in all

    static func replyFrame(branches: [(branch: Int, hashCount: Int)]) -> [UInt8] {
        frame(.aeBranchesReply) { writer in
            writer.write(1)
            writer.writeVarint(UInt64(branches.count))
            for (branch, hashCount) in branches {
                writer.writeVarint(UInt64(branch)); writer.writeVarint(UInt64(hashCount))
                for index in 0..<hashCount { writer.writeFixed64(UInt64(index)) }
            }
        }
    }

    @Test func replySegmentsAtTheBoundRoundTripAndOnePastIsRefused() throws {
        let perBranch = Limits.exchangeBranchesMax
        let branchCount = Limits.exchangeReplySegmentsMax / perBranch  // 16 full branches: the bound exactly
        let full = (0..<branchCount).map { ExchangeBranchSegments(branch: $0 * 2, hashes: Array(repeating: UInt64($0), count: perBranch)) }
        #expect(try Self.roundTrips(.aeBranchesReply(Self.operation, .segments(full))))
        let atBound = (0..<branchCount).map { (branch: $0, hashCount: perBranch) }
        #expect(Self.decodes(Self.replyFrame(branches: atBound)))
        #expect(!Self.decodes(Self.replyFrame(branches: atBound + [(branch: branchCount, hashCount: 1)])), "one hash past the total")
        #expect(!Self.decodes(Self.replyFrame(branches: [(branch: 0, hashCount: perBranch + 1)])), "one hash past a branch")
        #expect(Self.decodes(Self.replyFrame(branches: (0..<Limits.exchangeBranchesMax).map { (branch: $0, hashCount: 1) })))
        #expect(!Self.decodes(Self.replyFrame(branches: [(branch: Limits.exchangeBranchesMax, hashCount: 1)])), "a branch past √S max")
    }

    @Test func replyBranchesMustAscend() {
        #expect(Self.decodes(Self.replyFrame(branches: [(branch: 1, hashCount: 1), (branch: 2, hashCount: 1)])))
        #expect(!Self.decodes(Self.replyFrame(branches: [(branch: 2, hashCount: 1), (branch: 1, hashCount: 1)])))
        #expect(!Self.decodes(Self.replyFrame(branches: [(branch: 2, hashCount: 1), (branch: 2, hashCount: 1)])))
    }

    @Test func unknownReplyKindsAndRefusalsAreRefused() {
        #expect(!Self.decodes(Self.frame(.aeBranchesReply) { $0.write(3) }))
        #expect(!Self.decodes(Self.frame(.aeBranchesReply) { $0.write(2); $0.write(0) }))
        #expect(!Self.decodes(Self.frame(.aeBranchesReply) { $0.write(2); $0.write(6) }))
        for reason in ExchangeRefusal.allCases {
            #expect(Self.decodes(Self.frame(.aeBranchesReply) { $0.write(2); $0.write(reason.rawValue) }))
        }
    }

    // MARK: aeKeys: segments, entries, bytes

    static func entry(_ index: Int, keyBytes: Int) -> ExchangeKeyEntry {
        var key = Array("k\(index)-".utf8)
        key += Array(repeating: 0x61, count: max(0, keyBytes - key.count))
        return ExchangeKeyEntry(key: key, digest: ObjectDigest(value: UInt64(index)), clock: VersionVector())
    }

    static func keysFrame(segments: [Int], entries: [ExchangeKeyEntry], entryCount: Int? = nil) -> [UInt8] {
        frame(.aeKeys) { writer in
            writer.writeVarint(9)
            writer.writeVarint(UInt64(segments.count))
            for segment in segments { writer.writeVarint(UInt64(segment)) }
            writer.writeVarint(UInt64(entryCount ?? entries.count))
            for entry in entries {
                writer.writeLengthPrefixed(entry.key); writer.writeFixed64(entry.digest.value); entry.clock.encode(into: &writer)
            }
        }
    }

    @Test func keyListSegmentsAtTheBoundRoundTripAndOnePastIsRefused() throws {
        let segments = Array(0..<Limits.exchangeReplySegmentsMax)
        #expect(try Self.roundTrips(.aeKeys(Self.operation, partition: 9, segments: segments, entries: [])))
        #expect(!Self.decodes(Self.keysFrame(segments: Array(0...Limits.exchangeReplySegmentsMax), entries: [])))
        #expect(!Self.decodes(Self.keysFrame(segments: [4, 4], entries: [])), "segments strictly ascend")
    }

    @Test func keyListEntriesAtTheBoundRoundTripAndOnePastIsRefused() throws {
        let bound = Limits.exchangeKeyListEntriesMax
        let entries = (0..<bound).map { Self.entry($0, keyBytes: 8) }
        #expect(try Self.roundTrips(.aeKeys(Self.operation, partition: 9, segments: [1], entries: entries)))
        let over = (0...bound).map { Self.entry($0, keyBytes: 8) }
        #expect(!Self.decodes(Self.keysFrame(segments: [1], entries: over)))
        #expect(!Self.decodes(Self.keysFrame(segments: [1], entries: [], entryCount: bound + 1)))
    }

    @Test func keyListBytesAtTheBoundRoundTripAndOnePastIsRefused() throws {
        // Each entry: 1 length byte... (2 for keys of 128 bytes or more) + key + 8 digest bytes + the empty clock.
        let clockBytes = { var writer = ByteWriter(); VersionVector().encode(into: &writer); return writer.bytes.count }()
        let entryBytes = 2 + 1000 + 8 + clockBytes
        let count = Limits.exchangeKeyListBytesMax / entryBytes
        var entries = (0..<count).map { Self.entry($0, keyBytes: 1000) }
        let rest = Limits.exchangeKeyListBytesMax - count * entryBytes - 2 - 8 - clockBytes  // a last key filling the bound exactly
        entries.append(Self.entry(count, keyBytes: rest))
        #expect(entries.count <= Limits.exchangeKeyListEntriesMax)
        #expect(try Self.roundTrips(.aeKeys(Self.operation, partition: 9, segments: [1], entries: entries)))
        var overEntries = entries
        overEntries[count] = Self.entry(count, keyBytes: rest + 1)
        #expect(!Self.decodes(Self.keysFrame(segments: [1], entries: overEntries)), "one byte past the bound")
    }

    // MARK: aeWanted: keys, bytes

    static func wantedFrame(_ keys: [[UInt8]], count: Int? = nil) -> [UInt8] {
        frame(.aeWanted) { writer in
            writer.writeVarint(UInt64(count ?? keys.count))
            for key in keys { writer.writeLengthPrefixed(key) }
        }
    }

    @Test func wantedKeysAtTheBoundRoundTripAndOnePastIsRefused() throws {
        let bound = Limits.exchangeKeyListEntriesMax
        let keys = (0..<bound).map { Array("k\($0)".utf8) }
        #expect(try Self.roundTrips(.aeWanted(Self.operation, keys: keys)))
        #expect(!Self.decodes(Self.wantedFrame(keys + [[1]])))
        // Bytes: 1 MiB of keys exactly, then one byte more.
        let big = Array(repeating: UInt8(0x62), count: 1 << 14)
        let full = Array(repeating: big, count: Limits.exchangeKeyListBytesMax / big.count)
        #expect(try Self.roundTrips(.aeWanted(Self.operation, keys: full)))
        #expect(!Self.decodes(Self.wantedFrame(full + [[1]])))
    }

    // MARK: Damage

    @Test(arguments: 0..<20 as Range<UInt64>)
    func damagedExchangeFramesNeverTrap(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let object = CoordinatorFixtures.object([(CoordinatorFixtures.n1, "v")])
        let messages = WireCodecTests.antiEntropyMessages(operation: OperationID(random.next()), key: [1, 2, 3], object: object,
                                                          random: &random)
        for message in messages {
            let frame = WireFrame.encode(message)
            for _ in 0..<50 {
                var damaged = frame
                let index = random.int(in: 5..<frame.count)
                damaged[index] = UInt8(truncatingIfNeeded: random.next())
                _ = try? WireFrame.decode(damaged)  // an error or another message: never a trap
            }
        }
    }

    @Test func aVersionFourPeerIsRefused() {
        var frame = WireFrame.encode(.aePushAck(Self.operation))
        frame[4] = 4
        #expect(throws: DecodeError.unknownVersion(4)) { try WireFrame.decode(frame) }
    }
}
