import Testing
@testable import KVortexCore

/// `VersionedObject.mergeSiblingsInPlace`: when the other side brings at most one sibling, the
/// siblings are changed where they lie, to exactly the merge's, in dot order; otherwise nothing changes.
@Suite struct MergeInPlaceTests {
    typealias F = CoordinatorFixtures

    @Test(arguments: 0..<200 as Range<UInt64>)
    func inPlaceSiblingsAreTheMergesInDotOrder(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 4)
        history.run(steps: 50)
        for a in history.replicas { for b in history.replicas {
            var changed = a
            guard changed.mergeSiblingsInPlace(b) else {
                #expect(changed == a, "seed \(seed): a refused merge changes nothing")
                continue
            }
            #expect(Set(changed.siblings) == ReferenceModel.mergedSiblings(a, b), "seed \(seed)")
            #expect(changed.siblings.map(\.dot) == changed.siblings.map(\.dot).sorted(), "seed \(seed): dot order")
            #expect(changed.clock == a.clock, "seed \(seed): the clock is the caller's to merge")
            #expect(changed.merging(b, mode: .siblings, siblingsMax: 1_000) == a.merging(b, mode: .siblings, siblingsMax: 1_000),
                    "seed \(seed)")
        } }
    }

    /// A write that read the object covers all its siblings: merged in, they go and the new one stays.
    /// A copy taken before is left as it was.
    @Test func coveredSiblingsGoAndACopyIsUnchanged() {
        let base = F.object([(F.n1, "a"), (F.n2, "b"), (F.n3, "c")])
        var newer = VersionedObject()
        _ = newer.applyWrite(WriteRequest(payload: .value(Array("d".utf8)), context: WriteContext(of: base)),
                             actor: ActorID(node: F.n4, epoch: 1), timestamp: HybridTimestamp(physicalMs: 2_000, logical: 0),
                             mode: .siblings, siblingsMax: 16)
        let copy = base
        var merged = base
        let inPlace = merged.mergeSiblingsInPlace(newer)
        #expect(inPlace)
        #expect(merged.siblings == newer.siblings)
        #expect(copy == F.object([(F.n1, "a"), (F.n2, "b"), (F.n3, "c")]), "the copy keeps its siblings")
    }

    @Test func twoNewSiblingsAreLeftToTheRebuild() {
        let base = F.object([(F.n1, "a")])
        let other = F.object([(F.n2, "b"), (F.n3, "c")])
        var merged = base
        let inPlace = merged.mergeSiblingsInPlace(other)
        #expect(!inPlace)
        #expect(merged == base)
    }
}
