import Testing
@testable import KVortexCore

/// The sibling cap (DESIGN.md "Data model", `Limits.siblingsMaxDefault`): past it the oldest by
/// (timestamp, dot) are dropped and counted in `ApplyOutcome.siblingsCapped`.
@Suite struct SiblingCapTests {
    static let seeds = 0..<200 as Range<UInt64>
    let actor = ActorID(rawValue: 1)

    /// Each write of a capped replica keeps the newest `cap` of what the same step would keep uncapped,
    /// and counts the rest; a merge keeps exactly what the uncapped merge of the same inputs keeps (the
    /// cap applies at write time only, so merges stay associative and never empty a key).
    @Test(arguments: seeds)
    func eachStepKeepsTheNewestAndCountsTheRest(seed: UInt64) {
        let cap = 3
        var history = HistoryGenerator(seed: seed, replicaCount: 4, mix: seed % 2 == 0 ? .balanced : .concurrent,
                                       worlds: [(.siblings, 1_000), (.siblings, cap)])
        for _ in 0..<60 {
            let operation = history.nextOperation()
            let before = history.worlds[1].objects
            let uncapped = ReferenceModel.uncapped(operation, on: before, actors: history.actors)
            let outcome = history.perform(operation)[1]
            let replica = switch operation { case .write(let replica, _, _), .merge(let replica, _): replica }
            let capped = history.worlds[1].objects[replica]
            #expect(capped.clock == uncapped.clock, "seed \(seed): dropped siblings stay covered")
            if case .write = operation {
                #expect(capped.siblings == ReferenceModel.newest(uncapped.siblings, keep: cap), "seed \(seed): \(history.recentLog)")
                #expect(outcome.siblingsCapped == max(0, uncapped.siblings.count - cap), "seed \(seed): \(history.recentLog)")
            } else {
                #expect(capped.siblings == uncapped.siblings.sorted { $0.dot < $1.dot }, "seed \(seed): \(history.recentLog)")
                #expect(outcome.siblingsCapped == 0, "seed \(seed)")
            }
            #expect(outcome.siblingsOverwrittenByLWW == 0, "seed \(seed)")
        }
    }

    @Test func fillingExactlyToTheCapDropsNothing() {
        var object = VersionedObject()
        for index in 0..<Limits.siblingsMaxDefault {
            #expect(blindWrite(&object, index, atMs: 100 + UInt64(index), siblingsMax: Limits.siblingsMaxDefault).siblingsCapped == 0)
        }
        #expect(object.siblings.count == Limits.siblingsMaxDefault)
        #expect(blindWrite(&object, 99, atMs: 500, siblingsMax: Limits.siblingsMaxDefault).siblingsCapped == 1)
        #expect(object.siblings.count == Limits.siblingsMaxDefault)
        #expect(!object.siblings.contains { $0.value == [0] }, "the oldest went")
    }

    @Test func cappedSiblingsStayCoveredAndNeverComeBack() {
        var object = VersionedObject()
        var capped = 0
        for index in 0..<5 { capped += blindWrite(&object, index, atMs: 100 + UInt64(index)).siblingsCapped }
        #expect(object.siblings.map { $0.value! } == [[2], [3], [4]])
        #expect(capped == 2)
        #expect(object.clock.counter(for: actor) == 5)
        // A replica that still holds the dropped versions cannot bring them back.
        var full = VersionedObject()
        for index in 0..<5 { blindWrite(&full, index, atMs: 100 + UInt64(index), siblingsMax: 16) }
        #expect(object.merging(full, mode: .siblings, siblingsMax: 3) == object)
    }

    /// Ties on timestamp fall to the dot, so the order is total and every replica drops the same.
    @Test func equalTimestampsDropTheLowerDot() {
        var object = VersionedObject()
        for index in 0..<4 { blindWrite(&object, index, atMs: 100) }
        #expect(object.siblings.map(\.dot.counter) == [2, 3, 4])
    }

    /// A write stamped older than everything at the cap is dropped by its own write (the rule taken
    /// literally): the client gets a dot that no replica holds. Pinned so a change is deliberate.
    @Test func aWriteOlderThanEverySiblingAtTheCapIsDroppedAtOnce() {
        var object = VersionedObject()
        for index in 0..<3 { blindWrite(&object, index, atMs: 100 + UInt64(index)) }
        let outcome = blindWrite(&object, 9, atMs: 50)
        #expect(outcome.siblingsCapped == 1)
        #expect(!object.siblings.contains { $0.dot == outcome.dot })
    }

