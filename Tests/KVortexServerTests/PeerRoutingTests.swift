import KVortexCore
import KVortexNet
@testable import KVortexServer
import Synchronization
import Testing

/// Where the driver sends: a node's address as gossip carries it, and the link to it kept per node ID
/// until that address changes.
@Suite struct PeerRoutingTests {
    static func digest(_ node: String, at address: String) -> MemberDigest {
        MemberDigest(node: NodeID(node), incarnation: 1, heartbeat: 1, peerAddress: address)
    }

    @Test func addressesComeFromGossipNeverTheOwnOne() {
        let routing = PeerRouting(ownAddress: "127.0.0.1:9001", seeds: [])
        #expect(routing.address(of: NodeID("127.0.0.1:9002")) == "127.0.0.1:9002")  // an ID is tried as an address
        routing.learn([Self.digest("b", at: "127.0.0.1:9002"), Self.digest("me", at: "127.0.0.1:9001")])
        #expect(routing.address(of: NodeID("b")) == "127.0.0.1:9002")
        #expect(routing.address(of: NodeID("me")) == "me")
    }

    @Test func aLinkIsOpenedOncePerNodeAndAgainWhenItMoves() throws {
        let transport = try PeerTransport(configuration: PeerTransportConfiguration(nodeID: "a", clusterName: "test"),
                                          receive: { _, _ in })
        defer { transport.stop() }
        let routing = PeerRouting(ownAddress: "127.0.0.1:9001", seeds: [])
        let opened = Mutex<[String]>([])
        let open = { (address: String) -> PeerChannel? in
            opened.withLock { $0.append(address) }
            return transport.channel(to: address)
        }
        routing.learn([Self.digest("b", at: "127.0.0.1:9002")])
        #expect(routing.channel(to: NodeID("b"), open: open)?.peer == "127.0.0.1:9002")
        #expect(routing.channel(to: NodeID("b"), open: open)?.peer == "127.0.0.1:9002")
        routing.learn([Self.digest("b", at: "127.0.0.1:9002")])  // the same address: the link stays
        #expect(routing.channel(to: NodeID("b"), open: open)?.peer == "127.0.0.1:9002")
        #expect(opened.withLock { $0 } == ["127.0.0.1:9002"])
        routing.learn([Self.digest("b", at: "127.0.0.1:9003")])  // restarted elsewhere
        #expect(routing.channel(to: NodeID("b"), open: open)?.peer == "127.0.0.1:9003")
        #expect(opened.withLock { $0 } == ["127.0.0.1:9002", "127.0.0.1:9003"])
        #expect(routing.channel(to: NodeID("not an address"), open: open) == nil)
    }
}
