import Testing
@testable import KVortexCore

/// Hints held for a member that left go to the key's current replicas, at one node driven by hand
/// (docs/decisions.md, "Hints for a member that left go to the key's current replicas").
@Suite struct NodeHintRedirectTests {
    typealias F = NodeFixture
    static let departed = NodeID("n1")
    /// The ring every node routes by once `departed` is leaving.
    static let ringWithout = Ring.initial(members: F.members.filter { $0 != departed }.map { RingMember($0) }, replicaCount: 3)

    static func primariesWithout(_ key: [UInt8]) -> [NodeID] {
        ringWithout.primaries(ofPartition: ringWithout.partitioning.partition(of: key))
    }

    /// The first key `departed` was a primary of and `holder` is not; `holderIsNewOwner` says
    /// whether `holder` is a primary of it once `departed` left.
    static func key(heldBy holder: NodeID, holderIsNewOwner: Bool) -> [UInt8] {
        for index in 0..<10_000 {
            let key = Array("k\(index)".utf8)
            let old = F.primaries(of: key)
            if old.contains(departed) && !old.contains(holder) && primariesWithout(key).contains(holder) == holderIsNewOwner {
                return key
            }
        }
        preconditionFailure("no key matches")
    }

    /// A stand-in `holder` that keeps a hint for `departed` of `key`, as a coordinator's sloppy write asked.
    static func holdingAHint(_ holder: NodeID, key: [UInt8], value: String = "v1") -> F {
        var fixture = F(holder)
        let coordinator = F.primaries(of: key).first { $0 != departed }!
        let object = CoordinatorFixtures.object([(coordinator, value)])
        let effects = fixture.handle(.peer(from: coordinator, .putRequest(OperationID(4), key: key, object: .decoded(object), hintFor: departed)))
        #expect(effects == [.send(to: coordinator, .putAck(OperationID(4)))], "the write is acknowledged, held as a hint")
        #expect(fixture.hints.stats.pending == 1)
        return fixture
    }

    static func gossipLeaving(_ fixture: inout F) {
        _ = fixture.handle(.peer(from: departed, .gossip([MemberDigest(node: departed, incarnation: 5, heartbeat: 1, isLeaving: true)])))
        #expect(fixture.node.ring == ringWithout, "out of the ring as soon as it is leaving")
    }
}

extension NodeHintRedirectTests {
    @Test func aHintForALeavingMemberGoesToTheKeysNewOwnersAndIsDroppedOnTheFirstAck() throws {
        let holder = NodeID("n0")
        let key = Self.key(heldBy: holder, holderIsNewOwner: false)
        var fixture = Self.holdingAHint(holder, key: key)
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.map(\.to) == [Self.departed],
                "while a member, the hint goes to its target")
        fixture = Self.holdingAHint(holder, key: key)  // a node that had not delivered it yet
        Self.gossipLeaving(&fixture)

        let deliveries = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        #expect(deliveries.map(\.to) == Self.primariesWithout(key), "every new owner, and not the leaving member")
        #expect(deliveries.allSatisfy { $0.key == key && F.values($0.object) == ["v1"] })
        #expect(fixture.hints.stats.pending == 1, "kept until a new owner acknowledges")
        #expect(fixture.storage.object(key) == nil, "not a replica of the key: nothing stored here")

