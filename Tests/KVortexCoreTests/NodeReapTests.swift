import Testing
@testable import KVortexCore

/// Confirmed reaps between real `Node`s driven by hand (docs/anti-entropy.md §4): a tombstone is
/// reaped only once every other primary holds it, and a reaped key stays reaped.
struct NodeReapTests {
    typealias F = NodeFixture
    static let key = F.key { _ in true }
    static let primaries = F.primaries(of: key)

    static func fixture(_ node: NodeID) -> NodeFixture {
        NodeFixture(node) { $0.reaping = ReapSettings(isConfirming: true, graceMs: 1_000, roundIntervalMs: 0) }
    }

    /// The three primaries; the first is the reaper. `missed` holds the old value instead of the tombstone.
    struct Cluster {
        var nodes: [NodeFixture]
        let tombstone: VersionedObject
        let old: VersionedObject

        init(missed: Int? = nil) {
            nodes = NodeReapTests.primaries.map(NodeReapTests.fixture)
            let actor = nodes[0].node.actor
            let deletedMs = F.startMs - 5_000
            old = VersionedObject(clock: VersionVector([(actor, UInt64(1))]), siblings: [
                Sibling(dot: Dot(actor: actor, counter: 1), payload: .value(Array("old".utf8)),
                        timestamp: HybridTimestamp(physicalMs: deletedMs - 100, logical: 0))])!
            tombstone = VersionedObject(clock: VersionVector([(actor, UInt64(2))]), siblings: [
                Sibling(dot: Dot(actor: actor, counter: 2), payload: .tombstone, timestamp: HybridTimestamp(physicalMs: deletedMs, logical: 0))])!
            for index in nodes.indices { nodes[index].storage.put(key, index == missed ? old : tombstone) }
        }

        func index(of node: NodeID) -> Int { NodeReapTests.primaries.firstIndex(of: node)! }

        /// The reaper's heartbeat: the reap checks it sent.
        mutating func heartbeat() -> [(to: NodeID, message: PeerMessage)] {
            nodes[0].handle(.timer(.heartbeat)).sends.filter { if case .reapCheck = $0.message { true } else { false } }
        }

        /// Delivers `checks` to their primaries and the replies to the reaper, except to `silent`.
        mutating func answer(_ checks: [(to: NodeID, message: PeerMessage)], silent: NodeID? = nil) {
            for check in checks where check.to != silent {
                let replies = nodes[index(of: check.to)].handle(.peer(from: NodeReapTests.primaries[0], check.message)).sends
                for reply in replies { _ = nodes[0].handle(.peer(from: check.to, reply.message)) }
            }
        }
    }

