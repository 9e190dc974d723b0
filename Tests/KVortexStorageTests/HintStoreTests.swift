import Foundation
import KVortexCore
import KVortexStorage
import Testing

/// Hint stores: the same behaviour from memory and log stores, and hints in the log survive restarts.
@Suite struct HintStoreTests {
    typealias Scratch = LogEngineTests.Scratch
    static let target = NodeID("n2")

    static func object(_ value: UInt8, actor: UInt64 = 1) -> VersionedObject {
        var object = VersionedObject()
        _ = object.applyWrite(WriteRequest(payload: .value([value])), actor: ActorID(rawValue: actor),
                              timestamp: HybridTimestamp(physicalMs: UInt64(value), logical: 0), mode: .siblings, siblingsMax: 16)
        return object
    }

    static func stores(_ scratch: Scratch) throws -> [(String, any HintStore)] {
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        return [("memory", MemoryHintStore(hintsPerTargetMax: 3)),
                ("log", try LogHintStore(directory: scratch.path, fsync: .always, hintsPerTargetMax: 3))]
    }

    @Test func boundedQueuesMergeAndSequenceCheckedAcknowledgements() throws {
        let scratch = Scratch()
        for (name, store) in try Self.stores(scratch) {
            for key in 0..<3 {
                #expect(store.add(target: Self.target, key: [UInt8(key)], object: Self.object(1), mode: .siblings, siblingsMax: 16) == .stored, "\(name)")
            }
            #expect(store.add(target: Self.target, key: [9], object: Self.object(1), mode: .siblings, siblingsMax: 16) == .full, "\(name)")
            let stale = store.pending(for: Self.target, limit: 10)
            #expect(stale.map(\.key) == [[0], [1], [2]], "\(name): oldest first")
            #expect(store.add(target: Self.target, key: [0], object: Self.object(2, actor: 2), mode: .siblings, siblingsMax: 16) == .merged)
            #expect(!store.acknowledge(target: Self.target, key: [0], sequence: stale[0].sequence), "\(name): a newer write merged in")
            #expect(store.pending(for: Self.target, limit: 10)[0].object.siblings.count == 2, "\(name)")
            #expect(store.acknowledge(target: Self.target, key: [1], sequence: stale[1].sequence), "\(name)")
            #expect(store.pending(for: Self.target, limit: 10).map(\.key) == [[0], [2]], "\(name)")
            #expect(store.stats.pending == 2 && store.stats.delivered == 1 && store.stats.droppedFull == 1, "\(name)")
            #expect(store.targets() == [Self.target], "\(name)")
        }
    }

    @Test func logHintsSurviveARestart() throws {
        let scratch = Scratch()
        var expected: [Hint] = []
        do {
            let store = try Self.stores(scratch)[1].1
            for key in 0..<3 { _ = store.add(target: Self.target, key: [UInt8(key)], object: Self.object(UInt8(key)), mode: .siblings, siblingsMax: 16) }
            _ = store.add(target: NodeID("n3"), key: [7], object: Self.object(7), mode: .siblings, siblingsMax: 16)
            _ = store.add(target: Self.target, key: [2], object: Self.object(9, actor: 5), mode: .siblings, siblingsMax: 16)
            let first = store.pending(for: Self.target, limit: 1)[0]
            #expect(store.acknowledge(target: Self.target, key: first.key, sequence: first.sequence))
            expected = store.pending(for: Self.target, limit: 10) + store.pending(for: NodeID("n3"), limit: 10)
        }
        let reopened = try LogHintStore(directory: scratch.path, hintsPerTargetMax: 3)
        #expect(reopened.pending(for: Self.target, limit: 10) + reopened.pending(for: NodeID("n3"), limit: 10) == expected)
        #expect(reopened.stats.pending == 3)
        #expect(reopened.add(target: Self.target, key: [8], object: Self.object(8), mode: .siblings, siblingsMax: 16) == .stored,
                "sequences continue past the restored ones")
    }

    /// A torn last record is cut; the hints before it are kept.
    @Test func aTornTailIsCut() throws {
        let scratch = Scratch()
        do {
            let store = try Self.stores(scratch)[1].1
            for key in 0..<3 { _ = store.add(target: Self.target, key: [UInt8(key)], object: Self.object(1), mode: .siblings, siblingsMax: 16) }
        }
        let path = scratch.path + "/" + LogHintStore.fileName
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.dropLast(5).write(to: URL(fileURLWithPath: path))
        let reopened = try LogHintStore(directory: scratch.path, hintsPerTargetMax: 3)
        #expect(reopened.recoveredDroppedBytes > 0)
        #expect(reopened.pending(for: Self.target, limit: 10).map(\.key) == [[0], [1]])
    }

    /// Many hints stored and delivered: the log is rewritten and stays near the size of what is pending.
    @Test func theLogIsRewrittenAsHintsAreDelivered() throws {
        let scratch = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path, withIntermediateDirectories: true)
        let store = try LogHintStore(directory: scratch.path, fsync: .none, hintsPerTargetMax: 100)
        let value = VersionedObject.withValue(count: 2_000)
        for round in 0..<2_000 {
            let key = Array("k\(round)".utf8)
            #expect(store.add(target: Self.target, key: key, object: value, mode: .siblings, siblingsMax: 16) == .stored)
            let hint = store.pending(for: Self.target, limit: 1)[0]
            #expect(store.acknowledge(target: Self.target, key: hint.key, sequence: hint.sequence))
        }
        #expect(store.fileBytes < 2 << 20, "\(store.fileBytes) bytes for nothing pending")
        #expect(try LogHintStore(directory: scratch.path).stats.pending == 0)
    }
}

extension VersionedObject {
    fileprivate static func withValue(count: Int) -> VersionedObject {
        var object = VersionedObject()
        _ = object.applyWrite(WriteRequest(payload: .value([UInt8](repeating: 7, count: count))), actor: ActorID(rawValue: 1),
                              timestamp: HybridTimestamp(physicalMs: 1, logical: 0), mode: .siblings, siblingsMax: 16)
        return object
    }
}
