import Testing
@testable import KVortexCore

/// A hint that the next write supersedes is replaced as it is; one it does not is merged. Either way
/// the kept object is what the full merge gives.
@Suite struct HintSupersedeTests {
    typealias F = CoordinatorFixtures
    let key = Array("k".utf8)

    func kept(after objects: [VersionedObject], supersedingReplaces: Bool) -> VersionedObject? {
        var queues = HintQueues(hintsPerTargetMax: 8, supersedingReplaces: supersedingReplaces)
        for object in objects { _ = queues.add(target: F.n2, key: key, object: object, mode: .siblings, siblingsMax: 16) }
        return queues.pending(for: F.n2, limit: 1).first?.object
    }

    @Test func theNextVersionReplacesTheHintAsTheMergeWould() {
        let first = F.object([(F.n1, "a")])
        let second = F.object([(F.n1, "b")], base: first)
        #expect(second.supersedes(clock: first.clock, mode: .siblings))
        #expect(kept(after: [first, second], supersedingReplaces: true) == second)
        #expect(kept(after: [first, second], supersedingReplaces: false) == first.merging(second, mode: .siblings, siblingsMax: 16))
    }

    /// What a durable store logs after an add: the hint as now stored, its sequence new.
    @Test func theHintAsStoredIsFoundByTargetAndKey() {
        var queues = HintQueues(hintsPerTargetMax: 8)
        let first = F.object([(F.n1, "a")])
        let other = F.object([(F.n3, "b")])
        #expect(queues.hint(for: F.n2, key: key) == nil)
        #expect(queues.add(target: F.n2, key: key, object: first, mode: .siblings, siblingsMax: 16) == .stored)
        let stored = queues.hint(for: F.n2, key: key)
        #expect(stored?.object == first)
        #expect(queues.add(target: F.n2, key: key, object: other, mode: .siblings, siblingsMax: 16) == .merged)
        let merged = queues.hint(for: F.n2, key: key)
        #expect(merged?.object == first.merging(other, mode: .siblings, siblingsMax: 16))
        #expect(merged.map(\.sequence) ?? 0 > stored.map(\.sequence) ?? 0)
        #expect(queues.hint(for: F.n3, key: key) == nil)
    }

    @Test func aConcurrentVersionIsMerged() {
        let first = F.object([(F.n1, "a")])
        let other = F.object([(F.n3, "b")])
        let merged = first.merging(other, mode: .siblings, siblingsMax: 16)
        #expect(kept(after: [first, other], supersedingReplaces: true) == merged)
        #expect(merged.siblings.count == 2)
    }
}
