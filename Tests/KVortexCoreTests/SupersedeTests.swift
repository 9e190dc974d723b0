import Testing
@testable import KVortexCore

/// A replica stores an incoming object as it is, without merging, when its clock descends the stored
/// one (`VersionedObject+Supersede.swift`). That is only right if the merge would give the incoming
/// object: checked here over every pair of states of seeded random histories, capped or not.
@Suite struct SupersedeTests {
    static let seeds = 0..<100 as Range<UInt64>

    @Test(arguments: seeds)
    func mergingAnObjectWhoseClockDescendsGivesThatObject(seed: UInt64) {
        var history = HistoryGenerator(seed: seed, mix: seed % 2 == 0 ? .balanced : .concurrent,
                                       worlds: [(.siblings, 1_000), (.siblings, 3), (.lww, 1_000)])
        var states: [[VersionedObject]] = Array(repeating: [], count: history.worlds.count)  // [world][any state]
        for _ in 0..<30 {
            history.perform(history.nextOperation())
            for (index, world) in history.worlds.enumerated() { states[index] += world.objects }
        }
        var superseding = 0
        for (index, world) in history.worlds.enumerated() {
            for stored in states[index] {
                let encoded = stored.encoded()
                for incoming in states[index] {
                    let byBytes = encoded.withUnsafeBytes { incoming.supersedes(encoded: $0, mode: world.mode) }
                    #expect(byBytes == incoming.supersedes(clock: stored.clock, mode: world.mode), "seed \(seed)")
                    guard incoming.supersedes(clock: stored.clock, mode: world.mode) else { continue }
                    superseding += 1
                    #expect(stored.merging(incoming, mode: world.mode, siblingsMax: world.siblingsMax) == incoming,
                            "seed \(seed): world \(index): \(stored) merged with \(incoming)")
                }
            }
        }
        #expect(superseding > 0, "seed \(seed): no pair to check")
    }

    @Test func lwwNeverTakesTheShortcut() {
        var object = VersionedObject()
        let request = WriteRequest(payload: .value([1]))
        _ = object.applyWrite(request, actor: ActorID(rawValue: 1), timestamp: HybridTimestamp(rawValue: 1), mode: .lww,
                          siblingsMax: 1)
        #expect(object.supersedes(clock: VersionVector(), mode: .siblings))
        #expect(!object.supersedes(clock: VersionVector(), mode: .lww))
    }

    @Test func bytesThatAreNotAnObjectNeverSupersede() {
        let object = VersionedObject()
        for bytes in [[], [9], [1, 200], [1, 1, 0, 0]] as [[UInt8]] {
            #expect(!bytes.withUnsafeBytes { object.supersedes(encoded: $0, mode: .siblings) })
        }
    }
}
