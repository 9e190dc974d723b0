import Testing
@testable import KVortexCore

/// A read coordinator lets clocks decide in siblings mode (a reply the merge descends is skipped, one
/// descending the merge replaces it, equal clocks need no repair). Over replies drawn from the states of
/// generated histories, decoded or still encoded, it must answer and repair exactly as the full merge does.
@Suite struct CoordinatorGetClockTests {
    typealias F = CoordinatorFixtures

    static func coordinator(clocksDecide: Bool, siblingsMax: Int) -> GetCoordinator {
        GetCoordinator(requestID: RequestID(1), key: Array("k".utf8), targets: F.targets(F.n1, F.n2, F.n3), readQuorum: 2,
                       mode: .siblings, siblingsMax: siblingsMax, clocksDecide: clocksDecide)
    }

    @Test(arguments: 0..<60 as Range<UInt64>)
    func clocksDecideAsTheFullMergeWould(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, mix: seed % 2 == 0 ? .balanced : .concurrent,
                                       worlds: [(.siblings, 1_000), (.siblings, 3)])
        var states: [[VersionedObject]] = Array(repeating: [], count: history.worlds.count)
        for _ in 0..<25 {
            history.perform(history.nextOperation())
            for (index, world) in history.worlds.enumerated() { states[index] += world.objects }
        }
        var random = TestRandom(seed: seed)
        var skippedOrReplaced = 0
        for (index, world) in history.worlds.enumerated() {
            for round in 0..<150 {
                let replies: [MessageObject?] = [F.n1, F.n2, F.n3].map { _ in
                    guard random.int(in: 0..<6) > 0 else { return nil }
                    let object = random.element(of: states[index])
                    return random.int(in: 0..<2) == 0 ? .decoded(object) : .encoded(EncodedObject(object))
                }
                var fast = Self.coordinator(clocksDecide: true, siblingsMax: world.siblingsMax)
                var full = Self.coordinator(clocksDecide: false, siblingsMax: world.siblingsMax)
                for (node, object) in zip([F.n1, F.n2, F.n3], replies) {
                    let event = GetCoordinator.Event.reply(from: node, object: object)
                    #expect(fast.receive(event) == full.receive(event), "seed \(seed), world \(index), round \(round)")
                }
                let clocks = replies.compactMap { $0?.clock }
                if clocks.count > 1, clocks.dropFirst().contains(where: { $0.descends(clocks[0]) || clocks[0].descends($0) }) {
                    skippedOrReplaced += 1
                }
            }
        }
        #expect(skippedOrReplaced > 0, "seed \(seed): no reply took the clock path")
    }

    @Test func agreeingReplicasAreNeitherMergedNorRepaired() {
        var get = Self.coordinator(clocksDecide: true, siblingsMax: 16)
        let object = F.object([(F.n1, "v1"), (F.n2, "v2")])
        _ = get.receive(.reply(from: F.n1, object: .decoded(object)))
        #expect(get.receive(.reply(from: F.n2, object: .encoded(EncodedObject(object)))) ==
                [.reply(.success(ReadOutcome(object: object, replicasAcked: 2, replicasAsked: 3)))])
        #expect(get.receive(.reply(from: F.n3, object: .encoded(EncodedObject(object)))).isEmpty, "nothing to repair")
    }

    @Test func aNewerReplyReplacesTheMergeAndTheStaleOneIsRepaired() {
        var get = Self.coordinator(clocksDecide: true, siblingsMax: 16)
        let stale = F.object([(F.n1, "v1")])
        let fresh = F.object([(F.n1, "v1"), (F.n1, "v2")])
        _ = get.receive(.reply(from: F.n1, object: .decoded(stale)))
        #expect(get.receive(.reply(from: F.n2, object: .encoded(EncodedObject(fresh)))) ==
                [.reply(.success(ReadOutcome(object: fresh, replicasAcked: 2, replicasAsked: 3)))])
        #expect(get.receive(.reply(from: F.n3, object: .decoded(fresh))) == [.repair(F.n1, fresh)])
    }
}
