import Testing
@testable import KVortexCore

/// Last-write-wins mode (DESIGN.md "Conflict modes"): one sibling, the greatest by (timestamp, dot),
/// the same on every replica.
@Suite struct LWWTests {
    static let seeds = 0..<200 as Range<UInt64>

    /// Each LWW step keeps the greatest of what the same step keeps in siblings mode, and counts the
    /// rest as overwritten.
    @Test(arguments: seeds)
    func eachStepKeepsOneWinnerAndCountsTheRest(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.lww, 1_000)])
        for _ in 0..<60 {
            let operation = history.nextOperation()
            let uncapped = ReferenceModel.uncapped(operation, on: history.worlds[1].objects, actors: history.actors)
            let outcome = history.perform(operation)[1]
            let replica = switch operation { case .write(let replica, _, _), .merge(let replica, _): replica }
            let object = history.worlds[1].objects[replica]
            #expect(object.siblings == ReferenceModel.newest(uncapped.siblings, keep: 1), "seed \(seed): \(history.recentLog)")
            #expect(outcome.siblingsOverwrittenByLWW == max(0, uncapped.siblings.count - 1), "seed \(seed)")
            #expect(outcome.siblingsCapped == 0, "seed \(seed)")
        }
    }

    /// The whole property: every LWW replica holds the LWW winner of everything it has seen, i.e.
    /// the greatest by (timestamp, dot) of the siblings the uncapped replica holds, and all replicas
    /// agree after exchanging in any order. Holds because a write orders itself after what it
    /// supersedes (see `aSupersedingWriteOrdersAfterWhatItSupersedes`), whatever the clocks' skew.
    @Test(arguments: seeds)
    func lwwReplicasHoldTheWinnerOfEverythingTheySaw(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.lww, 1_000)])
        history.run(steps: 50)
        for (lww, full) in zip(history.worlds[1].objects, history.replicas) {
            #expect(lww.siblings == ReferenceModel.newest(full.siblings, keep: 1), "seed \(seed): \(history.recentLog)")
        }
        let exchanged = history.exchangeAll(world: 1)
        let expected = ReferenceModel.newest(history.exchangeAll(world: 0)[0].siblings, keep: 1)
        for object in exchanged {
            #expect(object.siblings == expected, "seed \(seed): every replica picks the same winner")
        }
    }

    /// A key written and never deleted keeps a value on every replica, whatever order merges come in.
    @Test(arguments: seeds)
    func lwwMergesNeverLoseEveryVersion(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.lww, 1_000)])
        history.run(steps: 50)
        let exchanged = history.exchangeAll(world: 1)
        let again = exchanged.map { object in exchanged.reduce(object) { $0.merging($1, mode: .lww, siblingsMax: 1_000) } }
        let uncapped = history.exchangeAll(world: 0)[0]
        for object in exchanged + again where !uncapped.siblings.isEmpty {
            #expect(object.siblings.count == 1, "seed \(seed): \(uncapped.siblings.count) concurrent versions, LWW kept none")
        }
        #expect(Set(again).count == 1, "seed \(seed): converged after one more exchange")
    }

    /// The same with synchronized clocks and time moving on between writes: a write that supersedes
    /// another always carries a later timestamp here, and LWW converges on the right winner.
    @Test(arguments: seeds)
    func lwwConvergesOnTheWinnerWithoutClockSkew(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, skewMsMax: 0, timeStepMsMin: 1, worlds: [(.siblings, 1_000), (.lww, 1_000)])
        history.run(steps: 50)
        let exchanged = history.exchangeAll(world: 1)
        let expected = ReferenceModel.newest(history.exchangeAll(world: 0)[0].siblings, keep: 1)
        for object in exchanged {
            #expect(object.siblings.count == 1, "seed \(seed)")
            #expect(object.siblings == expected, "seed \(seed): \(history.recentLog)")
        }
    }

    /// Regression (found by `lwwMergesNeverLoseEveryVersion`). Replica 2's clock is behind: it reads
    /// s2 (t=20) and replaces it with s3 at t=5. When s3 kept t=5, one replica merged a, b, then c and
    /// another a into (b then c); they disagreed, and exchanging dropped both versions: a key written
    /// three times and never deleted had no value anywhere. Now s3 orders after s2, so s3 beats s1
    /// (t=10) in every merge order.
    @Test func aSupersedingWriteOrdersAfterWhatItSupersedes() {
        let actors = (0..<3).map { ActorID(rawValue: UInt64($0 + 1)) }
        func stamp(_ ms: UInt64) -> HybridTimestamp { HybridTimestamp(physicalMs: ms, logical: 0) }
        var a = VersionedObject(), b = VersionedObject(), c = VersionedObject()
        _ = a.applyWrite(WriteRequest(payload: .value([1])), actor: actors[0], timestamp: stamp(10), mode: .lww, siblingsMax: 16)
        _ = b.applyWrite(WriteRequest(payload: .value([2])), actor: actors[1], timestamp: stamp(20), mode: .lww, siblingsMax: 16)
        _ = c.merge(b, mode: .lww, siblingsMax: 16)
        _ = c.applyWrite(WriteRequest(payload: .value([3]), context: WriteContext(of: c)), actor: actors[2], timestamp: stamp(5),
                         mode: .lww, siblingsMax: 16)
        let left = a.merging(b, mode: .lww, siblingsMax: 16).merging(c, mode: .lww, siblingsMax: 16)
        let right = a.merging(b.merging(c, mode: .lww, siblingsMax: 16), mode: .lww, siblingsMax: 16)
        #expect(left == right, "left kept \(left.siblings.map(\.value)), right kept \(right.siblings.map(\.value))")
        let settled = left.merging(right, mode: .lww, siblingsMax: 16)
        #expect(settled.siblings.map(\.value) == [[3]], "the concurrent versions are [1] and [3]; [3] is after [2], after [1]")
        #expect(c.siblings[0].timestamp > stamp(20), "s3 is stamped after s2, which it supersedes")
    }

    /// A coordinator that never held the superseded version learns its time from the context.
    @Test func theContextCarriesTheNewestTimeToACoordinatorWithoutTheVersion() {
        var read = VersionedObject()
        _ = read.applyWrite(WriteRequest(payload: .value([2])), actor: ActorID(rawValue: 2),
                            timestamp: HybridTimestamp(physicalMs: 20, logical: 3), mode: .lww, siblingsMax: 1)
        let context = WriteContext(of: read)
        #expect(context.newest == HybridTimestamp(physicalMs: 20, logical: 3))
        let token = CausalContext.token(for: context)
        var coordinator = VersionedObject()
        _ = coordinator.applyWrite(WriteRequest(payload: .value([3]), context: CausalContext.context(fromToken: token.utf8)),
                                   actor: ActorID(rawValue: 3), timestamp: HybridTimestamp(physicalMs: 5, logical: 0),
                                   mode: .lww, siblingsMax: 1)
        #expect(coordinator.siblings.map(\.timestamp) == [HybridTimestamp(physicalMs: 20, logical: 4)])
        #expect(read.merging(coordinator, mode: .lww, siblingsMax: 1).siblings.map(\.value) == [[3]])
    }
}
