@testable import KVortexServer
import Testing

/// The driver's waiters by request ID: each ID finds its own waiter once, a reused slot's old ID
/// finds nothing, and stopping takes them all.
@Suite struct WaiterSlabTests {
    @Test func eachIDFindsItsWaiterOnceAndAReusedSlotsOldIDNothing() {
        var slab = WaiterSlab<String>()
        let a = slab.insert("a"), b = slab.insert("b")
        #expect(a != b && slab.count == 2)
        #expect(slab.remove(a) == "a" && slab.remove(a) == nil, "answered once")
        let c = slab.insert("c")
        #expect(c & 0xFFFF_FFFF == a & 0xFFFF_FFFF && c != a, "the freed slot is reused under a new generation")
        #expect(slab.remove(a) == nil, "a stale ID does not find the slot's new waiter")
        #expect(slab.remove(c) == "c" && slab.remove(b) == "b" && slab.count == 0)
        #expect(slab.remove(12_345) == nil, "never issued")
    }

    @Test func slotsStayAtTheirPeakAndRemoveAllAnswersEveryone() {
        var slab = WaiterSlab<Int>()
        var ids: [UInt64] = []
        for round in 0..<100 {
            ids = (0..<8).map { slab.insert(round * 8 + $0) }
            for id in ids.prefix(7) { #expect(slab.remove(id) != nil) }
        }
        // At most 99 + 8 held at once (one left per round): freed slots are reused, not added.
        #expect(ids.allSatisfy { $0 & 0xFFFF_FFFF < 107 })
        #expect(slab.count == 100)
        #expect(slab.removeAll().count == 100 && slab.count == 0)
        #expect(slab.remove(ids[7]) == nil)
    }
}
