import Testing
@testable import KVortexCore

/// Hinted handoff at one node, driven by hand (DESIGN.md "Placement": sloppy quorum, "Hinted handoff").
@Suite struct NodeHandoffTests {
    typealias F = NodeFixture

    let key = F.key { $0.first == NodeID("n0") }
    var primaries: [NodeID] { F.primaries(of: key) }

    /// Makes the fixture's node see `peer` as unreachable, as a refused connection would.
    func refuse(_ peer: NodeID, at fixture: inout F) {
        _ = fixture.handle(.undeliverable(to: peer, .putAck(OperationID(999_999))))
        #expect(!fixture.node.membership.isHealthy(peer))
    }

    @Test func aHintIsKeptWhenATargetFailsAndDeliveredWhenItRecovers() throws {
        var fixture = F(primaries[0])
        let target = primaries[1]
        let put = fixture.handle(.put(RequestID(1), key: key, F.write("v1"), F.options(w: 2)))
        let request = try #require(put.sends.first { $0.to == target }).message
        _ = fixture.handle(.undeliverable(to: target, request))
        #expect(fixture.hints.stats.pending == 1, "the write is kept for the replica that missed it")
        #expect(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.isEmpty, "not while the target is down")

        _ = fixture.handle(.peer(from: target, .gossip([MemberDigest(node: target, incarnation: 1, heartbeat: 1)])))
        #expect(fixture.node.membership.isHealthy(target), "newer gossip of the target brings it back")
        let deliveries = fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries
        let delivery = try #require(deliveries.first)
        #expect(deliveries.count == 1 && delivery.to == target && delivery.key == key)
        #expect(F.values(delivery.object) == ["v1"])
        #expect(fixture.hints.stats.pending == 1, "kept until the target acknowledges")

        _ = fixture.handle(.peer(from: target, .hintAck(delivery.operation)))
        #expect(fixture.hints.stats.pending == 0)
        #expect(fixture.node.counters.hintsDelivered == 1)
    }

    @Test func aFailedDeliveryKeepsTheHint() throws {
        var fixture = F(primaries[0])
        let target = primaries[1]
        _ = fixture.hints.add(target: target, key: key, object: CoordinatorFixtures.object([(target, "v")]),
                              mode: .siblings, siblingsMax: 16)
        let delivery = try #require(fixture.handle(.timer(.heartbeat), afterMs: 200).deliveries.first)
        _ = fixture.handle(.undeliverable(to: target, .hintDelivery(delivery.operation, key: delivery.key, object: .decoded(delivery.object))))
        #expect(fixture.hints.stats.pending == 1)
        #expect(fixture.node.counters.hintsDelivered == 0)
    }

    @Test func aDownPrimaryIsReplacedByAHintedStandIn() throws {
        var fixture = F(primaries[0])
        refuse(primaries[1], at: &fixture)
        let effects = fixture.handle(.put(RequestID(2), key: key, F.write("v1"), F.options(w: 2)))
        let hinted = effects.sends.compactMap { send -> (NodeID, NodeID)? in
            guard case .putRequest(_, _, _, let hintFor?) = send.message else { return nil }
            return (send.to, hintFor)
        }
        let (standIn, hintFor) = try #require(hinted.first)
        #expect(hinted.count == 1 && hintFor == primaries[1])
        #expect(!primaries.contains(standIn), "a stand-in comes from outside the preference list")
        #expect(!effects.sends.contains { $0.to == primaries[1] })
    }

    @Test func aStandInKeepsTheHintAndAcknowledges() {
        let standIn = F.members.first { !primaries.contains($0) }!
        var fixture = F(standIn)
        let object = CoordinatorFixtures.object([(primaries[0], "v1")])
        let effects = fixture.handle(.peer(from: primaries[0], .putRequest(OperationID(4), key: key, object: .decoded(object), hintFor: primaries[1])))
        #expect(effects == [.send(to: primaries[0], .putAck(OperationID(4)))])
        #expect(fixture.hints.pending(for: primaries[1], limit: 10).map(\.object) == [object])
        #expect(fixture.storage.object(key) == nil, "held for the primary, not stored as a replica")
    }
}