    /// With a small cap, merge stays commutative and idempotent.
    @Test(arguments: seeds)
    func cappedMergeIsCommutativeAndIdempotent(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 4, worlds: [(.siblings, 3)])
        history.run(steps: 60)
        let objects = history.replicas
        for a in objects {
            #expect(a.merging(a, mode: .siblings, siblingsMax: 3) == a, "seed \(seed)")
            for b in objects {
                #expect(a.merging(b, mode: .siblings, siblingsMax: 3) == b.merging(a, mode: .siblings, siblingsMax: 3), "seed \(seed)")
            }
        }
    }

    /// FINDING (documented in docs/decisions.md as a trade-off): with a binding cap, the result of
    /// merging the same replicas depends on the order. Expected to fail; see the report.
    @Test(arguments: seeds)
    func cappedMergeIsOrderIndependent(seed: UInt64) {
        let cap = 2
        var history = HistoryGenerator(seed: seed, replicaCount: 5, mix: .concurrent, worlds: [(.siblings, cap)])
        history.run(steps: 60)
        let (a, b, c) = (history.replicas[0], history.replicas[1], history.replicas[2])
        let left = a.merging(b, mode: .siblings, siblingsMax: cap).merging(c, mode: .siblings, siblingsMax: cap)
        let right = a.merging(b.merging(c, mode: .siblings, siblingsMax: cap), mode: .siblings, siblingsMax: cap)
        #expect(left.clock == right.clock, "seed \(seed)")
        #expect(left == right, "seed \(seed): (a∪b)∪c kept \(left.siblings.map(\.dot)), a∪(b∪c) kept \(right.siblings.map(\.dot))")
    }

    /// Whatever order merges arrive in, a key someone wrote and nobody deleted keeps a value: merging
    /// never leaves an object with history but no sibling at all.
    @Test(arguments: seeds)
    func cappedMergesNeverLoseEveryVersion(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 5, mix: .concurrent, worlds: [(.siblings, 1_000), (.siblings, 2)])
        history.run(steps: 60)
        let settled = history.exchangeAll(world: 1)
        let again = settled.map { object in settled.reduce(object) { $0.merging($1, mode: .siblings, siblingsMax: 2) } }
        for object in settled + again where !object.clock.isEmpty {
            #expect(!object.siblings.isEmpty, "seed \(seed): every version lost; uncapped keeps \(history.exchangeAll(world: 0)[0].siblings.count)")
        }
        #expect(Set(again).count == 1, "seed \(seed): converged after one more exchange")
    }

    /// FINDING, the smallest case: cap 2. Replica 2's clock is behind: it reads b's two versions (t=20,
    /// 21) and replaces them with two of its own at t=5 and 6. Merged as (a∪b)∪c the cap keeps b's pair
    /// and c then supersedes it; merged as a∪(b∪c) the cap keeps a's pair. Exchanging the two results
    /// drops all four versions: nothing was deleted, yet no replica has a value.
    @Test func cappedMergeOrderCanLoseEveryVersion() {
        let (x, y, z) = (ActorID(rawValue: 1), ActorID(rawValue: 2), ActorID(rawValue: 3))
        func put(_ object: inout VersionedObject, _ actor: ActorID, _ value: UInt8, atMs ms: UInt64, context: VersionVector? = nil) {
            _ = object.applyWrite(WriteRequest(payload: .value([value]), context: context.map { WriteContext(clock: $0) }), actor: actor,
                                  timestamp: HybridTimestamp(physicalMs: ms, logical: 0), mode: .siblings, siblingsMax: 2)
        }
        var a = VersionedObject(), b = VersionedObject(), c = VersionedObject()
        put(&a, x, 1, atMs: 10); put(&a, x, 2, atMs: 11)
        put(&b, y, 3, atMs: 20); put(&b, y, 4, atMs: 21)
        _ = c.merge(b, mode: .siblings, siblingsMax: 2)
        put(&c, z, 5, atMs: 5, context: c.clock); put(&c, z, 6, atMs: 6)
        let left = a.merging(b, mode: .siblings, siblingsMax: 2).merging(c, mode: .siblings, siblingsMax: 2)
        let right = a.merging(b.merging(c, mode: .siblings, siblingsMax: 2), mode: .siblings, siblingsMax: 2)
        let settled = left.merging(right, mode: .siblings, siblingsMax: 2)
        #expect(!settled.siblings.isEmpty, "left kept \(left.siblings.map(\.value)), right kept \(right.siblings.map(\.value)), settled on none")
    }

    @discardableResult
    private func blindWrite(_ object: inout VersionedObject, _ value: Int, atMs ms: UInt64, siblingsMax: Int = 3) -> ApplyOutcome {
        object.applyWrite(WriteRequest(payload: .value([UInt8(value)])), actor: actor,
                          timestamp: HybridTimestamp(physicalMs: ms, logical: 0), mode: .siblings, siblingsMax: siblingsMax)
    }
}
