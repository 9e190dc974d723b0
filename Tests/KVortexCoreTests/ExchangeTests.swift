import Testing
@testable import KVortexCore

/// The exchange's comparison and state machine alone (docs/anti-entropy.md §3): two trees differing
/// in k keys differ in exactly those keys' segments, found through the responder's branch reply.
struct ExchangeTests {
    static let shape = TreeShape(segmentCount: 1024, partitionCount: 256)

    @Test(arguments: 0..<40 as Range<UInt64>)
    func treesDifferingInKKeysDifferInExactlyTheirSegments(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var initiator = SegmentTree(shape: Self.shape)
        var responder = SegmentTree(shape: Self.shape)
        let partitionBits: UInt64 = 8
        let prefix = UInt64(random.int(in: 0..<256)) << (64 - partitionBits)
        for _ in 0..<random.int(in: 0..<300) {
            let keyHash = prefix | random.next() >> partitionBits
            let digest = ObjectDigest(value: random.next())
            initiator.apply(keyHash: keyHash, from: nil, to: digest)
            responder.apply(keyHash: keyHash, from: nil, to: digest)
        }
        var expected: Set<Int> = []
        for _ in 0..<random.int(in: 1..<12) {
            let keyHash = prefix | random.next() >> partitionBits
            responder.apply(keyHash: keyHash, from: nil, to: ObjectDigest(value: random.next()))
            expected.insert(Self.shape.segment(ofHash: keyHash))
        }
        let reply = Exchange.compare(responder, with: initiator.branches)
        guard case .segments(let branches) = reply else {
            Issue.record("seed \(seed): \(reply)")
            return
        }
        #expect(Set(branches.map(\.branch)) == Set(expected.map(Self.shape.branch(ofSegment:))), "seed \(seed)")
        var exchange = Exchange.initiated(partition: 0, with: NodeID("n1"), sent: initiator, nowMs: 0)
        let outcome = exchange.receive(.branchesReply(reply), segmentsMax: 1024)
        #expect(outcome == .differing(segments: expected.sorted(), capped: false), "seed \(seed)")
        #expect(Exchange.compare(initiator, with: initiator.branches) == .equal)
    }

    @Test func aReplyOfAnotherShapeOrWithoutDifferenceIsMalformed() {
        let tree = SegmentTree(shape: Self.shape)
        for branches in [[ExchangeBranchSegments(branch: 40, hashes: Array(repeating: 1, count: 32))],
                         [ExchangeBranchSegments(branch: 1, hashes: Array(repeating: 1, count: 31))],
                         [ExchangeBranchSegments(branch: 1, hashes: Array(repeating: 0, count: 32))], []] {
            var exchange = Exchange.initiated(partition: 0, with: NodeID("n1"), sent: tree, nowMs: 0)
            #expect(exchange.receive(.branchesReply(.segments(branches)), segmentsMax: 64) == .failed(.malformedReply))
        }
    }

    @Test func theReplyKeepsToItsBound() {
        var shape4096 = SegmentTree(shape: TreeShape(segmentCount: 4096, partitionCount: 256))
        for segment in 0..<4096 { shape4096.apply(keyHash: UInt64(segment) << 44, from: nil, to: ObjectDigest(value: 1)) }
        guard case .segments(let branches) = Exchange.compare(shape4096, with: Array(repeating: 0, count: 64)) else {
            Issue.record("expected segments")
            return
        }
        #expect(branches.reduce(0) { $0 + $1.hashes.count } == Limits.exchangeReplySegmentsMax)
        #expect(branches.map(\.branch) == Array(0..<16))
    }

    @Test func endedExchangesIgnoreLateEvents() {
        var exchange = Exchange.initiated(partition: 0, with: NodeID("n1"), sent: SegmentTree(shape: Self.shape), nowMs: 0)
        #expect(exchange.receive(.deadline, segmentsMax: 64) == .failed(.deadline))
        #expect(exchange.receive(.branchesReply(.equal), segmentsMax: 64) == nil)
        #expect(exchange.state == .ended(.failed(.deadline)))
        var served = Exchange.served(partition: 0, for: NodeID("n1"), peerOperation: OperationID(4), nowMs: 0)
        #expect(served.receive(.branchesReply(.equal), segmentsMax: 64) == nil, "a reply to a served exchange is ignored")
        #expect(served.receive(.undeliverable, segmentsMax: 64) == .failed(.undeliverable))
    }
}
