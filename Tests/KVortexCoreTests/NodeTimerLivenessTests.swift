import Testing
@testable import KVortexCore

/// `Node.isLive`: a timer of an operation that has finished would change nothing, so a driver may
/// skip it (the simulator does); every other timer is live.
@Suite struct NodeTimerLivenessTests {
    typealias F = NodeFixture
    typealias C = CoordinatorFixtures

    @Test func aReadsTimersAreLiveUntilItFinishes() throws {
        let key = F.key { $0.first == NodeID("n0") }
        let primaries = F.primaries(of: key)
        var fixture = F(primaries[0])
        guard let operation = fixture.startRead(key, holding: C.object([(C.n1, "v1")])) else { return }
        #expect(fixture.node.isLive(.deadline(operation)))
        _ = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: .decoded(C.object([(C.n1, "v1")])))))
        #expect(fixture.node.isLive(.repairWindow(operation)), "answered, still waiting for the last replica")
        _ = fixture.handle(.peer(from: primaries[2], .getReply(operation, object: .decoded(C.object([(C.n1, "v1")])))))
        #expect(!fixture.node.isLive(.deadline(operation)))
        #expect(!fixture.node.isLive(.repairWindow(operation)))
        #expect(fixture.handle(.timer(.deadline(operation))).isEmpty, "a dead timer does nothing")
        #expect(fixture.node.isLive(.heartbeat))
        #expect(fixture.node.isLive(.handoff))
        #expect(!fixture.node.isLive(.deadline(OperationID(999))), "never allocated")
    }

    /// The in-place form a driver calls on its array's element answers as the method does.
    @Test func theInPlaceFormAnswersAsTheMethod() throws {
        let key = F.key { $0.first == NodeID("n0") }
        var fixture = F(F.primaries(of: key)[0])
        guard let operation = fixture.startRead(key, holding: C.object([(C.n1, "v1")])) else { return }
        for timer in [TimerID.deadline(operation), .repairWindow(operation), .deadline(OperationID(999)), .heartbeat, .handoff] {
            let expected = fixture.node.isLive(timer)
            #expect(Node.isLive(timer, in: &fixture.node) == expected, "\(timer)")
        }
    }
}
