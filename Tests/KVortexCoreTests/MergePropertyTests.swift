import Testing
@testable import KVortexCore

/// The algebra of DESIGN.md "Data model", over seeded random histories.
@Suite struct MergePropertyTests {
    static let seeds = 0..<200 as Range<UInt64>

    func merged(_ a: VersionedObject, _ b: VersionedObject, siblingsMax: Int = 1_000) -> VersionedObject {
        a.merging(b, mode: .siblings, siblingsMax: siblingsMax)
    }

    @Test(arguments: seeds)
    func mergeIsCommutativeAssociativeIdempotent(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 40)
        let (a, b, c) = (history.replicas[0], history.replicas[1], history.replicas[2])
        #expect(merged(a, b) == merged(b, a), "seed \(seed): commutativity")
        #expect(merged(merged(a, b), c) == merged(a, merged(b, c)), "seed \(seed): associativity")
        #expect(merged(a, a) == a, "seed \(seed): idempotence")
        #expect(merged(merged(a, b), b) == merged(a, b), "seed \(seed): absorbing a merged input changes nothing")
    }

    /// Capping inside a merge is not associative: a cap may drop a sibling because of newer ones that a
    /// later merge removes (docs/decisions.md). What must hold: the cap, equal clocks whatever the order,
    /// and convergence after one more exchange, to the same object from either side.
    @Test(arguments: seeds)
    func cappedMergesConvergeAfterOneMoreExchange(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, siblingsMax: 1_000)
        history.run(steps: 60)
        let (a, b, c) = (history.replicas[0], history.replicas[1], history.replicas[2])
        let cap = 3
        let left = merged(merged(a, b, siblingsMax: cap), c, siblingsMax: cap)
        let right = merged(a, merged(b, c, siblingsMax: cap), siblingsMax: cap)
        #expect(left.siblings.count <= cap && right.siblings.count <= cap, "seed \(seed)")
        #expect(left.clock == right.clock, "seed \(seed)")
        let settled = merged(left, right, siblingsMax: cap)
        #expect(settled == merged(right, left, siblingsMax: cap), "seed \(seed)")
        #expect(Set(settled.siblings.map(\.dot)) == Set(left.siblings.map(\.dot)).intersection(right.siblings.map(\.dot)),
                "seed \(seed): the exchange keeps what both orders kept")
        #expect(merged(settled, left, siblingsMax: cap) == settled && merged(settled, right, siblingsMax: cap) == settled,
                "seed \(seed): and is stable")
    }

    @Test(arguments: seeds)
    func noSiblingIsEverInventedAndTheClockCoversEverySibling(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 60)
        let all = history.replicas.reduce(VersionedObject()) { merged($0, $1) }
        for object in history.replicas + [all] {
            for sibling in object.siblings {
                #expect(history.created[sibling.dot] == sibling, "seed \(seed): \(sibling.dot) was never written as is")
                #expect(object.clock.covers(sibling.dot), "seed \(seed)")
            }
        }
    }

    @Test(arguments: seeds)
    func writeWithContextRemovesExactlyTheCoveredSiblings(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 40)
        let before = history.replicas[0]
        let context = history.replicas[history.random.int(in: 0..<3)].clock
        let outcome = history.write(at: 0, context: context)
        let after = history.replicas[0]
        let kept = Set(after.siblings.map(\.dot))
        for sibling in before.siblings {
            #expect(kept.contains(sibling.dot) == !context.covers(sibling.dot), "seed \(seed): \(sibling.dot)")
        }
        #expect(kept.contains(outcome.dot!), "seed \(seed): the new sibling is there")
        #expect(after.clock.descends(before.clock) && after.clock.descends(context), "seed \(seed)")
    }

    @Test(arguments: seeds)
    func blindWriteIsConcurrentWithEverything(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 30)
        let before = history.replicas[1]
        let live = before.siblings.count
        history.write(at: 1, context: nil)
        #expect(history.replicas[1].siblings.count == live + 1, "seed \(seed): nothing is dropped by a blind write")
    }

    @Test(arguments: seeds)
    func mergingAnOlderVersionOfItselfChangesNothing(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 20)
        let older = history.replicas[2]
        for _ in 0..<5 { history.write(at: 2, context: history.replicas[2].clock) }
        let newer = history.replicas[2]
        #expect(merged(newer, older) == newer, "seed \(seed)")
    }

    @Test(arguments: 0..<100 as Range<UInt64>)
    func lwwKeepsOneWinnerEverywhere(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, mode: .lww)
        history.run(steps: 40)
        var all = VersionedObject()
        for replica in history.replicas {
            #expect(replica.siblings.count <= 1, "seed \(seed)")
            _ = all.merge(replica, mode: .lww, siblingsMax: 1_000)
        }
        // LWW arbitrates among concurrent versions only: a sibling some replica superseded causally
        // (its clock covers the dot, its siblings lack it) does not compete.
        let candidates = history.replicas.flatMap(\.siblings).filter { sibling in
            history.replicas.allSatisfy { !$0.clock.covers(sibling.dot) || $0.siblings.contains(sibling) }
        }
        let expected = candidates.max(by: Sibling.lwwPrecedes)
        let everyOrder = history.replicas.reversed().reduce(VersionedObject()) { $0.merging($1, mode: .lww, siblingsMax: 1_000) }
        #expect(all.siblings.count <= 1)
        #expect(all == everyOrder, "seed \(seed): every replica picks the same winner")
        #expect(all.siblings.first == expected, "seed \(seed): the winner is the max by (timestamp, dot) of the concurrent versions")
    }

    @Test func siblingCapDropsTheOldestAndCountsThem() {
        var object = VersionedObject()
        let actor = ActorID(rawValue: 1)
        var capped = 0
        for index in 0..<5 {
            capped += object.applyWrite(WriteRequest(payload: .value([UInt8(index)])), actor: actor,
                                        timestamp: HybridTimestamp(physicalMs: 100 + UInt64(index), logical: 0),
                                        mode: .siblings, siblingsMax: 3).siblingsCapped
        }
        #expect(object.siblings.map { $0.value! } == [[2], [3], [4]])
        #expect(capped == 2)
        #expect(object.clock.counter(for: actor) == 5, "dropped siblings stay covered, so no merge brings them back")
    }

    @Test func deleteWithoutContextSupersedesWhatTheReplicaHasSeen() {
        var object = VersionedObject()
        let actor = ActorID(rawValue: 9)
        let stamp = HybridTimestamp(physicalMs: 5, logical: 0)
        _ = object.applyWrite(WriteRequest(payload: .value([1])), actor: actor, timestamp: stamp, mode: .siblings, siblingsMax: 16)
        _ = object.applyWrite(WriteRequest(payload: .value([2])), actor: actor, timestamp: stamp, mode: .siblings, siblingsMax: 16)
        _ = object.applyWrite(WriteRequest(payload: .tombstone), actor: actor, timestamp: stamp, mode: .siblings, siblingsMax: 16)
        #expect(object.siblings.count == 1)
        #expect(object.siblings[0].isTombstone)
        #expect(object.liveSiblings(atMs: 10).isEmpty)
    }
}