    @Test func reapedOnceEveryOtherPrimaryHoldsTheTombstone() {
        var cluster = Cluster()
        let checks = cluster.heartbeat()
        #expect(Set(checks.map(\.to)) == Set(Self.primaries.dropFirst()), "every other primary is asked")
        #expect(cluster.nodes[0].storage.object(Self.key) != nil, "nothing reaped before the answers")
        cluster.answer(checks)
        #expect(cluster.nodes[0].storage.object(Self.key) == nil)
        #expect(cluster.nodes[0].node.counters.reapsConfirmed == 1)
        #expect(cluster.nodes[0].node.reaping.memory.clock(for: StableHash.hash64(Self.key), nowMs: cluster.nodes[0].nowMs)
                == cluster.tombstone.clock)
        #expect(cluster.nodes[1].storage.object(Self.key) != nil, "answering reaps nothing")
    }

    @Test func aPrimaryThatMissedTheDeleteRefusesIt() {
        var cluster = Cluster(missed: 2)
        cluster.answer(cluster.heartbeat())
        #expect(cluster.nodes[0].storage.object(Self.key) == cluster.tombstone, "kept: the third primary holds the old value")
        #expect(cluster.nodes[0].node.counters.reapsRefused == 1)
        #expect(cluster.nodes[2].node.counters.reapChecksAnswered == 1 && cluster.nodes[2].node.counters.reapChecksAnsweredYes == 0)
    }

    @Test func aNodeRestartedEmptySaysNo() {
        var cluster = Cluster()
        cluster.nodes[2] = Self.fixture(Self.primaries[2])  // a memory node back with nothing
        cluster.answer(cluster.heartbeat())
        #expect(cluster.nodes[0].storage.object(Self.key) != nil)
        #expect(cluster.nodes[0].node.counters.reapsRefused == 1)
    }

    /// A node just started with seeds routes by a ring of itself alone until gossip arrives: it must not
    /// take itself for a cluster of one and reap unasked.
    @Test func aNodeThatKnowsSeedsButRoutesAloneDoesNotReap() {
        let tombstone = Cluster().tombstone
        var fixture = Self.fixture(Self.primaries[0])
        let solo = Ring.initial(members: [RingMember(Self.primaries[0])], replicaCount: 3)
        fixture.node = Node(settings: fixture.node.settings, epoch: 1, storage: fixture.storage, hints: fixture.hints,
                            placement: solo, seeds: F.members.filter { $0 != Self.primaries[0] }, randomSeed: 7,
                            nowMs: fixture.nowMs)
        fixture.storage.put(Self.key, tombstone)
        let sends = fixture.handle(.timer(.heartbeat)).sends
        #expect(fixture.storage.object(Self.key) == tombstone)
        #expect(fixture.node.counters.reapsConfirmed == 0 && fixture.node.counters.reapsDeferredUnreachable == 1)
        #expect(!sends.contains { if case .reapCheck = $0.message { true } else { false } })
    }

    /// Operation IDs restart with every process: an answer counts only from the peer that was asked.
    @Test func aReplyFromAPeerNotAskedIsIgnored() {
        var cluster = Cluster()
        for check in cluster.heartbeat() {
            let replies = cluster.nodes[cluster.index(of: check.to)].handle(.peer(from: Self.primaries[0], check.message)).sends
            let other = Self.primaries.dropFirst().first { $0 != check.to }!
            for reply in replies { _ = cluster.nodes[0].handle(.peer(from: other, reply.message)) }
        }
        #expect(cluster.nodes[0].storage.object(Self.key) == cluster.tombstone)
        #expect(cluster.nodes[0].node.counters.reapsConfirmed == 0)
    }

    @Test func aPrimaryDownDefersWithoutAsking() {
        var cluster = Cluster()
        _ = cluster.nodes[0].handle(.undeliverable(to: Self.primaries[2], .gossip([])))
        #expect(cluster.heartbeat().isEmpty, "no check sent while a primary is down")
        #expect(cluster.nodes[0].storage.object(Self.key) != nil)
        #expect(cluster.nodes[0].node.counters.reapsDeferredUnreachable == 1)
    }

    @Test func aSilentPrimaryDefersAtTheDeadline() {
        var cluster = Cluster()
        let checks = cluster.heartbeat()
        cluster.answer(checks, silent: Self.primaries[2])
        #expect(cluster.nodes[0].node.reaping.isRoundInFlight, "waiting for the silent primary")
        guard case .reapCheck(let operation, _)? = checks.first(where: { $0.to == Self.primaries[2] })?.message else {
            Issue.record("no check for the silent primary")
            return
        }
        _ = cluster.nodes[0].handle(.timer(.deadline(operation)), afterMs: 2_000)
        #expect(!cluster.nodes[0].node.reaping.isRoundInFlight)
        #expect(cluster.nodes[0].storage.object(Self.key) != nil)
        #expect(cluster.nodes[0].node.counters.reapsDeferredUnanswered == 1)
    }

    @Test func aWriteBetweenTheChecksAndTheAnswersIsKept() {
        var cluster = Cluster()
        let checks = cluster.heartbeat()
        _ = cluster.nodes[0].handle(.put(RequestID(1), key: Self.key, F.write("new"), F.options(w: 1)))
        cluster.answer(checks)
        #expect(F.values(cluster.nodes[0].storage.object(Self.key)) == ["new"])
        #expect(cluster.nodes[0].node.counters.reapsChanged == 1 && cluster.nodes[0].node.counters.reapsConfirmed == 0)
    }

    @Test func aStaleCopyIsDroppedAfterTheReap() {
        var cluster = Cluster()
        cluster.answer(cluster.heartbeat())
        _ = cluster.nodes[0].handle(.peer(from: Self.primaries[2], .repair(key: Self.key, object: .decoded(cluster.old))))
        #expect(cluster.nodes[0].storage.object(Self.key) == nil, "the old value does not come back")
        let acks = cluster.nodes[0].handle(.peer(from: F.members.first { !Self.primaries.contains($0) }!,
                                                 .hintDelivery(OperationID(5), key: Self.key, object: .decoded(cluster.old)))).sends
        #expect(acks.contains { $0.message == .hintAck(OperationID(5)) }, "a stale hint is acknowledged, so its holder drops it")
        #expect(cluster.nodes[0].storage.object(Self.key) == nil)
        #expect(cluster.nodes[0].node.counters.staleObjectsDropped == 2)
    }

    @Test func aNewWriteAfterTheReapMintsPastTheTombstone() {
        var cluster = Cluster()
        cluster.answer(cluster.heartbeat())
        let effects = cluster.nodes[0].handle(.put(RequestID(1), key: Self.key, F.write("new"), F.options(w: 1)))
        guard case .success(let outcome)? = effects.writeReplies.first else {
            Issue.record("no write reply: \(effects)")
            return
        }
        #expect(outcome.dot?.counter == 3, "a reaped key's counter does not start again at 1")
        // A primary still holding the tombstone takes the write: its clock does not cover the new dot.
        let put = effects.sends.first { $0.to == Self.primaries[1] }!
        _ = cluster.nodes[1].handle(.peer(from: Self.primaries[0], put.message))
        #expect(F.values(cluster.nodes[1].storage.object(Self.key)) == ["new"])
        #expect(cluster.nodes[1].storage.object(Self.key) == cluster.nodes[0].storage.object(Self.key),
                "the reaper computed what a replica holding the tombstone computes")
    }

    @Test func aNewWriteElsewhereIsNeverDropped() {
        var cluster = Cluster()
        cluster.answer(cluster.heartbeat())
        // A concurrent (blind) write coordinated by a primary that still holds the tombstone.
        let effects = cluster.nodes[1].handle(.put(RequestID(1), key: Self.key, F.write("other"), F.options(w: 1)))
        let put = effects.sends.first { $0.to == Self.primaries[0] }!
        _ = cluster.nodes[0].handle(.peer(from: Self.primaries[1], put.message))
        #expect(F.values(cluster.nodes[0].storage.object(Self.key)) == ["other"])
        #expect(cluster.nodes[0].storage.object(Self.key) == cluster.nodes[1].storage.object(Self.key))
        #expect(cluster.nodes[0].node.counters.staleObjectsDropped == 0)
    }

    @Test func withoutConfirmingTheCoreReapsNothing() {
        var node = NodeFixture(Self.primaries[0])
        node.storage.put(Self.key, Cluster().tombstone)
        let sends = node.handle(.timer(.heartbeat)).sends
        #expect(!sends.contains { if case .reapCheck = $0.message { true } else { false } })
        #expect(node.storage.object(Self.key) != nil, "the engines reap on the grace alone then")
    }
}
