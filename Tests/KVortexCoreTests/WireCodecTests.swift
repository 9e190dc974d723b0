import Testing
@testable import KVortexCore

/// Peer messages survive encoding, and garbage never traps the decoder.
@Suite struct WireCodecTests {
    typealias F = CoordinatorFixtures

    static func messages(seed: UInt64) -> [PeerMessage] {
        var random = SplitMix64(seed: seed)
        let key = (0..<random.int(in: 1..<40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let object = F.object((0..<random.int(in: 1..<5)).map { ([F.n1, F.n2, F.n3][$0 % 3], "v\(random.next())") })
        let operation = OperationID(random.next())
        let options = QuorumOptions(readQuorum: random.int(in: 1..<4), writeQuorum: random.int(in: 1..<4),
                                    sloppy: random.next() & 1 == 0, timeoutMs: random.next() % 10_000)
        let write = ClientWrite(payload: random.next() & 1 == 0 ? .tombstone : .value(key), context: WriteContext(of: object),
                                ttlSeconds: random.next() & 1 == 0 ? nil : 30, contentType: "text/plain")
        return [
            .getRequest(operation, key: key), .getRequest(operation, key: key, unlessClock: object.clock),
            .getReply(operation, object: .decoded(object)), .getReply(operation, object: nil), .getReplyUnchanged(operation),
            .putRequest(operation, key: key, object: .decoded(object), hintFor: nil),
            .putRequest(operation, key: key, object: .decoded(object), hintFor: F.n2),
            .putAck(operation), .putRejected(operation, reason: "full"),
            .forwardPut(operation, key: key, write: write, options: options),
            .forwardReply(operation, .success(WriteOutcome(context: WriteContext(of: object), dot: Dot(actor: ActorID(rawValue: 7), counter: 3),
                                                           replicasAcked: 2, replicasAsked: 3))),
            .forwardReply(operation, .failure(.quorumUnmet(needed: 2, acked: 1, asked: 3))),
            .forwardReply(operation, .failure(.invalidHeader(name: "X", reason: "y"))),
            .repair(key: key, object: .decoded(object)), .hintDelivery(operation, key: key, object: .decoded(object)), .hintAck(operation),
            .gossip([MemberDigest(node: F.n1, incarnation: 3, heartbeat: random.next(), isLeaving: true)]),
            .reapCheck(operation, entries: [ReapCheckEntry(key: key, clock: object.clock, digest: ObjectDigest(object)),
                                             ReapCheckEntry(key: [1], clock: VersionVector(), digest: ObjectDigest(value: random.next()))]),
            .reapCheck(operation, entries: []),
            .reapCheckReply(operation, answers: (0..<random.int(in: 0..<20)).map { _ in random.next() & 1 == 0 }),
        ] + antiEntropyMessages(operation: operation, key: key, object: object, random: &random)
    }

    /// The anti-entropy exchange messages (protocol 5), with random hashes.
    static func antiEntropyMessages(operation: OperationID, key: [UInt8], object: VersionedObject,
                                    random: inout SplitMix64) -> [PeerMessage] {
        let branches = (0..<32).map { _ in random.next() }
        let segments = [ExchangeBranchSegments(branch: 3, hashes: (0..<32).map { _ in random.next() }),
                        ExchangeBranchSegments(branch: 31, hashes: (0..<32).map { _ in random.next() })]
        let entries = [ExchangeKeyEntry(key: key, digest: ObjectDigest(object), clock: object.clock),
                       ExchangeKeyEntry(key: [0], digest: ObjectDigest(value: random.next()), clock: VersionVector())]
        return [
            .aeBranches(operation, partition: random.int(in: 0..<256), segmentCount: 1024, branches: branches),
            .aeBranches(operation, partition: 0, segmentCount: 0, branches: []),
            .aeBranchesReply(operation, .equal), .aeBranchesReply(operation, .segments(segments)),
            .aeBranchesReply(operation, .segments([])),
        ] + ExchangeRefusal.allCases.map { .aeBranchesReply(operation, .refused($0)) } + [
            .aeKeys(operation, partition: 17, segments: [1, 100, 1023], entries: entries),
            .aeKeys(operation, partition: 0, segments: [], entries: []),
            .aeWanted(operation, keys: [key, [1, 2]]), .aeWanted(operation, keys: []),
            .aePush(operation, key: key, object: .decoded(object)), .aePushAck(operation),
        ]
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func everyMessageRoundTrips(seed: UInt64) throws {
        for message in Self.messages(seed: seed) {
            let frame = WireFrame.encode(message)
            #expect(try WireFrame.decode(frame) == .message(message, consumed: frame.count), "seed \(seed): \(message)")
            #expect(try WireFrame.decode(frame + [1, 2, 3]) == .message(message, consumed: frame.count))
        }
    }

    /// What the driver decodes a frame reader's frame with: exactly one whole frame, or an error.
    @Test(arguments: 0..<10 as Range<UInt64>)
    func aWholeFrameDecodesInPlace(seed: UInt64) throws {
        for message in Self.messages(seed: seed) {
            let frame = WireFrame.encode(message)
            #expect(try frame.withUnsafeBytes { try WireFrame.message(inFrame: $0) } == message)
            for wrong in [Array(frame.dropLast()), frame + [0], Array(frame.prefix(3))] {
                #expect(throws: DecodeError.self) { try wrong.withUnsafeBytes { try WireFrame.message(inFrame: $0) } }
            }
        }
    }

    @Test func truncatedFramesAreIncompleteOrErrorsNeverTraps() {
        for message in Self.messages(seed: 1) {
            let frame = WireFrame.encode(message)
            for cut in 0..<frame.count {
                #expect((try? WireFrame.decode(Array(frame[..<cut]))) == .incomplete, "cut \(cut) of \(message)")
            }
            // A frame whose announced length is shorter than its message must be rejected, not misread.
            if frame.count > 6 {
                var short = Array(frame[..<(frame.count - 1)])
                let length = UInt32(short.count - 4)
                for index in 0..<4 { short[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
                #expect(throws: DecodeError.self) { try WireFrame.decode(short) }
            }
        }
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func garbageNeverTraps(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            var bytes = (0..<random.int(in: 0..<64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if bytes.count >= 5 {
                let length = UInt32(bytes.count - 4)
                for index in 0..<4 { bytes[index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
                bytes[4] = WireFrame.protocolVersion
            }
            _ = try? WireFrame.decode(bytes)
        }
    }

    @Test func oversizedAndUnknownVersionFramesAreRefused() {
        #expect(throws: DecodeError.self) { try WireFrame.decode([0xFF, 0xFF, 0xFF, 0x7F, 1]) }
        var frame = WireFrame.encode(.putAck(OperationID(1)))
        frame[4] = 99
        #expect(throws: DecodeError.unknownVersion(99)) { try WireFrame.decode(frame) }
    }
}
