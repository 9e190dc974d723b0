import Testing
@testable import KVortexSimulation

/// `SlotArray` grows, reads and writes in place, and destroys what it holds exactly once.
@Suite struct SlotArrayTests {
    final class Tracked {
        let counter: Counter
        init(_ counter: Counter) { self.counter = counter }
        deinit { counter.count += 1 }
    }

    final class Counter {
        var count = 0
    }

    @Test func growsAndKeepsEveryElement() {
        var slots = SlotArray<Int>(capacity: 2)
        for value in 0..<100 { slots.append(value) }
        #expect(slots.count == 100)
        for index in 0..<100 { #expect(slots[index] == index) }
        slots[7] = -7
        #expect(slots[7] == -7)
        #expect(slots.removeLast() == 99)
        #expect(slots.count == 99)
        let filled = SlotArray(repeating: 3, count: 5)
        #expect(filled.count == 5 && filled[4] == 3)
    }

    @Test func destroysEachElementOnce() {
        let counter = Counter()
        do {
            var slots = SlotArray<Tracked?>(capacity: 1)
            for _ in 0..<10 { slots.append(Tracked(counter)) }
            slots[3] = nil
            #expect(counter.count == 1, "an overwritten element is destroyed")
            _ = slots.removeLast()
            #expect(counter.count == 2, "a removed element is the caller's, destroyed when it goes")
        }
        #expect(counter.count == 10, "the rest when the array goes")
    }

    @Test func fillStoresInAnEmptySlotAndKeepsOwnership() {
        let counter = Counter()
        do {
            var slots = SlotArray<Tracked?>(capacity: 4)
            for _ in 0..<3 { slots.append(Tracked(counter)) }
            slots[1] = nil
            #expect(counter.count == 1)
            let refill = Tracked(counter)
            let identity = ObjectIdentifier(refill)
            slots.fill(1, with: consume refill)
            #expect(slots[1].map(ObjectIdentifier.init) == identity, "the slot holds the value filled in")
            #expect(counter.count == 1, "filling destroys nothing")
            slots[1] = nil
            #expect(counter.count == 2, "the filled value is owned by the array")
        }
        #expect(counter.count == 4)
    }
}
