import Testing
@testable import KVortexCore

@Suite struct CoordinatorPutTests {
    typealias F = CoordinatorFixtures

    func coordinator(w: Int, targets: [ReplicaTarget], sloppy: Bool = true, localIsPrimary: Bool = true) -> PutCoordinator {
        PutCoordinator(requestID: RequestID(7), key: Array("k".utf8), context: WriteContext(of: F.object([(F.n1, "v")])),
                       targets: targets, writeQuorum: w, sloppy: sloppy, localIsPrimary: localIsPrimary)
    }

    @Test func localWriteIsTheFirstAck() {
        var put = coordinator(w: 1, targets: F.targets(F.n2, F.n3))
        let actions = put.start()
        #expect(actions.count == 1)
        guard case .reply(.success(let outcome)) = actions.first else { Issue.record("expected success"); return }
        #expect(outcome.replicasAcked == 1)
        #expect(outcome.replicasAsked == 3)
    }

    @Test func repliesOnceWriteQuorumIsMet() {
        var put = coordinator(w: 2, targets: F.targets(F.n2, F.n3))
        #expect(put.start().isEmpty)
        guard case .reply(.success(let outcome)) = put.receive(.ack(from: F.n3)).first else { Issue.record("expected success"); return }
        #expect(outcome.replicasAcked == 2)
        #expect(put.receive(.ack(from: F.n2)).isEmpty, "late acks after the reply are dropped")
    }

    @Test func strictQuorumDoesNotCountHintedStandIns() {
        let targets = [ReplicaTarget(node: F.n2), ReplicaTarget(node: F.n4, hintFor: F.n3)]
        var strict = coordinator(w: 3, targets: targets, sloppy: false)
        #expect(strict.start() == [.reply(.failure(.quorumUnmet(needed: 3, acked: 1, asked: 3)))],
                "W=3 strict with one primary replaced is impossible at once")
        var sloppy = coordinator(w: 3, targets: targets, sloppy: true)
        #expect(sloppy.start().isEmpty)
        #expect(sloppy.receive(.ack(from: F.n4)).isEmpty)
        guard case .reply(.success) = sloppy.receive(.ack(from: F.n2)).first else { Issue.record("expected success"); return }
    }

    @Test func givesUpWhenFailuresMakeQuorumImpossible() {
        var put = coordinator(w: 3, targets: F.targets(F.n2, F.n3))
        _ = put.start()
        #expect(put.receive(.failed(from: F.n2)) == [.reply(.failure(.quorumUnmet(needed: 3, acked: 1, asked: 3)))])
    }

    @Test func deadlineReportsAckedOfAsked() {
        var put = coordinator(w: 3, targets: F.targets(F.n2, F.n3))
        _ = put.start()
        _ = put.receive(.ack(from: F.n2))
        #expect(put.receive(.deadline) == [.reply(.failure(.timeout(needed: 3, acked: 2, asked: 3)))])
        #expect(put.receive(.deadline).isEmpty)
    }

    @Test func duplicateAndUnknownAcksAreIgnored() {
        var put = coordinator(w: 3, targets: F.targets(F.n2, F.n3))
        _ = put.start()
        #expect(put.receive(.ack(from: F.n2)).isEmpty)
        #expect(put.receive(.ack(from: F.n2)).isEmpty)
        #expect(put.receive(.ack(from: F.n4)).isEmpty)
        #expect(put.countedAcks == 2)
    }
}
