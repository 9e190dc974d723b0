import Testing
@testable import KVortexCore

/// A node coordinating and forwarding writes, driven by hand (DESIGN.md "Coordination": put).
@Suite struct NodeWriteTests {
    typealias F = NodeFixture

    /// A key whose preference list starts with n0.
    let key = F.key { $0.first == NodeID("n0") }
    var primaries: [NodeID] { F.primaries(of: key) }

    @Test func putWithW2SendsToThePreferenceListAndRepliesAfterOneAck() throws {
        var fixture = F(primaries[0])
        let effects = fixture.handle(.put(RequestID(1), key: key, F.write("v1"), F.options(w: 2)))
        let sends = effects.sends
        #expect(sends.map(\.to) == Array(primaries.dropFirst()), "the other two primaries, in preference order")
        guard case .putRequest(let operation, let sentKey, let object, let hintFor) = sends.first?.message else {
            Issue.record("expected a put request, got \(effects)"); return
        }
        #expect(sentKey == key && hintFor == nil)
        #expect(F.values(object.object) == ["v1"])
        #expect(F.values(fixture.storage.object(key)) == ["v1"], "the coordinator wrote its own replica first")
        #expect(effects.writeReplies.isEmpty, "one ack (its own) is not W = 2")
        #expect(effects.timers == [.deadline(operation)])

        let acked = fixture.handle(.peer(from: primaries[2], .putAck(operation)))
        guard case .success(let outcome) = acked.writeReplies.first, acked.count == 1 else {
            Issue.record("expected one successful reply, got \(acked)"); return
        }
        #expect(outcome.replicasAcked == 2 && outcome.replicasAsked == 3)
        #expect(outcome.coordinator == primaries[0])
        #expect(fixture.handle(.peer(from: primaries[1], .putAck(operation))).isEmpty, "a late ack answers nobody")
    }

    /// A replica stores a write that arrives encoded, as off the wire; a second write supersedes the
    /// first the same way.
    @Test func encodedReplicaWritesAreStored() throws {
        var coordinator = F(primaries[0])
        var replica = F(primaries[1])
        var context: WriteContext?
        for value in ["v1", "v2"] {
            let effects = coordinator.handle(.put(RequestID(1), key: key, F.write(value, context: context), F.options(w: 2)))
            let sent = try #require(effects.sends.first { $0.to == primaries[1] })
            guard case .putRequest(let operation, _, let object, nil) = sent.message else { Issue.record("\(sent)"); return }
            let encoded = PeerMessage.putRequest(operation, key: key, object: .encoded(EncodedObject(object.object)), hintFor: nil)
            let acked = replica.handle(.peer(from: primaries[0], encoded))
            guard case .putAck = acked.sends.first?.message else { Issue.record("expected an ack, got \(acked)"); return }
            #expect(replica.storage.object(key) == coordinator.storage.object(key))
            context = coordinator.storage.object(key).map(WriteContext.init(of:))
        }
        #expect(F.values(replica.storage.object(key)) == ["v2"], "the second write superseded the first")
    }

    @Test func putWithW1RepliesAtOnce() {
        var fixture = F(primaries[0])
        let effects = fixture.handle(.put(RequestID(1), key: key, F.write("v1"), F.options(w: 1)))
        #expect(effects.sends.count == 2, "still replicated to the other primaries")
        guard case .success(let outcome) = effects.writeReplies.first else { Issue.record("expected success"); return }
        #expect(outcome.replicasAcked == 1)
    }

    @Test func aNodeOutsideThePreferenceListForwardsToTheFirstPrimary() {
        let outsider = F.members.first { !primaries.contains($0) }!
        var fixture = F(outsider)
        let effects = fixture.handle(.put(RequestID(9), key: key, F.write("v1"), F.options(w: 2)))
        guard effects.sends.count == 1, case .forwardPut(let operation, let sentKey, let write, _) = effects.sends[0].message else {
            Issue.record("expected one forward, got \(effects)"); return
        }
        #expect(effects.sends[0].to == primaries[0])
        #expect(sentKey == key && write == F.write("v1"))
        #expect(fixture.storage.object(key) == nil, "only a replica mints the dot")
        #expect(fixture.node.counters.writesForwarded == 1)

        let outcome = WriteOutcome(context: WriteContext(), replicasAcked: 2, replicasAsked: 3, coordinator: primaries[0])
        let replied = fixture.handle(.peer(from: primaries[0], .forwardReply(operation, .success(outcome))))
        #expect(replied == [.replyWrite(RequestID(9), .success(outcome))])
    }

