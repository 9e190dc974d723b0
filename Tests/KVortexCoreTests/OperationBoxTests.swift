import Testing
@testable import KVortexCore

/// The boxes a node keeps its in-flight operations in: shared only by copies, never changed for both.
@Suite struct OperationBoxTests {
    typealias F = NodeFixture
    typealias C = CoordinatorFixtures

    @Test func makeUniqueKeepsASoleBoxAndCopiesASharedOne() {
        var box = OperationBox(1)
        let sole = ObjectIdentifier(box)
        OperationBox.makeUnique(&box)
        #expect(ObjectIdentifier(box) == sole, "a box nothing else references is changed in place")

        let other = box
        OperationBox.makeUnique(&box)
        #expect(ObjectIdentifier(box) != ObjectIdentifier(other), "a shared box is copied before a change")
        box.value = 2
        #expect(other.value == 1)
    }

    /// Keeps a new box of `value` in `spares` (its only reference afterwards) and returns its identity.
    private func keepNewBox(_ value: Int, in spares: inout SpareOperationBoxes<Int>) -> ObjectIdentifier {
        let box = OperationBox(value)
        let id = ObjectIdentifier(box)
        spares.keep(box)
        return id
    }

    @Test func spareBoxesAreReusedOnlyWhenNothingElseHoldsThem() {
        var spares = SpareOperationBoxes<Int>()
        let keptID = keepNewBox(1, in: &spares)
        let reused = spares.box(2)
        #expect(ObjectIdentifier(reused) == keptID)
        #expect(reused.value == 2)

        var shared = SpareOperationBoxes<Int>()
        let sharedID = keepNewBox(1, in: &shared)
        let copy = shared  // a copy of the node shares its spare boxes
        let fresh = shared.box(3)
        #expect(ObjectIdentifier(fresh) != sharedID, "a box a copy still holds is not reused")
        #expect(fresh.value == 3)
        withExtendedLifetime(copy) {}
    }

    @Test func takeUniqueGivesAKeptBoxWithItsValueOrNone() {
        var spares = SpareOperationBoxes<Int>()
        #expect(spares.takeUnique() == nil, "nothing kept")
        let keptID = keepNewBox(5, in: &spares)
        let taken = spares.takeUnique()
        #expect(taken.map(ObjectIdentifier.init) == keptID)
        #expect(taken?.value == 5, "the finished value is still there, for the caller to reuse")

        var shared = SpareOperationBoxes<Int>()
        _ = keepNewBox(1, in: &shared)
        let copy = shared
        #expect(shared.takeUnique() == nil, "a box a copy still holds is not handed out")
        withExtendedLifetime(copy) {}
    }

    @Test func spareBoxesAreBounded() {
        var spares = SpareOperationBoxes<Int>()
        let countMax = SpareOperationBoxes<Int>.countMax
        let keptIDs = (0..<(countMax + 4)).map { keepNewBox($0, in: &spares) }
        // Held, so no reused box is freed and its address taken by another while the test looks.
        let reused = (0..<countMax).map { spares.box($0) }
        #expect(Set(reused.map(ObjectIdentifier.init)) == Set(keptIDs.prefix(countMax)),
                "the first \(countMax) boxes kept are reused, the rest were freed")
    }

    /// A copy of a node advances its own reads: the coordinator boxes are copied on write, so the
    /// reply fed to the copy leaves the original's read still waiting for it.
    @Test func aCopiedNodeKeepsItsOwnReads() throws {
        let key = F.key { $0.first == NodeID("n0") }
        let primaries = F.primaries(of: key)
        var original = F(primaries[0])
        guard let operation = original.startRead(key, holding: C.object([(C.n1, "v1")])) else { return }
        var copy = original
        let reply = NodeInput.peer(from: primaries[1], .getReply(operation, object: nil))
        #expect(copy.handle(reply).readReplies.count == 1)
        #expect(original.handle(reply).readReplies.count == 1, "the original's read did not see the copy's reply")
    }
}
