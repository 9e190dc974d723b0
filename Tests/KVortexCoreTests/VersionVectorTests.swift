import Testing
@testable import KVortexCore

/// `VersionVector` against a dictionary model: construction, covers/descends, merge, binary form.
@Suite struct VersionVectorTests {
    static func randomVector(_ random: inout TestRandom) -> VersionVector {
        VersionVector((0..<random.int(in: 0...6)).map { _ in
            (ActorID(rawValue: UInt64(random.int(in: 0..<8))), UInt64(random.int(in: 0...5)))
        })
    }

    @Test func buildsSortedWithTheHighestCounterAndNoZeros() {
        let (a, b, c) = (ActorID(rawValue: 3), ActorID(rawValue: 1), ActorID(rawValue: 2))
        let vector = makeClock((a, 4), (b, 2), (a, 7), (c, 0), (b, 1))
        #expect(vector.entries.map(\.actor) == [b, a])
        #expect(vector.entries.map(\.counter) == [2, 7])
        #expect(vector.counter(for: c) == 0)
        #expect(vector.covers(Dot(actor: a, counter: 7)) && !vector.covers(Dot(actor: a, counter: 8)))
        #expect(!vector.covers(Dot(actor: c, counter: 1)))
        #expect(makeClock((c, 0)).isEmpty)
    }

    @Test(arguments: 0..<200 as Range<UInt64>)
    func mergeIsThePointwiseMaximum(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let (a, b, c) = (Self.randomVector(&random), Self.randomVector(&random), Self.randomVector(&random))
        let ab = a.merging(b)
        #expect(ReferenceModel.dictionary(ab) == ReferenceModel.pointwiseMax(a, b), "seed \(seed)")
        #expect(ab == b.merging(a), "seed \(seed)")
        #expect(ab.merging(c) == a.merging(b.merging(c)), "seed \(seed)")
        #expect(a.merging(a) == a, "seed \(seed)")
        #expect(ab.descends(a) && ab.descends(b), "seed \(seed)")
        #expect(zip(ab.entries, ab.entries.dropFirst()).allSatisfy { $0.actor < $1.actor }, "seed \(seed): sorted")
    }

    /// A merge that adds one actor (raised in place, the actor swapped down to its place) gives the
    /// pointwise maximum in actor order, wherever the new actor sorts; a copy taken before is unchanged.
    @Test(arguments: [0, 2, 5, 9] as [UInt64])
    func aMergeAddingOneActorKeepsTheOrder(newActor: UInt64) {
        let base = makeClock((ActorID(rawValue: 1), 3), (ActorID(rawValue: 4), 1), (ActorID(rawValue: 7), 2))
        let other = makeClock((ActorID(rawValue: 4), 5), (ActorID(rawValue: newActor), 1))
        let copy = base
        var merged = base
        merged.merge(other)
        #expect(ReferenceModel.dictionary(merged) == ReferenceModel.pointwiseMax(base, other), "actor \(newActor)")
        #expect(zip(merged.entries, merged.entries.dropFirst()).allSatisfy { $0.actor < $1.actor }, "actor \(newActor): sorted")
        #expect(copy == makeClock((ActorID(rawValue: 1), 3), (ActorID(rawValue: 4), 1), (ActorID(rawValue: 7), 2)))
    }

    @Test(arguments: 0..<200 as Range<UInt64>)
    func descendsMeansCoveringEveryEntry(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let (a, b) = (Self.randomVector(&random), Self.randomVector(&random))
        let model = b.entries.allSatisfy { a.counter(for: $0.actor) >= $0.counter }
        #expect(a.descends(b) == model, "seed \(seed): \(a) ≥ \(b)")
        #expect(a.descends(b) == (a.merging(b) == a), "seed \(seed)")
        #expect(a.descends(a) && a.descends(VersionVector()), "seed \(seed)")
        #expect(VersionVector().descends(a) == a.isEmpty, "seed \(seed)")
    }

    @Test func raiseNeverLowers() {
        let actor = ActorID(rawValue: 5)
        var vector = makeClock((actor, 4))
        vector.raise(actor, to: 2)
        vector.raise(actor, to: 0)
        #expect(vector.counter(for: actor) == 4)
        vector.raise(actor, to: 9)
        #expect(vector.counter(for: actor) == 9)
    }

    @Test(arguments: 0..<100 as Range<UInt64>)
    func binaryRoundTrip(seed: UInt64) throws {
        var random = TestRandom(seed: seed)
        var vector = Self.randomVector(&random)
        vector.raise(ActorID(rawValue: random.next()), to: random.next() | 1)
        var writer = ByteWriter()
        vector.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try VersionVector(from: &reader) == vector, "seed \(seed)")
        #expect(reader.isAtEnd, "seed \(seed)")
        for cut in 0..<writer.bytes.count {
            var short = ByteReader(Array(writer.bytes[..<cut]))
            #expect(throws: DecodeError.self, "seed \(seed), cut \(cut)") { try VersionVector(from: &short) }
        }
    }

    /// A replica compares a conditional read's clock with its stored object's encoded clock in place:
    /// the same answer as decoding and comparing, for equal vectors, near misses and strangers.
    @Test(arguments: 0..<200 as Range<UInt64>)
    func comparingWithAnEncodedObjectsClock(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let stored = Self.randomVector(&random)
        let bytes = VersionedObject(clock: stored, siblings: [])!.encoded()
        var near = stored
        near.raise(ActorID(rawValue: UInt64(random.int(in: 0..<8))), to: UInt64(random.int(in: 1...6)))
        for clock in [stored, near, Self.randomVector(&random), VersionVector()] {
            #expect(bytes.withUnsafeBytes { clock.isClock(ofEncodedObject: $0) } == (clock == stored), "seed \(seed): \(clock) vs \(stored)")
        }
        #expect(!stored.isClock(ofEncodedObject: UnsafeRawBufferPointer(start: nil, count: 0)), "no bytes, no clock")
    }

    @Test func decodingRejectsNonCanonicalVectors() {
        func decodes(_ pairs: [(UInt64, UInt64)]) -> Bool {
            var writer = ByteWriter()
            writer.writeVarint(UInt64(pairs.count))
            for (actor, counter) in pairs { writer.writeFixed64(actor); writer.writeVarint(counter) }
            var reader = ByteReader(writer.bytes)
            return (try? VersionVector(from: &reader)) != nil
        }
        #expect(decodes([(1, 1), (2, 3)]))
        #expect(!decodes([(2, 1), (1, 3)]), "unsorted")
        #expect(!decodes([(1, 1), (1, 3)]), "repeated actor")
        #expect(!decodes([(1, 0)]), "zero counter")
        var forged = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: DecodeError.self) { try VersionVector(from: &forged) }
    }
}
