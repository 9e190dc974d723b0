import Testing
@testable import KVortexCore

@Suite struct HintStoreTests {
    typealias F = CoordinatorFixtures
    let key = Array("k".utf8)

    @Test func queueIsBoundedAtExactlyTheLimit() {
        let store = MemoryHintStore(hintsPerTargetMax: 3)
        for index in 0..<3 {
            #expect(store.add(target: F.n2, key: [UInt8(index)], object: F.object([(F.n1, "v")]), mode: .siblings, siblingsMax: 16) == .stored)
        }
        #expect(store.add(target: F.n2, key: [9], object: F.object([(F.n1, "v")]), mode: .siblings, siblingsMax: 16) == .full)
        #expect(store.add(target: F.n3, key: [9], object: F.object([(F.n1, "v")]), mode: .siblings, siblingsMax: 16) == .stored,
                "the bound is per target")
        #expect(store.stats.droppedFull == 1)
        #expect(store.stats.pending == 4)
        #expect(store.pending(for: F.n2, limit: 10).map(\.key) == [[0], [1], [2]], "oldest first")
    }

    @Test func hintsForOneKeyMergeAndAStaleAckDoesNotDropTheNewerHint() {
        let store = MemoryHintStore()
        let first = F.object([(F.n1, "a")])
        let second = F.object([(F.n3, "b")])
        #expect(store.add(target: F.n2, key: key, object: first, mode: .siblings, siblingsMax: 16) == .stored)
        let delivered = store.pending(for: F.n2, limit: 1)[0]
        #expect(store.add(target: F.n2, key: key, object: second, mode: .siblings, siblingsMax: 16) == .merged)
        #expect(!store.acknowledge(target: F.n2, key: key, sequence: delivered.sequence))
        let current = store.pending(for: F.n2, limit: 1)[0]
        #expect(current.object == first.merging(second, mode: .siblings, siblingsMax: 16))
        #expect(store.acknowledge(target: F.n2, key: key, sequence: current.sequence))
        #expect(store.targets().isEmpty)
        #expect(store.stats.delivered == 1)
        #expect(store.stats.pending == 0)
    }
}
