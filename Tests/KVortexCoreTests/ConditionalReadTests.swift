import Testing
@testable import KVortexCore

/// Conditional reads: a coordinator's requests carry its own replica's clock, a replica holding that
/// very object answers `getReplyUnchanged` without it, and the coordinator counts that answer as its
/// own object (DESIGN.md "Coordination": get; docs/decisions.md). Same fixture as the other reads.
extension NodeReadTests {
    /// The clock each read request of `effects` carries, by target.
    static func requestClocks(_ effects: [NodeEffect]) -> [NodeID: VersionVector?] {
        var clocks: [NodeID: VersionVector?] = [:]
        for send in effects.sends { if case .getRequest(_, _, let clock) = send.message { clocks[send.to] = clock } }
        return clocks
    }

    @Test func requestsCarryTheLocalClockOnlyWhenTheCoordinatorHoldsTheKey() {
        var holder = F(primaries[0])
        let stored = C.object([(C.n1, "v1"), (C.n2, "v2")])
        holder.storage.put(key, stored)
        let asked = Self.requestClocks(holder.handle(.get(RequestID(1), key: key, F.options(r: 2))))
        #expect(asked == [primaries[1]: stored.clock, primaries[2]: stored.clock])

        var empty = F(primaries[0])
        let unconditional = Self.requestClocks(empty.handle(.get(RequestID(1), key: key, F.options(r: 2))))
        #expect(unconditional == [primaries[1]: nil, primaries[2]: nil])
    }

    @Test func lastWriteWinsAndPlantedBugsReadUnconditionally() {
        let stored = C.object([(C.n1, "v1")])
        var lww = F(primaries[0]) { $0.conflictMode = .lww }
        lww.storage.put(key, stored)
        #expect(Self.requestClocks(lww.handle(.get(RequestID(1), key: key, F.options(r: 2)))).values.allSatisfy { $0 == nil })
        var planted = F(primaries[0], plantedBugs: [.skipReadRepair])
        planted.storage.put(key, stored)
        #expect(Self.requestClocks(planted.handle(.get(RequestID(1), key: key, F.options(r: 2)))).values.allSatisfy { $0 == nil })
    }

    @Test func aReplicaHoldingThatClockAnswersWithoutTheObject() {
        var replica = F(primaries[1])
        let stored = C.object([(C.n1, "v1")])
        let operation = OperationID(9)
        let absent = replica.handle(.peer(from: primaries[0], .getRequest(operation, key: key, unlessClock: stored.clock)))
        #expect(absent.sends.map(\.message) == [.getReply(operation, object: nil)])

        replica.storage.put(key, stored)
        let same = replica.handle(.peer(from: primaries[0], .getRequest(operation, key: key, unlessClock: stored.clock)))
        #expect(same.sends.map(\.message) == [.getReplyUnchanged(operation)])

        let older = C.object([(C.n2, "v0")]).clock
        let differs = replica.handle(.peer(from: primaries[0], .getRequest(operation, key: key, unlessClock: older)))
        guard case .getReply(operation, let object?) = differs.sends.first?.message else {
            Issue.record("expected the object, got \(differs)"); return
        }
        #expect(object.object == stored)
    }

    @Test func anUnchangedAnswerIsTheCoordinatorsOwnObjectAndNeedsNoRepair() throws {
        var fixture = F(primaries[0])
        let stored = C.object([(C.n1, "v1")])
        fixture.storage.put(key, stored)
        let started = fixture.handle(.get(RequestID(5), key: key, F.options(r: 2)))
        guard case .getRequest(let operation, _, _) = started.sends.first?.message else { Issue.record("no request"); return }

        let unchanged = fixture.handle(.peer(from: primaries[1], .getReplyUnchanged(operation)))
        #expect(unchanged.readReplies == [.success(ReadOutcome(object: stored, replicasAcked: 2, replicasAsked: 3))])
        let last = fixture.handle(.peer(from: primaries[2], .getReply(operation, object: nil)))
        #expect(last.sends.map(\.to) == [primaries[2]], "only the replica that had nothing is repaired")
    }

    @Test func anUnchangedAnswerToAnUnconditionalReadCountsAsNoAnswer() throws {
        var fixture = F(primaries[0])
        let started = fixture.handle(.get(RequestID(5), key: key, F.options(r: 3)))
        guard case .getRequest(let operation, _, nil) = started.sends.first?.message else { Issue.record("no request"); return }
        let confused = fixture.handle(.peer(from: primaries[1], .getReplyUnchanged(operation)))
        #expect(confused.readReplies == [.failure(.quorumUnmet(needed: 3, acked: 1, asked: 3))])
    }
}