    @Test func aFailedForwardGoesToTheNextPrimary() {
        let outsider = F.members.first { !primaries.contains($0) }!
        var fixture = F(outsider)
        let first = fixture.handle(.put(RequestID(9), key: key, F.write("v1"), F.options(w: 2)))
        let retried = fixture.handle(.undeliverable(to: primaries[0], first.sends[0].message))
        #expect(retried.sends.map(\.to) == [primaries[1]])
        guard case .forwardPut = retried.sends.first?.message else { Issue.record("expected a forward, got \(retried)"); return }
    }

    /// The dot a node outside the preference list mints for its first write once no primary takes
    /// the forward (it coordinates as a stand-in), in a node started with `randomSeed`.
    func standInDot(randomSeed: UInt64) -> Dot? {
        let outsider = F.members.first { !primaries.contains($0) }!
        var fixture = F(outsider, randomSeed: randomSeed)
        var effects = fixture.handle(.put(RequestID(1), key: key, F.write("v1"), F.options(w: 1)))
        for _ in primaries {
            guard let forward = effects.sends.first, case .forwardPut = forward.message else { break }
            effects = fixture.handle(.undeliverable(to: forward.to, forward.message))
        }
        guard case .success(let outcome)? = effects.writeReplies.first else { return nil }
        return outcome.dot
    }

    /// A durable node restarts in the same epoch with its operation IDs counting from the start again:
    /// its stand-in dots must not repeat those of the previous start (a replica that saw the old one
    /// would take the new write as already seen).
    @Test func aStandInDotDiffersFromOneStartOfTheNodeToTheNext() throws {
        let before = try #require(standInDot(randomSeed: 7), "the outsider coordinates as a stand-in")
        #expect(standInDot(randomSeed: 7) == before, "the same start replays the same dot")
        #expect(standInDot(randomSeed: 8) != before)
    }

    @Test func theDeadlineAnswersQuorumNotReachedWithKOfN() {
        var fixture = F(primaries[0])
        let effects = fixture.handle(.put(RequestID(3), key: key, F.write("v1"), F.options(w: 3)))
        guard case .putRequest(let operation, _, _, _) = effects.sends.first?.message else { Issue.record("no put request"); return }
        #expect(fixture.handle(.peer(from: primaries[1], .putAck(operation))).isEmpty)
        let expired = fixture.handle(.timer(.deadline(operation)), afterMs: 1_000)
        #expect(expired == [.replyWrite(RequestID(3), .failure(.timeout(needed: 3, acked: 2, asked: 3)))])
        #expect(fixture.handle(.peer(from: primaries[2], .putAck(operation))).isEmpty, "the operation is gone")
    }

    @Test func aRejectionThatMakesWImpossibleAnswersAtOnce() {
        var fixture = F(primaries[0])
        let effects = fixture.handle(.put(RequestID(4), key: key, F.write("v1"), F.options(w: 3)))
        guard case .putRequest(let operation, _, _, _) = effects.sends.first?.message else { Issue.record("no put request"); return }
        let rejected = fixture.handle(.peer(from: primaries[1], .putRejected(operation, reason: "disk")))
        #expect(rejected == [.replyWrite(RequestID(4), .failure(.quorumUnmet(needed: 3, acked: 1, asked: 3)))])
    }

    /// An isolated primary applies the write and keeps hints for the others, but W = 2 cannot be met:
    /// 1 (its own) of the N = 3 replicas, not "1 of 1" (the others count as asked, not acknowledged).
    /// A read there reports the same counts (`NodeReadTests`).
    @Test func anIsolatedNodeRefusesAWriteWithItsOwnAckOfN() {
        var fixture = F(primaries[0])
        fixture.isolate()
        let effects = fixture.handle(.put(RequestID(4), key: key, F.write("v1"), F.options(w: 2)))
        #expect(effects.writeReplies == [.failure(.quorumUnmet(needed: 2, acked: 1, asked: 3))])
        #expect(effects.sends.isEmpty, "nobody else was reachable")
        #expect(fixture.hints.stats.pending == 2, "kept for the two primaries it could not reach")
        #expect(fixture.handle(.get(RequestID(5), key: key, F.options(r: 2))).readReplies
            == [.failure(.quorumUnmet(needed: 2, acked: 1, asked: 3))], "a read says the same")
    }

    /// W = 1 on an isolated primary succeeds, and `X-Replicas` says 1 of 3 replicas took it.
    @Test func anIsolatedWriteAtWOneReportsOneOfN() {
        var fixture = F(primaries[0])
        fixture.isolate()
        let effects = fixture.handle(.put(RequestID(4), key: key, F.write("v1"), F.options(w: 1)))
        guard case .success(let outcome)? = effects.writeReplies.first else { Issue.record("expected success: \(effects)"); return }
        #expect(outcome.replicasAcked == 1 && outcome.replicasAsked == 3)
    }
}
