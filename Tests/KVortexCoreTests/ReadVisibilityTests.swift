import Testing
@testable import KVortexCore

/// What a read sees (`liveSiblings`, `isEmptyForReads`) and when a replica may forget a key
/// (`isReapable`), with TTLs and tombstones.
@Suite struct ReadVisibilityTests {
    let actor = ActorID(rawValue: 3)

    func sibling(_ counter: UInt64, _ payload: Sibling.Payload, atMs ms: UInt64 = 100, expiryMs: UInt64? = nil) -> Sibling {
        Sibling(dot: Dot(actor: actor, counter: counter), payload: payload, timestamp: HybridTimestamp(physicalMs: ms, logical: 0),
                expiryMs: expiryMs)
    }

    func object(_ siblings: Sibling...) -> VersionedObject {
        VersionedObject(clock: makeClock((actor, 10)), siblings: siblings)!
    }

    @Test func expiryIsExclusiveOfTheExpiryInstant() {
        let value = sibling(1, .value([1]), expiryMs: 500)
        #expect(value.isLive(atMs: 499))
        #expect(!value.isLive(atMs: 500) && value.isExpired(atMs: 500))
        #expect(!sibling(2, .tombstone).isLive(atMs: 0))
        #expect(!sibling(2, .tombstone).isExpired(atMs: .max), "a tombstone has no TTL")
    }

    @Test func readsSeeOnlyLiveValues() {
        let live = sibling(1, .value([1]))
        let expiring = sibling(2, .value([2]), expiryMs: 500)
        let object = object(live, expiring, sibling(3, .tombstone))
        #expect(object.liveSiblings(atMs: 499) == [live, expiring])
        #expect(object.liveSiblings(atMs: 500) == [live])
        #expect(!object.isEmptyForReads(atMs: 10_000))
        #expect(self.object(expiring, sibling(3, .tombstone)).isEmptyForReads(atMs: 500))
        #expect(!self.object(expiring, sibling(3, .tombstone)).isEmptyForReads(atMs: 499))
        #expect(VersionedObject().isEmptyForReads(atMs: 0))
    }

    @Test func tombstonesAreReapableAfterTheGrace() {
        let object = object(sibling(1, .tombstone, atMs: 1_000))
        #expect(!object.isReapable(atMs: 1_999, graceMs: 1_000))
        #expect(object.isReapable(atMs: 2_000, graceMs: 1_000))
        #expect(object.isReapable(atMs: 1_000, graceMs: 0))
    }

    @Test func expiredValuesAreReapableAfterTheGrace() {
        let object = object(sibling(1, .value([1]), expiryMs: 500))
        #expect(!object.isReapable(atMs: 499, graceMs: 0), "still live")
        #expect(!object.isReapable(atMs: 1_499, graceMs: 1_000))
        #expect(object.isReapable(atMs: 1_500, graceMs: 1_000))
    }

    @Test func anyValueWithoutTTLOrWithinGraceKeepsTheObject() {
        #expect(!object(sibling(1, .value([1]))).isReapable(atMs: .max, graceMs: 0))
        let mixed = object(sibling(1, .tombstone, atMs: 100), sibling(2, .value([2]), expiryMs: 5_000))
        #expect(!mixed.isReapable(atMs: 5_999, graceMs: 1_000), "the value's grace has not passed")
        #expect(mixed.isReapable(atMs: 6_000, graceMs: 1_000))
        #expect(!object(sibling(1, .tombstone, atMs: 100), sibling(2, .value([2]))).isReapable(atMs: .max, graceMs: 0))
    }

    /// FINDING (low): `expiryMs &+ graceMs` and `physicalMs &+ graceMs` wrap, so a value whose expiry is
    /// far in the future (a peer or a stored object may carry any UInt64) or a huge grace ("never")
    /// makes a live key reapable at once.
    @Test func reapingArithmeticDoesNotWrap() {
        let farFuture = object(sibling(1, .value([1]), expiryMs: .max - 10))
        #expect(farFuture.liveSiblings(atMs: 1_000).count == 1)
        #expect(!farFuture.isReapable(atMs: 1_000, graceMs: 60_000), "a live value is not reapable")
        let tombstone = object(sibling(1, .tombstone, atMs: 1_000))
        #expect(!tombstone.isReapable(atMs: 2_000, graceMs: .max), "an infinite grace never passes")
    }

    /// Every object a history reaches agrees with the definitions sibling by sibling.
    @Test(arguments: 0..<100 as Range<UInt64>)
    func historiesAgreeWithTheDefinitions(seed: UInt64) {
        var history = HistoryGenerator(seed: seed)
        history.run(steps: 40)
        for object in history.replicas {
            for offsetMs in [0, 50, 150, 400] as [UInt64] {
                let nowMs = history.nowMs + offsetMs
                let live = object.siblings.filter { !$0.isTombstone && ($0.expiryMs.map { nowMs < $0 } ?? true) }
                #expect(object.liveSiblings(atMs: nowMs) == live, "seed \(seed)")
                #expect(object.isEmptyForReads(atMs: nowMs) == live.isEmpty, "seed \(seed)")
                let gone = object.siblings.allSatisfy { sibling in
                    sibling.isTombstone ? sibling.timestamp.physicalMs + 100 <= nowMs : sibling.expiryMs.map { $0 + 100 <= nowMs } ?? false
                }
                #expect(object.isReapable(atMs: nowMs, graceMs: 100) == gone, "seed \(seed)")
            }
        }
    }
}