        _ = fixture.handle(.peer(from: deliveries[1].to, .hintAck(deliveries[1].operation)))
        #expect(fixture.hints.stats.pending == 0)
        #expect(fixture.node.counters.hintsRedirected == 1)
        #expect(fixture.node.counters.hintsDelivered == 0, "not delivered to its target")
        for delivery in [deliveries[0], deliveries[2]] {
            _ = fixture.handle(.peer(from: delivery.to, .hintAck(delivery.operation)))
        }
        #expect(fixture.node.counters.hintsRedirected == 1, "late acknowledgements change nothing")
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.isEmpty, "nothing left to hand off")
    }

    @Test func aHolderThatIsNowAnOwnerMergesTheHintIntoItsReplica() {
        let holder = NodeID("n0")
        let key = Self.key(heldBy: holder, holderIsNewOwner: true)
        var fixture = Self.holdingAHint(holder, key: key)
        Self.gossipLeaving(&fixture)

        let deliveries = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        #expect(F.values(fixture.storage.object(key)) == ["v1"], "merged into this node's own replica")
        #expect(fixture.hints.stats.pending == 0, "a new owner has it: dropped")
        #expect(fixture.node.counters.hintsRedirected == 1)
        #expect(deliveries.map(\.to) == Self.primariesWithout(key).filter { $0 != holder }, "and sent to the other new owners")
    }

    @Test func aLostRedirectIsSentAgainAndTheHintKeptMeanwhile() throws {
        let holder = NodeID("n0")
        let key = Self.key(heldBy: holder, holderIsNewOwner: false)
        var fixture = Self.holdingAHint(holder, key: key)
        Self.gossipLeaving(&fixture)
        let owners = Self.primariesWithout(key)

        let first = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        #expect(first.map(\.to) == owners)
        // One new owner refuses (marked down), the others never answer.
        _ = fixture.handle(.undeliverable(to: first[0].to, .hintDelivery(first[0].operation, key: key, object: .decoded(first[0].object))))
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.isEmpty, "a batch still in flight: nothing more")
        for delivery in first.dropFirst() {
            _ = fixture.handle(.timer(.deadline(delivery.operation)), afterMs: 1)
        }
        #expect(fixture.hints.stats.pending == 1, "no acknowledgement: the hint stays")
        #expect(fixture.node.counters.hintsRedirected == 0)

        let second = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        #expect(second.map(\.to) == Array(owners.dropFirst()), "sent again, to the new owners believed healthy")
        let ack = try #require(second.last)
        _ = fixture.handle(.peer(from: ack.to, .hintAck(ack.operation)))
        #expect(fixture.hints.stats.pending == 0)
        #expect(fixture.node.counters.hintsRedirected == 1)
    }

    @Test func aHintForARetiredMemberIsRedirectedToo() {
        let holder = NodeID("n0")
        let key = Self.key(heldBy: holder, holderIsNewOwner: false)
        var fixture = NodeDepartureTests.fixture()
        Self.gossipLeaving(&fixture)
        _ = NodeDepartureTests.heartbeat(&fixture) { $0.node.membership.tombstoneCount == 1 }
        #expect(fixture.node.membership.state(of: Self.departed) == nil, "retired")

        // A coordinator that has not heard of the leave still names it.
        let coordinator = Self.primariesWithout(key)[0]
        let object = CoordinatorFixtures.object([(coordinator, "late")])
        _ = fixture.handle(.peer(from: coordinator, .putRequest(OperationID(6), key: key, object: .decoded(object), hintFor: Self.departed)))
        #expect(fixture.hints.stats.pending == 1)
        NodeDepartureTests.keepAlive(&fixture)
        let deliveries = fixture.handle(.timer(.heartbeat), afterMs: 100).deliveries
        #expect(deliveries.map(\.to) == Self.primariesWithout(key))
        _ = fixture.handle(.peer(from: deliveries[0].to, .hintAck(deliveries[0].operation)))
        #expect(fixture.hints.stats.pending == 0)
        #expect(fixture.node.counters.hintsRedirected == 1)
    }

    @Test func aHintForAMemberThatIsOnlyDownWaitsForIt() {
        let holder = NodeID("n0")
        let key = Self.key(heldBy: holder, holderIsNewOwner: false)
        var fixture = Self.holdingAHint(holder, key: key)
        _ = fixture.handle(.undeliverable(to: Self.departed, .putAck(OperationID(999_999))))
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.isEmpty, "down is not gone: the hint waits for it")
        #expect(fixture.hints.stats.pending == 1)
        #expect(!fixture.node.holdsDeliverableHints)
        Self.gossipLeaving(&fixture)
        #expect(fixture.node.holdsDeliverableHints, "a graceful stop waits for hints it can redirect")
    }
}
