import KVortexCore
import Testing
@testable import KVortexSimulation

/// `MembershipCheckers` on views made by hand: each way a member list, a ring or a hint store can
/// fail to converge is reported, and converged views are not.
@Suite struct MembershipCheckersTests {
    let n0 = NodeID("n0"), n1 = NodeID("n1"), n2 = NodeID("n2")

    func view(_ node: NodeID, members: [(NodeID, MemberState)], ring: [NodeID]? = nil,
              hints: [(NodeID, Int)] = []) -> MembershipCheckers.View {
        MembershipCheckers.View(node: node, members: members.map { (node: $0.0, state: $0.1) }, ringMembers: ring ?? [n0, n1],
                                hintsForDeparted: hints.map { (target: $0.0, count: $0.1) })
    }

    func check(_ views: [MembershipCheckers.View], unfinished: [(node: NodeID, stage: String)] = []) -> [String] {
        MembershipCheckers(remaining: [n0, n1], departed: unfinished.isEmpty ? [n2] : [], unfinished: unfinished, views: views).run()
    }

    @Test func convergedViewsPass() {
        #expect(check([view(n0, members: [(n0, .up), (n1, .up)]), view(n1, members: [(n0, .suspect), (n1, .up)])]).isEmpty)
    }

    @Test func eachDivergenceIsReported() {
        let violations = check([
            view(n0, members: [(n0, .up), (n1, .down), (n2, .leaving)], hints: [(n2, 3)]),
            view(n1, members: [(n1, .up)], ring: [n0, n1, n2]),
        ])
        #expect(violations == [
            "membership: n0 still lists n2 (leaving), which left",
            "membership: n0 sees n1 down at the end",
            "stuck hints: n0 still holds 3 hints for n2, which left",
            "membership: n1 lists [n1], not the remaining [n0, n1]",
            "ring: n1 routes by a ring of [n0, n1, n2], not of the remaining [n0, n1]",
        ])
    }

    @Test func anUnfinishedLeaveIsReportedOnce() {
        let violations = check([view(n0, members: [(n0, .up), (n1, .up), (n2, .leaving)], ring: [n0, n1]),
                                view(n1, members: [(n0, .up), (n1, .up), (n2, .leaving)], ring: [n0, n1])],
                               unfinished: [(n2, "handing off: 4 transfers pending")])
        #expect(violations == ["leave: n2 had not finished leaving by the end (handing off: 4 transfers pending)"])
    }
}
