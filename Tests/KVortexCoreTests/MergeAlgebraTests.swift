import Testing
@testable import KVortexCore

/// Merge without a binding cap is a join: commutative, associative, idempotent, and it only ever
/// keeps siblings some write created (DESIGN.md "Data model"), over seeded random histories.
@Suite struct MergeAlgebraTests {
    static let seeds = 0..<200 as Range<UInt64>

    func merged(_ a: VersionedObject, _ b: VersionedObject) -> VersionedObject {
        a.merging(b, mode: .siblings, siblingsMax: 1_000)
    }

    func history(seed: UInt64, steps: Int = 50) -> HistoryGenerator {
        var history = HistoryGenerator(seed: seed, replicaCount: 4)
        history.run(steps: steps)
        return history
    }

    @Test(arguments: seeds)
    func mergeIsCommutative(seed: UInt64) {
        let objects = history(seed: seed).replicas
        for a in objects { for b in objects {
            #expect(merged(a, b) == merged(b, a), "seed \(seed)")
        } }
    }

    @Test(arguments: seeds)
    func mergeIsAssociative(seed: UInt64) {
        let objects = history(seed: seed).replicas
        for a in objects.prefix(3) { for b in objects { for c in objects.suffix(3) {
            #expect(merged(merged(a, b), c) == merged(a, merged(b, c)), "seed \(seed)")
        } } }
    }

    @Test(arguments: seeds)
    func mergeIsIdempotentAndAbsorbing(seed: UInt64) {
        let objects = history(seed: seed).replicas
        for a in objects {
            #expect(merged(a, a) == a, "seed \(seed): idempotent")
            #expect(merged(a, VersionedObject()) == a && merged(VersionedObject(), a) == a, "seed \(seed): empty is neutral")
            for b in objects {
                let ab = merged(a, b)
                #expect(merged(ab, b) == ab && merged(ab, a) == ab, "seed \(seed): a merged input changes nothing")
            }
        }
    }

    /// Every step of every history matches the set-based definition, and reports nothing dropped.
    @Test(arguments: seeds)
    func mergeMatchesTheDefinition(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 4)
        for _ in 0..<60 {
            let operation = history.nextOperation()
            guard case .merge(let into, let from) = operation else { history.perform(operation); continue }
            let (a, b) = (history.replicas[into], history.replicas[from])
            let outcome = history.perform(operation)[0]
            let result = history.replicas[into]
            #expect(Set(result.siblings) == ReferenceModel.mergedSiblings(a, b), "seed \(seed): \(history.recentLog)")
            #expect(ReferenceModel.dictionary(result.clock) == ReferenceModel.pointwiseMax(a.clock, b.clock), "seed \(seed)")
            #expect(outcome == ApplyOutcome(), "seed \(seed): a merge mints nothing and drops nothing under the cap")
            #expect(history.replicas[from] == b, "seed \(seed): the source is unchanged")
        }
    }

    /// Every sibling anywhere — in replicas and in merges of them in any order — is one a write
    /// created, field for field; every sibling is covered by its object's clock; siblings are sorted.
    @Test(arguments: seeds)
    func noSiblingIsInventedAndTheClockCoversEverySibling(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 4, worlds: [(.siblings, 1_000), (.siblings, 2), (.lww, 1_000)])
        history.run(steps: 60)
        let exchanged = history.worlds.indices.flatMap { history.exchangeAll(world: $0) }
        for object in history.worlds.flatMap(\.objects) + exchanged {
            for sibling in object.siblings {
                #expect(history.created[sibling.dot] == sibling, "seed \(seed): \(sibling.dot) was never written as is")
                #expect(object.clock.covers(sibling.dot), "seed \(seed): \(sibling.dot) not covered by \(object.clock)")
            }
            #expect(zip(object.siblings, object.siblings.dropFirst()).allSatisfy { $0.dot < $1.dot }, "seed \(seed): sorted, distinct")
        }
    }

    /// Clocks and dots never depend on the mode or the cap: the worlds differ only in siblings.
    @Test(arguments: seeds)
    func clocksAgreeAcrossModesAndCaps(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.siblings, 2), (.lww, 1_000)])
        for _ in 0..<50 {
            let outcomes = history.perform(history.nextOperation())
            #expect(Set(outcomes.map(\.dot)).count == 1, "seed \(seed): same dot in every world")
        }
        for world in history.worlds.dropFirst() {
            #expect(world.objects.map(\.clock) == history.replicas.map(\.clock), "seed \(seed)")
        }
    }

    /// A replica's history only grows, so merging any earlier state of it, either way, changes nothing.
    @Test(arguments: seeds)
    func mergingAnOlderVersionOfItselfChangesNothing(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, worlds: [(.siblings, 1_000), (.siblings, 3), (.lww, 1_000)])
        var snapshots: [[[VersionedObject]]] = []  // [step][world][replica]
        for _ in 0..<40 {
            history.perform(history.nextOperation())
            snapshots.append(history.worlds.map(\.objects))
        }
        for snapshot in snapshots {
            for (index, world) in history.worlds.enumerated() {
                for replica in world.objects.indices {
                    let (now, then) = (world.objects[replica], snapshot[index][replica])
                    #expect(now.clock.descends(then.clock), "seed \(seed)")
                    #expect(now.merging(then, mode: world.mode, siblingsMax: world.siblingsMax) == now,
                            "seed \(seed): world \(index) replica \(replica), older merged in")
                    #expect(then.merging(now, mode: world.mode, siblingsMax: world.siblingsMax) == now,
                            "seed \(seed): world \(index) replica \(replica), merged into older")
                }
            }
        }
    }
}
