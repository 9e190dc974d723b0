import Testing
@testable import KVortexCore

/// Lookups by node ID walk the members up to `linearLookupMembersMax` and hash beyond; a gossip merge
/// follows the digests in order. These check both sides of the bound, and gossip that comes unsorted
/// or names members for the first time.
@Suite struct MembershipLookupTests {
    static let bound = MembershipView.linearLookupMembersMax

    static func ids(_ count: Int) -> [NodeID] {
        (0..<count).map { NodeID("m\($0)") }
    }

    @Test(arguments: [3, bound, bound + 1, bound + 8])
    func everyMemberIsFoundAndStrangersAreNot(memberCount: Int) {
        let members = Self.ids(memberCount)
        var view = MembershipView(localNode: members[0], seeds: Array(members.dropFirst()), settings: FailureDetectorSettings(), nowMs: 0)
        #expect(view.members == members.sorted(), "\(memberCount) members")
        for member in members {
            #expect(view.state(of: member) == .up, "\(member) of \(memberCount)")
            #expect(view.isHealthy(member))
        }
        #expect(view.state(of: NodeID("stranger")) == nil)
        #expect(view.markUnreachable(members[memberCount - 1]).map(\.1) == [.down])
        #expect(!view.isHealthy(members[memberCount - 1]))
        #expect(view.isHealthy(members[memberCount / 2]))
    }

    @Test(arguments: [4, bound + 4])
    func unsortedGossipWithNewMembersMergesAsSortedGossipDoes(memberCount: Int) {
        let members = Self.ids(memberCount)
        let known = Array(members.prefix(memberCount / 2))
        let gossip = members.enumerated().map { index, node in
            MemberDigest(node: node, incarnation: 1, heartbeat: UInt64(index + 1), peerAddress: "p\(index)")
        }
        var sorted = MembershipView(localNode: known[0], seeds: known, settings: FailureDetectorSettings(), nowMs: 0)
        var shuffled = sorted
        let sortedChanges = sorted.merge(gossip.sorted { $0.node < $1.node }, nowMs: 10)
        let shuffledChanges = shuffled.merge(gossip.reversed(), nowMs: 10)
        #expect(sortedChanges.map(\.0) == shuffledChanges.map(\.0))
        #expect(sortedChanges.map(\.0) == members.dropFirst(memberCount / 2).sorted(), "the new members, sorted")
        #expect(sorted.gossip() == shuffled.gossip())
        #expect(sorted.members == members.sorted())
        for (index, member) in members.enumerated().dropFirst() {
            #expect(sorted.digest(of: member)?.heartbeat == UInt64(index + 1), "\(member)")
            #expect(sorted.digest(of: member)?.peerAddress == "p\(index)")
        }
    }

    @Test func newsUpdatesCountersAndAddressesInPlace() {
        let (a, b) = (NodeID("a"), NodeID("b"))
        var view = MembershipView(localNode: a, seeds: [b], settings: FailureDetectorSettings(), nowMs: 0)
        _ = view.merge([MemberDigest(node: b, incarnation: 2, heartbeat: 1, peerAddress: "old")], nowMs: 1)
        _ = view.merge([MemberDigest(node: b, incarnation: 2, heartbeat: 2, peerAddress: "new", httpAddress: "h")], nowMs: 2)
        #expect(view.digest(of: b) == MemberDigest(node: b, incarnation: 2, heartbeat: 2, peerAddress: "new", httpAddress: "h"))
        _ = view.merge([MemberDigest(node: b, incarnation: 1, heartbeat: 9, peerAddress: "stale")], nowMs: 3)
        #expect(view.digest(of: b)?.peerAddress == "new", "old news changes nothing")
    }
}
