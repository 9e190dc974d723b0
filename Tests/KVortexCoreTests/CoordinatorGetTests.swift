import Testing
@testable import KVortexCore

@Suite struct CoordinatorGetTests {
    typealias F = CoordinatorFixtures

    func coordinator(r: Int, targets: [ReplicaTarget] = F.targets(F.n1, F.n2, F.n3)) -> GetCoordinator {
        GetCoordinator(requestID: RequestID(1), key: Array("k".utf8), targets: targets, readQuorum: r,
                       mode: .siblings, siblingsMax: 16)
    }

    @Test func repliesOnceReadQuorumIsMetWithTheMerge() {
        var get = coordinator(r: 2)
        let a = F.object([(F.n1, "a")])
        let b = F.object([(F.n2, "b")])
        #expect(get.receive(.reply(from: F.n1, object: .decoded(a))).isEmpty)
        let actions = get.receive(.reply(from: F.n2, object: .decoded(b)))
        let merged = a.merging(b, mode: .siblings, siblingsMax: 16)
        #expect(actions == [.reply(.success(ReadOutcome(object: merged, replicasAcked: 2, replicasAsked: 3)))])
        #expect(get.state == .repairing)
    }

    /// A finished read's arrays, emptied with their capacity, serve the next read, which behaves as a
    /// new coordinator would.
    @Test func aFinishedReadsBuffersServeTheNextRead() {
        var first = coordinator(r: 1, targets: F.targets(F.n1, F.n2))
        _ = first.receive(.reply(from: F.n1, object: .decoded(F.object([(F.n1, "a")]))))
        _ = first.receive(.reply(from: F.n2, object: nil))
        #expect(first.state == .finished)
        var buffers = first.takeBuffers()
        #expect(buffers.targets.isEmpty && buffers.replies.isEmpty)
        #expect(buffers.targets.capacity >= 2 && buffers.replies.capacity >= 2, "capacity kept")
        buffers.targets.append(contentsOf: F.targets(F.n2, F.n3))
        var next = GetCoordinator(requestID: RequestID(2), key: Array("j".utf8), buffers: buffers, readQuorum: 2,
                                  mode: .siblings, siblingsMax: 16)
        var fresh = GetCoordinator(requestID: RequestID(2), key: Array("j".utf8), targets: F.targets(F.n2, F.n3),
                                   readQuorum: 2, mode: .siblings, siblingsMax: 16)
        let b = F.object([(F.n2, "b")])
        for event: GetCoordinator.Event in [.reply(from: F.n1, object: nil), .reply(from: F.n3, object: .decoded(b)),
                                            .reply(from: F.n2, object: nil)] {
            #expect(next.receive(event) == fresh.receive(event))
        }
        #expect(next.state == fresh.state)
        #expect(next.targets == fresh.targets)
    }

    @Test func notFoundCountsTowardR() {
        var get = coordinator(r: 2)
        #expect(get.receive(.reply(from: F.n1, object: nil)).isEmpty)
        #expect(get.receive(.reply(from: F.n3, object: nil)) == [.reply(.success(ReadOutcome(object: nil, replicasAcked: 2, replicasAsked: 3)))])
    }

    @Test func readRepairSendsTheMergeToEveryStaleReplier() {
        var get = coordinator(r: 1)
        let fresh = F.object([(F.n1, "v1"), (F.n1, "v2")])
        let stale = F.object([(F.n1, "v1")])
        _ = get.receive(.reply(from: F.n1, object: .decoded(fresh)))
        #expect(get.receive(.reply(from: F.n2, object: .decoded(stale))).isEmpty)
        let repairs = get.receive(.reply(from: F.n3, object: nil))
        #expect(repairs == [.repair(F.n2, fresh), .repair(F.n3, fresh)])
        #expect(get.state == .finished)
    }

    @Test func repairWindowClosingRepairsWhatHasArrived() {
        var get = coordinator(r: 1)
        let fresh = F.object([(F.n1, "v1")])
        _ = get.receive(.reply(from: F.n1, object: .decoded(fresh)))
        _ = get.receive(.reply(from: F.n2, object: nil))
        #expect(get.receive(.repairWindowClosed) == [.repair(F.n2, fresh)])
        #expect(get.receive(.reply(from: F.n3, object: nil)).isEmpty, "too late to repair")
    }

    @Test func givesUpAsSoonAsQuorumIsImpossible() {
        var get = coordinator(r: 2)
        #expect(get.receive(.failed(from: F.n1)).isEmpty)
        #expect(get.receive(.failed(from: F.n2)) == [.reply(.failure(.quorumUnmet(needed: 2, acked: 0, asked: 3)))])
        #expect(get.receive(.reply(from: F.n3, object: nil)).isEmpty)
    }

    @Test func deadlineAnswersTimeoutWithCounts() {
        var get = coordinator(r: 3)
        _ = get.receive(.reply(from: F.n1, object: nil))
        #expect(get.receive(.deadline) == [.reply(.failure(.timeout(needed: 3, acked: 1, asked: 3)))])
    }

    @Test func ignoresStrangersAndDuplicates() {
        var get = coordinator(r: 2)
        #expect(get.receive(.reply(from: F.n4, object: nil)).isEmpty)
        #expect(get.receive(.reply(from: F.n1, object: nil)).isEmpty)
        #expect(get.receive(.reply(from: F.n1, object: nil)).isEmpty, "a duplicate reply is not a second vote")
        #expect(get.state == .collecting)
    }
}
