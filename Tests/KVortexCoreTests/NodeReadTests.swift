import Testing
@testable import KVortexCore

/// A node coordinating reads, driven by hand (DESIGN.md "Coordination": get, read repair).
@Suite struct NodeReadTests {
    typealias F = NodeFixture
    typealias C = CoordinatorFixtures

    let key = F.key { $0.first == NodeID("n0") }
    var primaries: [NodeID] { F.primaries(of: key) }

    /// Starts a read at the first primary, which holds `local`; returns the operation ID it asked with.
    func startRead(_ fixture: inout F, local: VersionedObject?, r: Int) -> (OperationID, [NodeEffect])? {
        if let local { fixture.storage.put(key, local) }
        let effects = fixture.handle(.get(RequestID(5), key: key, F.options(r: r)))
        guard case .getRequest(let operation, _, _) = effects.sends.first?.message else { return nil }
        return (operation, effects)
    }

    @Test func aReadAsksEveryPrimaryAndRepliesAfterR() throws {
        var fixture = F(primaries[0])
        let stored = C.object([(C.n1, "v1")])
        let (operation, effects) = try #require(startRead(&fixture, local: stored, r: 2))
        #expect(effects.sends.map(\.to) == Array(primaries.dropFirst()))
        #expect(effects.readReplies.isEmpty, "its own replica is one reply of R = 2")

        let replied = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: .decoded(stored))))
        guard case .success(let outcome) = replied.readReplies.first else { Issue.record("expected a reply: \(replied)"); return }
        #expect(outcome.object == stored)
        #expect(outcome.replicasAcked == 2 && outcome.replicasAsked == 3)
        #expect(replied.timers == [.repairWindow(operation)], "it waits for the last replica to repair it")
    }

    @Test func notFoundCountsTowardR() throws {
        var fixture = F(primaries[0])
        let (operation, _) = try #require(startRead(&fixture, local: nil, r: 2))
        let replied = fixture.handle(.peer(from: primaries[2], .getReply(operation, object: nil)))
        #expect(replied.readReplies == [.success(ReadOutcome(object: nil, replicasAcked: 2, replicasAsked: 3))])
    }

    @Test func readRepairIsSentToTheStaleReplicaOnly() throws {
        var fixture = F(primaries[0])
        let stored = C.object([(C.n1, "v1")])
        let (operation, _) = try #require(startRead(&fixture, local: stored, r: 2))
        _ = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: nil)))
        let last = fixture.handle(.peer(from: primaries[2], .getReply(operation, object: .decoded(stored))))
        #expect(last.sends.count == 1)
        guard case .repair(let repairedKey, let object) = last.sends.first?.message else {
            Issue.record("expected read repair, got \(last)"); return
        }
        #expect(last.sends[0].to == primaries[1], "the replica that had nothing")
        #expect(repairedKey == key && object.object == stored)
        #expect(fixture.node.counters.readRepairsSent == 1)
    }

    @Test func theCoordinatorRepairsItsOwnStaleReplica() throws {
        var fixture = F(primaries[0])
        let newer = C.object([(C.n2, "v2")])
        let (operation, _) = try #require(startRead(&fixture, local: nil, r: 2))
        _ = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: .decoded(newer))))
        let last = fixture.handle(.peer(from: primaries[2], .getReply(operation, object: .decoded(newer))))
        #expect(last.sends.isEmpty, "no message to itself")
        #expect(fixture.storage.object(key) == newer)
    }

    @Test func theRepairWindowClosingRepairsWhoAnsweredNotWhoDidNot() throws {
        var fixture = F(primaries[0])
        let (operation, _) = try #require(startRead(&fixture, local: C.object([(C.n1, "v1")]), r: 2))
        _ = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: nil)))
        let closed = fixture.handle(.timer(.repairWindow(operation)), afterMs: 100)
        #expect(closed.sends.map(\.to) == [primaries[1]], "the silent third primary is left to handoff and anti-entropy")
        guard case .repair = closed.sends.first?.message else { Issue.record("expected read repair, got \(closed)"); return }
        #expect(fixture.handle(.peer(from: primaries[2], .getReply(operation, object: nil))).isEmpty, "the read is over")
    }

    @Test func theDeadlineAnswersQuorumNotReachedWithKOfN() throws {
        var fixture = F(primaries[0])
        let (operation, _) = try #require(startRead(&fixture, local: nil, r: 3))
        _ = fixture.handle(.peer(from: primaries[1], .getReply(operation, object: nil)))
        let expired = fixture.handle(.timer(.deadline(operation)), afterMs: 1_000)
        #expect(expired == [.replyRead(RequestID(5), .failure(.timeout(needed: 3, acked: 2, asked: 3)))])
    }

    /// An isolated primary cannot reach R = 2: it refuses at once, counting its own replica (which
    /// could answer) of the N = 3 the key has; a write there reports the same counts (`NodeWriteTests`).
    @Test func anIsolatedNodeRefusesAReadCountingItsOwnReplicaOfN() {
        var fixture = F(primaries[0])
        fixture.storage.put(key, C.object([(C.n1, "v1")]))
        fixture.isolate()
        let refused = fixture.handle(.get(RequestID(5), key: key, F.options(r: 2)))
        #expect(refused == [.replyRead(RequestID(5), .failure(.quorumUnmet(needed: 2, acked: 1, asked: 3)))])
        #expect(fixture.handle(.put(RequestID(6), key: key, F.write("v2"), F.options(w: 2))).writeReplies
            == [.failure(.quorumUnmet(needed: 2, acked: 1, asked: 3))], "a write says the same")
    }

    /// Under a strict quorum a node outside the preference list that reaches no primary has no replica
    /// to count: 0 of N, as a strict write forwarded nowhere.
    @Test func aStrictReadReachingNoPrimaryCountsNoneOfN() {
        let outsider = F.members.first { !primaries.contains($0) }!
        var fixture = F(outsider)
        fixture.isolate()
        let refused = fixture.handle(.get(RequestID(5), key: key, F.options(r: 1, sloppy: false)))
        #expect(refused == [.replyRead(RequestID(5), .failure(.quorumUnmet(needed: 1, acked: 0, asked: 3)))])
        #expect(fixture.handle(.put(RequestID(6), key: key, F.write("v"), F.options(w: 1, sloppy: false))).writeReplies
            == [.failure(.quorumUnmet(needed: 1, acked: 0, asked: 3))], "a write says the same")
    }

    /// R = 1 on an isolated primary succeeds from its own replica, and says 1 of the 3 replicas took
    /// part: the two unreachable ones count as asked, not answered.
    @Test func anIsolatedReadAtROneReportsOneOfN() {
        var fixture = F(primaries[0])
        let stored = C.object([(C.n1, "v1")])
        fixture.storage.put(key, stored)
        fixture.isolate()
        let replied = fixture.handle(.get(RequestID(5), key: key, F.options(r: 1)))
        #expect(replied.readReplies == [.success(ReadOutcome(object: stored, replicasAcked: 1, replicasAsked: 3))])
        #expect(replied.sends.isEmpty, "nobody else was reachable")
    }
}
