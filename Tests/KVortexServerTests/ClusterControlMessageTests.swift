import KVortexCore
import Testing
@testable import KVortexServer

/// The sentences of the cluster-control endpoints and of a node's stop, without a process.
@Suite struct ClusterControlMessageTests {
    static func member(_ id: String, peer: String) -> MemberView {
        MemberView(id: NodeID(id), state: "up", httpAddress: "127.0.0.1:1\(peer.suffix(3))", peerAddress: peer)
    }

    let members = [member("n1", peer: "127.0.0.1:9001"), member("n2", peer: "127.0.0.1:9002"), member("n3", peer: "127.0.0.1:9003")]

    @Test func isolatingMembersIsAcceptedAndTheirIDsKept() {
        #expect(IsolationTargets.check(["n2", "n3", "n2"], nodeID: NodeID("n1"), members: members) == .success([NodeID("n2"), NodeID("n3")]))
        #expect(IsolationTargets.check([], nodeID: NodeID("n1"), members: members) == .success([]))
    }

    @Test func itselfIsRefusedBeforeUnknownIDs() {
        let refusal = IsolationTargets.check(["n9", "n1"], nodeID: NodeID("n1"), members: members)
        #expect(refusal == .failure(.init(code: "invalid_partition", message: "a node cannot isolate itself (n1); isolate the others instead")))
    }

    @Test func unknownIDsAreNamedOnceWithTheMembersAndAnAddressIsRecognised() {
        let refusal = IsolationTargets.check(["n9", "127.0.0.1:9003", "n2", "n9"], nodeID: NodeID("n1"), members: members)
        #expect(refusal == .failure(.init(code: "unknown_node", message:
            "unknown node IDs: n9, 127.0.0.1:9003 (the peer address of n3); the other members are: n2, n3 (this node is n1); "
            + "isolate members by their ID as GET /cluster/members lists them")))
        let alone = IsolationTargets.check(["n2"], nodeID: NodeID("n1"), members: [members[0]])
        #expect(alone == .failure(.init(code: "unknown_node", message:
            "unknown node ID: n2; this node (n1) knows no other member; isolate members by their ID as GET /cluster/members lists them")))
    }

    /// A message names at most `namesListedMax` IDs, then counts the rest.
    @Test func aLongListOfUnknownIDsIsCut() {
        let unknown = (0..<(IsolationTargets.namesListedMax + 5)).map { "x\($0)" }
        guard case .failure(let refusal) = IsolationTargets.check(unknown, nodeID: NodeID("n1"), members: members) else {
            Issue.record("accepted unknown IDs"); return
        }
        let named = unknown.prefix(IsolationTargets.namesListedMax).joined(separator: ", ")
        #expect(refusal.message.hasPrefix("unknown node IDs: \(named) and 5 more; "), "\(refusal.message)")
    }

    @Test func aRepeatedLeaveSaysAlreadyLeaving() {
        #expect(KVortexHTTPHandler.leaveMessage(.alreadyLeaving(transfersPending: 12))
            == "already leaving: 12 partition transfers still pending, then the node stops by itself; this request changed nothing")
        #expect(KVortexHTTPHandler.leaveMessage(.alreadyLeaving(transfersPending: 0)).hasPrefix("already leaving: every partition is handed off"))
        #expect(KVortexHTTPHandler.leaveMessage(.started(transfersPending: 12)).hasPrefix("leave started: 12 partition transfers"))
    }

    /// One transfer is said in the singular, by the answer and by the log lines of the leave's end.
    @Test func oneOfAnythingIsSingular() {
        #expect(KVortexHTTPHandler.leaveMessage(.started(transfersPending: 1)).hasPrefix("leave started: 1 partition transfer to hand "))
        #expect(KVortexHTTPHandler.leaveMessage(.alreadyLeaving(transfersPending: 1)).hasPrefix("already leaving: 1 partition transfer still pending,"))
        #expect(LeaveEnd.handedOff(objects: 1).logLine(timeoutMs: 1_000).hasPrefix("left the cluster: 1 object handed off; "))
        #expect(LeaveEnd.handedOff(objects: 2).logLine(timeoutMs: 1_000).hasPrefix("left the cluster: 2 objects handed off; "))
        #expect(LeaveEnd.timedOut(transfersPending: 1).logLine(timeoutMs: 1_000)
            .hasPrefix("leave timed out after 1000 ms with 1 partition transfer unacknowledged (is a new owner unreachable?)"))
        #expect(LeaveEnd.timedOut(transfersPending: 3).logLine(timeoutMs: 1_000)
            .hasPrefix("leave timed out after 1000 ms with 3 partition transfers unacknowledged (is a new owner unreachable?)"))
    }

    /// The serve command's "kvortex: <reason>, stopping" after a leave says the leave, not "signal 15".
    @Test func aLeaveStopsTheNodeForItsOwnReason() {
        #expect(LeaveEnd.handedOff(objects: 3).stopReason == "its leave is complete")
        #expect(LeaveEnd.timedOut(transfersPending: 2).stopReason == "its leave timed out")
    }
}
