import Testing
@testable import KVortexCore

/// `ReapedMemory`: what a node remembers of the tombstones it reaped, bounded in time and count.
struct ReapedMemoryTests {
    static let actor = ActorID(rawValue: 1)

    static func tombstone(counter: UInt64) -> VersionedObject {
        let dot = Dot(actor: actor, counter: counter)
        return VersionedObject(clock: VersionVector([(actor, counter)]),
                               siblings: [Sibling(dot: dot, payload: .tombstone, timestamp: HybridTimestamp(physicalMs: 1, logical: 0))])!
    }

    @Test func remembersUntilItsTimeHasPassed() {
        var memory = ReapedMemory(memoryMs: 1_000, entriesMax: 10)
        memory.remember(7, object: Self.tombstone(counter: 3), nowMs: 5_000)
        #expect(memory.object(for: 7, nowMs: 5_999) == Self.tombstone(counter: 3))
        #expect(memory.clock(for: 7, nowMs: 5_999) == VersionVector([(Self.actor, UInt64(3))]))
        #expect(memory.object(for: 8, nowMs: 5_000) == nil, "another key")
        #expect(memory.object(for: 7, nowMs: 6_000) == nil, "remembered for memoryMs, not longer")
        #expect(memory.count == 1, "looking up leaves the memory unchanged")
        memory.expire(nowMs: 6_000)
        #expect(memory.count == 0)
        #expect(memory.evictions == 0, "expiry is not an eviction")
    }

    /// An expired value of `bytes` bytes, as reaped.
    static func expired(bytes: Int) -> VersionedObject {
        let dot = Dot(actor: actor, counter: 1)
        return VersionedObject(clock: VersionVector([(actor, UInt64(1))]), siblings: [
            Sibling(dot: dot, payload: .value([UInt8](repeating: 1, count: bytes)),
                    timestamp: HybridTimestamp(physicalMs: 1, logical: 0), expiryMs: 2)])!
    }

    @Test func theValueBytesOfExpiredSiblingsAreBoundedToo() {
        var memory = ReapedMemory(memoryMs: 1_000_000, entriesMax: 100, valueBytesMax: 1_000)
        for keyHash in 0..<4 as Range<UInt64> { memory.remember(keyHash, object: Self.expired(bytes: 300), nowMs: 10 + keyHash) }
        #expect(memory.count == 3 && memory.valueBytes == 900 && memory.evictions == 1, "the fourth pushed the oldest out")
        #expect(memory.object(for: 0, nowMs: 20) == nil && memory.object(for: 3, nowMs: 20) != nil)
        memory.remember(9, object: Self.tombstone(counter: 1), nowMs: 30)
        #expect(memory.count == 4 && memory.valueBytes == 900, "a tombstone carries no value bytes")
        memory.remember(8, object: Self.expired(bytes: 1_001), nowMs: 31)
        #expect(memory.object(for: 8, nowMs: 31) == nil && memory.count == 4 && memory.evictions == 2,
                "larger than the whole bound: not remembered, counted, and nothing else forgotten for it")
        memory.expire(nowMs: 2_000_000)
        #expect(memory.count == 0 && memory.valueBytes == 0)
    }

    @Test func fillsToExactlyTheBoundThenForgetsTheOldest() {
        var memory = ReapedMemory(memoryMs: 1_000_000, entriesMax: 4)
        for keyHash in 0..<4 as Range<UInt64> {
            memory.remember(keyHash, object: Self.tombstone(counter: keyHash + 1), nowMs: 100 + keyHash)
        }
        #expect(memory.count == 4)
        #expect(memory.evictions == 0, "exactly at the bound nothing is forgotten")
        memory.remember(2, object: Self.tombstone(counter: 9), nowMs: 200)
        #expect(memory.count == 4 && memory.evictions == 0, "a key remembered again takes no new place")
        memory.remember(10, object: Self.tombstone(counter: 1), nowMs: 300)
        #expect(memory.count == 4)
        #expect(memory.evictions == 1)
        #expect(memory.object(for: 0, nowMs: 300) == nil, "the oldest went first")
        memory.remember(11, object: Self.tombstone(counter: 1), nowMs: 301)
        #expect(memory.object(for: 1, nowMs: 301) == nil, "then the next oldest")
        #expect(memory.object(for: 2, nowMs: 301) != nil, "key 2 was remembered again, so it is younger")
        #expect(memory.evictions == 2)
    }

    @Test func aKeyRememberedAgainKeepsBothClocks() {
        var memory = ReapedMemory(memoryMs: 1_000, entriesMax: 10)
        let other = ActorID(rawValue: 2)
        memory.remember(1, object: Self.tombstone(counter: 5), nowMs: 0)
        let second = VersionedObject(clock: VersionVector([(other, UInt64(2))]),
                                     siblings: [Sibling(dot: Dot(actor: other, counter: 2), payload: .tombstone,
                                                        timestamp: HybridTimestamp(physicalMs: 2, logical: 0))])!
        memory.remember(1, object: second, nowMs: 10)
        #expect(memory.clock(for: 1, nowMs: 10) == VersionVector([(Self.actor, UInt64(5)), (other, UInt64(2))]))
    }

    @Test func rememberingOneKeyOverAndOverStaysBounded() {
        var memory = ReapedMemory(memoryMs: 1_000_000, entriesMax: 2)
        for step in 0..<10_000 as Range<UInt64> {
            memory.remember(step % 3 == 0 ? 1 : 2, object: Self.tombstone(counter: step + 1), nowMs: step)
        }
        #expect(memory.count == 2)
        #expect(memory.evictions == 0)
        memory.expire(nowMs: 2_000_000)
        #expect(memory.count == 0, "every entry expires, whatever the stale places")
    }
}
