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

    @Test func aConcurrentVersionIsMerged() {
        let first = F.object([(F.n1, "a")])
        let other = F.object([(F.n3, "b")])
        let merged = first.merging(other, mode: .siblings, siblingsMax: 16)
        #expect(kept(after: [first, other], supersedingReplaces: true) == merged)
        #expect(merged.siblings.count == 2)
    }
}
