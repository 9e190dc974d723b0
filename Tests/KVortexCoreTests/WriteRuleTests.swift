import Testing
@testable import KVortexCore

/// The DVV write rule (DESIGN.md "Data model"): a write with context C mints `(X, max(clock[X], C[X]) + 1)`,
/// drops exactly the siblings C covers, and merges C into the clock; a blind write drops nothing.
@Suite struct WriteRuleTests {
    static let seeds = 0..<200 as Range<UInt64>
    let actor = ActorID(rawValue: 0xA)
    let other = ActorID(rawValue: 0xB)

    /// Checks every write of a random history against the rule, step by step.
    @Test(arguments: seeds)
    func everyWriteFollowsTheRule(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, replicaCount: 4)
        for _ in 0..<60 {
            let operation = history.nextOperation()
            guard case .write(let replica, let request, let stamp) = operation else { history.perform(operation); continue }
            let before = history.replicas[replica]
            let outcome = history.perform(operation)[0]
            let after = history.replicas[replica]
            let actor = history.actors[replica]
            // A delete without a context supersedes what this replica has seen (Riak's behaviour).
            let context = request.context?.clock ?? (request.payload == .tombstone ? before.clock : VersionVector())
            let dot = Dot(actor: actor, counter: max(before.clock.counter(for: actor), context.counter(for: actor)) + 1)
            // The new version orders after everything it supersedes, whatever the writer's clock says.
            let superseded = before.siblings.filter { context.covers($0.dot) }.map(\.timestamp)
                + [request.context?.newest ?? .zero]
            let floor = superseded.max()!
            let written = Sibling(dot: dot, payload: request.payload, timestamp: stamp > floor ? stamp : floor.successor,
                                  expiryMs: request.expiryMs, contentType: request.contentType)
            let expected = before.siblings.filter { !context.covers($0.dot) } + [written]
            #expect(outcome == ApplyOutcome(dot: dot), "seed \(seed): \(history.recentLog)")
            #expect(Set(after.siblings) == Set(expected), "seed \(seed): \(history.recentLog)")
            var clock = before.clock.merging(context)
            clock.raise(actor, to: dot.counter)
            #expect(after.clock == clock, "seed \(seed)")
            #expect(!before.clock.covers(dot), "seed \(seed): the dot is new to the replica")
        }
    }

    /// A blind write keeps every sibling, and the version it adds is concurrent with all others: no
    /// replica has seen its dot, and merging it anywhere keeps it.
    @Test(arguments: seeds)
    func blindWriteAddsASiblingConcurrentWithAll(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 30)
        let replica = history.random.int(in: 0..<history.replicaCount)
        let before = history.replicas[replica]
        let others = history.replicas
        let operation = history.write(at: replica, context: nil)
        let dot = history.perform(operation)[0].dot!
        let after = history.replicas[replica]
        #expect(after.siblings.count == before.siblings.count + 1, "seed \(seed): nothing dropped")
        #expect(Set(before.siblings).isSubset(of: Set(after.siblings)), "seed \(seed)")
        for object in others {
            #expect(!object.clock.covers(dot), "seed \(seed): no replica has seen \(dot)")
            for merged in [object.merging(after, mode: .siblings, siblingsMax: 1_000),
                           after.merging(object, mode: .siblings, siblingsMax: 1_000)] {
                #expect(merged.siblings.contains { $0.dot == dot }, "seed \(seed): merging keeps the new version")
                let unseenHere = object.siblings.filter { !before.clock.covers($0.dot) || before.siblings.contains($0) }
                #expect(Set(unseenHere).isSubset(of: Set(merged.siblings)), "seed \(seed): and what it is concurrent with")
            }
        }
    }

    @Test func firstWriteMintsCounterOne() {
        var object = VersionedObject()
        let outcome = write(&object, .value([1]))
        #expect(outcome.dot == Dot(actor: actor, counter: 1))
        #expect(object.clock == makeClock((actor, 1)))
        #expect(object.siblings.map(\.value) == [[1]])
    }

    @Test func contextAheadOfTheReplicaRaisesTheCounter() {
        // The context has seen 5 of our writes that this replica lost (e.g. handed off elsewhere).
        var object = VersionedObject()
        let outcome = write(&object, .value([1]), context: makeClock((actor, 5), (other, 2)))
        #expect(outcome.dot == Dot(actor: actor, counter: 6))
        #expect(object.clock == makeClock((actor, 6), (other, 2)))
    }

    @Test func contextSupersedesVersionsThisReplicaHasNotSeen() {
        var here = VersionedObject()
        var there = VersionedObject()
        _ = there.applyWrite(WriteRequest(payload: .value([7])), actor: other, timestamp: stamp(1), mode: .siblings, siblingsMax: 16)
        _ = write(&here, .value([8]), context: there.clock)
        let merged = here.merging(there, mode: .siblings, siblingsMax: 16)
        #expect(merged.siblings.map(\.value) == [[8]], "the client saw [7] and replaced it")
        #expect(there.merging(here, mode: .siblings, siblingsMax: 16) == merged)
    }

    @Test func deleteWithoutContextSupersedesWhatTheReplicaHasSeen() {
        var object = VersionedObject()
        _ = write(&object, .value([1]))
        _ = write(&object, .value([2]))
        _ = write(&object, .tombstone)
        #expect(object.siblings.count == 1)
        #expect(object.siblings[0].isTombstone)
        #expect(object.liveSiblings(atMs: 10).isEmpty)
    }

    @Test func deleteWithContextKeepsVersionsTheClientDidNotSee() {
        var object = VersionedObject()
        _ = write(&object, .value([1]))
        let seen = object.clock
        _ = write(&object, .value([2]))
        _ = write(&object, .tombstone, context: seen)
        #expect(object.siblings.map(\.payload) == [.value([2]), .tombstone])
        #expect(object.liveSiblings(atMs: 10).map(\.value) == [[2]])
    }

    @Test func writeKeepsTheRequestFields() {
        var object = VersionedObject()
        _ = object.applyWrite(WriteRequest(payload: .value([]), expiryMs: 99, contentType: "text/plain"),
                              actor: actor, timestamp: stamp(5), mode: .siblings, siblingsMax: 16)
        #expect(object.siblings == [Sibling(dot: Dot(actor: actor, counter: 1), payload: .value([]), timestamp: stamp(5),
                                            expiryMs: 99, contentType: "text/plain")])
    }

    private func stamp(_ ms: UInt64) -> HybridTimestamp { HybridTimestamp(physicalMs: ms, logical: 0) }

    @discardableResult
    private func write(_ object: inout VersionedObject, _ payload: Sibling.Payload, context: VersionVector? = nil) -> ApplyOutcome {
        object.applyWrite(WriteRequest(payload: payload, context: context.map { WriteContext(clock: $0) }), actor: actor, timestamp: stamp(5),
                          mode: .siblings, siblingsMax: 16)
    }
}
