import Testing
@testable import KVortexCore

/// `ReapRound`: a candidate is confirmed only when every primary asked said yes.
struct ReapRoundTests {
    static func candidates(_ count: Int) -> [ReapCandidate] {
        (0..<count).map { ReapCandidate(key: [UInt8($0)], clock: VersionVector(), digest: ObjectDigest(value: UInt64($0))) }
    }

    @Test func confirmedWhenEveryPrimarySaysYes() {
        var round = ReapRound(candidates: Self.candidates(2))
        round.expect(0, answers: 2)
        round.expect(1, answers: 2)
        round.asked(OperationID(1), about: [0, 1])
        round.asked(OperationID(2), about: [0, 1])
        #expect(!round.isComplete)
        let first = round.answered(OperationID(1), [true, true])
        #expect(first)
        let second = round.answered(OperationID(2), [true, false])
        #expect(second)
        #expect(round.isComplete)
        #expect(round.outcome(0) == .confirmed)
        #expect(round.outcome(1) == .refused, "one no refuses")
    }

    @Test func aSilentPrimaryDefersAndANoStillRefuses() {
        var round = ReapRound(candidates: Self.candidates(3))
        round.expect(0, answers: 2)
        round.expect(1, answers: 2)
        round.expect(2, answers: 1)
        round.asked(OperationID(1), about: [0, 1])
        round.asked(OperationID(2), about: [0, 1, 2])
        let answered = round.answered(OperationID(2), [false, true, true])
        #expect(answered)
        let silent = round.unanswered(OperationID(1))
        #expect(silent)
        #expect(round.outcome(0) == .refused, "refused before the other went silent")
        #expect(round.outcome(1) == .deferredUnanswered)
        #expect(round.outcome(2) == .confirmed, "asked of one primary only here")
    }

    @Test func answersOfTheWrongLengthCountAsNo() {
        var round = ReapRound(candidates: Self.candidates(2))
        round.expect(0, answers: 1)
        round.expect(1, answers: 1)
        round.asked(OperationID(4), about: [0, 1])
        let short = round.answered(OperationID(4), [true])
        #expect(short)
        #expect(round.outcome(0) == .refused && round.outcome(1) == .refused)
    }

    @Test func unknownOperationsAndUnreachablePrimaries() {
        var round = ReapRound(candidates: Self.candidates(2))
        round.deferUnreachable(0)
        round.expect(1, answers: 0)
        let unknown = round.answered(OperationID(9), [true])
        #expect(!unknown, "not a request of this round")
        let unknownSilent = round.unanswered(OperationID(9))
        #expect(!unknownSilent)
        #expect(round.isComplete)
        #expect(round.outcome(0) == .deferredUnreachable)
        #expect(round.outcome(1) == .confirmed, "no other primary to ask: a cluster of one")
    }
}
