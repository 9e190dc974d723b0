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
    /// agree after exchanging in any order. Fails when a context write carries an older timestamp
    /// than the version it supersedes (clock skew; `Node` never observes peers' timestamps): see
    /// `lwwMergeOrderCanLoseEveryWrite`.
    @Test(arguments: seeds)
    func lwwReplicasHoldTheWinnerOfEverythingTheySaw(seed: UInt64) {
        withKnownIssue("Open bug (issue 4 note): in lww mode a write that supersedes a version can carry an older timestamp (the coordinator never observes the superseded timestamps), and merges then disagree and can drop every version. Fix: carry the read\u{2019}s largest timestamp in the context and observe it before minting.", isIntermittent: true) {
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
    }

    /// A key written and never deleted keeps a value on every replica, whatever order merges come in.
    /// Fails for the same reason as `lwwMergeOrderCanLoseEveryWrite`.
    @Test(arguments: seeds)
    func lwwMergesNeverLoseEveryVersion(seed: UInt64) {
        withKnownIssue("Open bug (issue 4 note): in lww mode a write that supersedes a version can carry an older timestamp (the coordinator never observes the superseded timestamps), and merges then disagree and can drop every version. Fix: carry the read\u{2019}s largest timestamp in the context and observe it before minting.", isIntermittent: true) {
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

    /// FINDING. Replica 2's clock is behind: it reads s2 (t=20) and replaces it with s3 at t=5. One
    /// replica merges a, b, then c; another merges a into (b then c). They disagree, and when they
    /// exchange both versions are dropped: the key, written three times and never deleted, has no
    /// value on any replica.
    @Test func lwwMergeOrderCanLoseEveryWrite() {
        withKnownIssue("Open bug (issue 4 note): in lww mode a write that supersedes a version can carry an older timestamp (the coordinator never observes the superseded timestamps), and merges then disagree and can drop every version. Fix: carry the read\u{2019}s largest timestamp in the context and observe it before minting.", isIntermittent: true) {
            let actors = (0..<3).map { ActorID(rawValue: UInt64($0 + 1)) }
            func stamp(_ ms: UInt64) -> HybridTimestamp { HybridTimestamp(physicalMs: ms, logical: 0) }
            var a = VersionedObject(), b = VersionedObject(), c = VersionedObject()
            _ = a.applyWrite(WriteRequest(payload: .value([1])), actor: actors[0], timestamp: stamp(10), mode: .lww, siblingsMax: 16)
            _ = b.applyWrite(WriteRequest(payload: .value([2])), actor: actors[1], timestamp: stamp(20), mode: .lww, siblingsMax: 16)
            _ = c.merge(b, mode: .lww, siblingsMax: 16)
            _ = c.applyWrite(WriteRequest(payload: .value([3]), context: c.clock), actor: actors[2], timestamp: stamp(5),
                             mode: .lww, siblingsMax: 16)
            let left = a.merging(b, mode: .lww, siblingsMax: 16).merging(c, mode: .lww, siblingsMax: 16)
            let right = a.merging(b.merging(c, mode: .lww, siblingsMax: 16), mode: .lww, siblingsMax: 16)
            #expect(left == right, "left kept \(left.siblings.map(\.value)), right kept \(right.siblings.map(\.value))")
            let settled = left.merging(right, mode: .lww, siblingsMax: 16)
            #expect(settled.siblings.map(\.value) == [[1]], "the concurrent versions are [1] and [3]; LWW keeps [1]")
        }
    }
}
