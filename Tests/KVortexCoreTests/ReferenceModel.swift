@testable import KVortexCore

/// DESIGN.md "Data model" written as plainly as possible, with sets and dictionaries, to check the
/// core's sorted-array implementation against.
enum ReferenceModel {
    static func pointwiseMax(_ a: VersionVector, _ b: VersionVector) -> [ActorID: UInt64] {
        var counters: [ActorID: UInt64] = [:]
        for entry in a.entries + b.entries { counters[entry.actor] = max(counters[entry.actor] ?? 0, entry.counter) }
        return counters
    }

    static func dictionary(_ clock: VersionVector) -> [ActorID: UInt64] {
        pointwiseMax(clock, VersionVector())
    }

    /// Keep a sibling both sides hold, or one the other side's clock has not seen.
    static func mergedSiblings(_ a: VersionedObject, _ b: VersionedObject) -> Set<Sibling> {
        let left = Set(a.siblings)
        let right = Set(b.siblings)
        return left.intersection(right)
            .union(left.filter { !b.clock.covers($0.dot) })
            .union(right.filter { !a.clock.covers($0.dot) })
    }

    /// The `keep` newest siblings by (timestamp, dot), in dot order: what a bound leaves.
    static func newest(_ siblings: some Sequence<Sibling>, keep: Int) -> [Sibling] {
        siblings.sorted(by: Sibling.lwwPrecedes).suffix(keep).sorted { $0.dot < $1.dot }
    }

    /// What applying `operation` to `objects` gives with no bound at all.
    static func uncapped(_ operation: HistoryOperation, on objects: [VersionedObject], actors: [ActorID]) -> VersionedObject {
        var world = World(mode: .siblings, siblingsMax: Int.max, objects: objects, actors: actors)
        world.apply(operation)
        switch operation {
        case .write(let replica, _, _), .merge(let replica, _): return world.objects[replica]
        }
    }
}

/// A clock from `(actor, counter)` pairs, so literals need no type annotations.
func makeClock(_ pairs: (ActorID, UInt64)...) -> VersionVector {
    VersionVector(pairs)
}
