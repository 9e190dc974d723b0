import KVortexCore
import Testing

/// A count and its noun, as messages print them: singular for exactly one, plural otherwise.
@Suite struct CountedTests {
    @Test func oneIsSingularEveryOtherCountPlural() {
        #expect("\(Counted(1, "object"))" == "1 object")
        #expect("\(Counted(0, "object"))" == "0 objects")
        #expect("\(Counted(2, "object"))" == "2 objects")
        #expect("\(Counted(UInt64(1), "key"))" == "1 key")
        #expect("\(Counted(-1, "byte"))" == "-1 bytes")
    }

    @Test func anIrregularPluralIsGiven() {
        #expect("\(Counted(1, "partition copy", plural: "partition copies"))" == "1 partition copy")
        #expect("\(Counted(3, "partition copy", plural: "partition copies"))" == "3 partition copies")
    }

    /// The noun alone, for "0 of 1 seed" where the count is printed apart.
    @Test func theNounAloneAgreesWithTheCount() {
        #expect(Counted(1, "seed").noun == "seed")
        #expect(Counted(4, "seed").noun == "seeds")
    }
}
