import Foundation
import Glibc
import KVortexNet
import Synchronization
import Testing

/// A cluster of real `kvortex` processes on loopback (issue 6): any node coordinates, quorums are
/// honoured and reported, a killed node's writes reach it by hinted handoff, a partition made through
/// the admin API gives siblings that a context write resolves, and `kill -9` under load at W=2 with a
/// durable engine loses no acknowledged write.
@Suite(.serialized) struct ClusterProcessTests {
    @Test func anyNodeCoordinatesAndEveryReplicaHoldsTheWrite() throws {
        let cluster = try LocalCluster()
        for index in 0..<3 {
            let located = try cluster.call(index, .get, "/cluster/locate?key=cart").json
            #expect(Set(located?["preferenceList"] as? [String] ?? []) == Set(cluster.ids), "node \(index) routes by the same ring")
        }
        let written = try cluster.call(1, .post, "/set?key=cart", headers: Consistency.all, body: "apples")
        #expect(written.status == 204)
        #expect(written.header("X-Replicas") == "3/3")
        #expect(cluster.ids.contains(written.header("X-Coordinator") ?? ""), "the coordinator is a member")
        let read = try cluster.call(2, .get, "/get?key=cart", headers: Consistency.all)
        #expect(read.status == 200 && read.text == "apples")
        #expect(read.header("X-Coordinator") == "n3" && read.header("X-Replicas") == "3/3")
        for index in 0..<3 {
            #expect(try cluster.call(index, .get, "/get?key=cart", headers: Consistency.localPrimary).text == "apples", "replica \(index)")
        }
        // A context from one node resolves through another; a delete through a third reaches everyone.
        let token = try #require(read.header("X-Context"))
        #expect(try cluster.call(0, .post, "/set?key=cart", headers: Consistency.all + [("X-Context", token)], body: "pears").status == 204)
        #expect(try cluster.call(2, .delete, "/delete?key=cart", headers: Consistency.all).status == 204)
        for index in 0..<3 {
            #expect(try cluster.call(index, .get, "/get?key=cart", headers: Consistency.localPrimary).status == 404)
        }
        #expect(try cluster.call(0, .get, "/get?key=cart", headers: [("X-Read-Quorum", "4")]).status == 400, "R above N is refused")
    }

    /// Five nodes, N=3: every node routes a key to the same three, a write through any node (a
    /// replica or not) lands on exactly those three, and reads through any node find it.
    @Test func fiveNodesPlaceEveryKeyOnItsThreeReplicasOnly() throws {
        let cluster = try LocalCluster(size: 5)
        let keys = (0..<40).map { "item-\($0)" }
        var holders: [String: Set<String>] = [:]
        for key in keys {
            var lists: Set<[String]> = []
            for index in 0..<5 {
                lists.insert(try cluster.call(index, .get, "/cluster/locate?key=\(key)").json?["preferenceList"] as? [String] ?? [])
            }
            let list = try #require(lists.first)
            #expect(lists.count == 1 && list.count == 3 && Set(list).count == 3, "\(key): one list of 3 distinct nodes, got \(lists)")
            holders[key] = Set(list)
        }
        for (number, key) in keys.enumerated() {
            let written = try cluster.call(number % 5, .post, "/set?key=\(key)", headers: Consistency.all, body: "v\(number)")
            #expect(written.status == 204 && written.header("X-Replicas") == "3/3", "\(key) through n\(number % 5 + 1)")
        }
        // Each node stores exactly the keys whose preference list names it, once no hint is pending: a
        // primary that a coordinator's failure detector saw as down for a moment (heartbeats late on a
        // loaded host) gets its copy by handoff from the stand-in that acknowledged for it.
        let expected = cluster.ids.map { id in Double(keys.filter { holders[$0]!.contains(id) }.count) }
        var held: [Double?] = []
        do {
            try waitFor(timeoutSeconds: 20, pollMs: 50, "every node holds exactly its keys") { () -> Bool? in
                held = try cluster.ids.indices.map { try cluster.metric($0, "kvortex_storage_keys") }
                for index in cluster.ids.indices where try cluster.metric(index, "kvortex_hints_pending") != 0 { return nil }
                return held == expected ? true : nil
            }
        } catch let timeout as WaitTimeout {
            Issue.record("\(timeout): keys held \(held), expected \(expected) for \(cluster.ids)")
        }
        for (number, key) in keys.enumerated() {
            let read = try cluster.call((number + 2) % 5, .get, "/get?key=\(key)", headers: Consistency.all)
            #expect(read.status == 200 && read.text == "v\(number)" && read.header("X-Replicas") == "3/3", "\(key)")
        }
    }

    @Test func wAllFailsWithANodeKilledWhileSloppyW2SucceedsAndItsHintReachesThePrimary() throws {
        let cluster = try LocalCluster()
        cluster.node(2).crash()
        let all = try cluster.call(0, .post, "/set?key=strict", headers: Consistency.all, body: "x")
        #expect(all.status == 503)
        #expect(all.header("X-Replicas").map { $0.hasPrefix("2/") || $0.hasPrefix("1/") } == true, "acked/asked: \(all.header("X-Replicas") ?? "none")")
        #expect(all.json?["error"] as? String == "quorum_unmet" || all.json?["error"] as? String == "timeout")
        let sloppy = try cluster.call(0, .post, "/set?key=handoff", headers: Consistency.write(2), body: "kept")
        #expect(sloppy.status == 204)
        #expect(try cluster.metric(0, "kvortex_hints_pending") ?? 0 >= 1, "n1 holds a hint for n3")

        try cluster.start(2)
        try cluster.waitUntilFormed()
        try waitFor(timeoutSeconds: 20, pollMs: 50, "n1 handed its hints to n3") { () -> Bool? in
            try cluster.metric(0, "kvortex_hints_pending") == 0 ? true : nil
        }
        #expect(try cluster.metric(0, #"kvortex_hints_total{event="delivered"}"#) ?? 0 >= 1)
        // The first read of the key on n3, from its own replica only: the hint put it there.
        let local = try cluster.call(2, .get, "/get?key=handoff", headers: Consistency.localPrimary)
        #expect(local.status == 200 && local.text == "kept")
    }

    @Test func aPartitionGivesSiblingsThatAContextWriteResolvesEverywhere() throws {
        let cluster = try LocalCluster(arguments: ["--enable-fault-injection"])
        #expect(try cluster.call(2, .post, "/admin/partition", body: #"{"isolate":["n1","n2"]}"#).status == 204)
        for index in 0..<2 {
            #expect(try cluster.call(index, .post, "/admin/partition", body: #"{"isolate":["n3"]}"#).status == 204)
        }
        #expect(try cluster.call(0, .post, "/set?key=cart", headers: Consistency.write(1), body: "apples").status == 204)
        #expect(try cluster.call(2, .post, "/set?key=cart", headers: Consistency.write(1), body: "pears").status == 204)
        #expect(try cluster.call(2, .get, "/get?key=cart", headers: Consistency.localPrimary).text == "pears", "n3 saw only its side")
        #expect(try cluster.call(0, .post, "/set?key=strict", headers: Consistency.all, body: "x").status == 503)

        for index in 0..<3 { #expect(try cluster.call(index, .delete, "/admin/partition").status == 204) }
        let siblings = try waitFor(timeoutSeconds: 20, pollMs: 50, "both sides' writes met") { () -> Reply? in
            let read = try cluster.call(1, .get, "/get?key=cart", headers: Consistency.all)
            return read.status == 300 ? read : nil
        }
        let values = (siblings.json?["siblings"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
        #expect(values.sorted() == ["apples", "pears"])
        #expect(try cluster.metric(1, "kvortex_sibling_reads_total").map { $0 >= 1 } == true)
        let token = try #require(siblings.header("X-Context"))
        #expect(try cluster.call(1, .post, "/set?key=cart", headers: [("X-Context", token)], body: "apples+pears").status == 204)
        try waitFor(timeoutSeconds: 20, pollMs: 50, "every replica converged on the resolution") { () -> Bool? in
            for index in 0..<3 {
                let read = try cluster.call(index, .get, "/get?key=cart", headers: Consistency.localPrimary)
                guard read.status == 200, read.text == "apples+pears" else { return nil }
            }
            return true
        }
    }

    /// The coordinator caps the siblings (the replicas store its result), so the cluster counts each once.
    @Test func siblingsMergedAwayAtTheCapAreCountedInACluster() throws {
        let cluster = try LocalCluster(arguments: ["--siblings-max", "2"])
        for index in 0..<4 {
            #expect(try cluster.call(0, .post, "/set?key=hot", headers: Consistency.all, body: "v\(index)").status == 204)
        }
        #expect(try cluster.call(0, .get, "/get?key=hot", headers: Consistency.all).header("X-Siblings") == "2")
        let capped = try (0..<3).map { try cluster.metric($0, "kvortex_siblings_capped_total") ?? 0 }
        #expect(capped.reduce(0, +) == 2, "the third and fourth writes each merged one sibling away: \(capped)")
    }

    @Test func partitionRequestsAreCheckedAndNeedTheFlag() throws {
        let cluster = try LocalCluster(size: 2)
        #expect(try cluster.call(0, .post, "/admin/partition", body: #"{"isolate":["n2"]}"#).status == 403)
        let enabled = try LocalCluster(size: 2, arguments: ["--enable-fault-injection"])
        #expect(try enabled.call(0, .post, "/admin/partition", body: #"{"isolate":"n2"}"#).status == 400)
        #expect(try enabled.call(0, .post, "/admin/partition", body: #"{"isolate":["n1"]}"#).status == 400, "not itself")
        #expect(try enabled.call(0, .post, "/admin/partition", body: "{").status == 400)
        #expect(try enabled.call(0, .post, "/cluster/join?seed=nonsense").status == 400)
        // An ID that names no member is refused, naming it and the members: isolating it would do
        // nothing, and a test meaning to cut a node off would go on with the cluster whole.
        let peer = enabled.node(1).peerAddress
        let unknown = try enabled.call(0, .post, "/admin/partition", body: #"{"isolate":["n2","n9","\#(peer)"]}"#)
        #expect(unknown.status == 400 && unknown.json?["error"] as? String == "unknown_node", "\(unknown.status) \(unknown.text)")
        #expect(unknown.json?["message"] as? String == "unknown node IDs: n9, \(peer) (the peer address of n2); "
            + "the other members are: n2 (this node is n1); isolate members by their ID as GET /cluster/members lists them",
            "\(unknown.text)")
        #expect(Set(unknown.json?.keys.map { $0 } ?? []) == ["error", "message"], "API.md's error body: \(unknown.text)")
        #expect(try enabled.metric(0, "kvortex_fault_injection_dropped_total") == 0, "nothing was isolated")
        #expect(try enabled.call(0, .post, "/set?key=whole", headers: Consistency.all, body: "v").header("X-Replicas") == "2/2")
        #expect(try enabled.call(0, .post, "/admin/partition", body: #"{"isolate":["n2"]}"#).status == 204, "a member is isolated")
        #expect(try enabled.call(0, .post, "/set?key=cut", headers: Consistency.all, body: "v").status == 503)
    }

    @Test func killNineUnderLoadLosesNoAcknowledgedWriteAtW2() throws {
        let cluster = try LocalCluster(durable: "log")
        let acknowledged = Mutex<[String: String]>([:])
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for writer in 0..<3 {
            let port = cluster.node(writer).port
            DispatchQueue.global().async(group: group) {
                var sequence = 0
                while !stop.load(ordering: .relaxed) {
                    sequence += 1
                    let key = "w\(writer)-\(sequence)"
                    let value = "\(writer).\(sequence)"
                    guard let client = try? HTTPClient(host: "127.0.0.1", port: port, timeoutMs: 5_000),
                          let reply = try? client.call(.post, "/set?key=\(key)", headers: Consistency.write(2) + [("X-Sloppy-Quorum", "false")],
                                                      body: value)
                    else { continue }
                    if reply.status == 204 { acknowledged.withLock { $0[key] = value } }
                }
            }
        }
        try waitFor(timeoutSeconds: 30, "writes acknowledged before the crash") { acknowledged.withLock { $0.count } >= 100 ? true : nil }
        cluster.node(1).crash()
        let atCrash = acknowledged.withLock { $0.count }
        try waitFor(timeoutSeconds: 30, "writes acknowledged after the crash") { acknowledged.withLock { $0.count } >= atCrash + 50 ? true : nil }
        // The whole cluster dies at once: only what each node made durable can come back.
        cluster.node(0).crash()
        cluster.node(2).crash()
        stop.store(true, ordering: .relaxed)
        group.wait()
        for index in 0..<3 { try cluster.start(index) }
        try cluster.waitUntilFormed()
        let expected = acknowledged.withLock { $0 }
        var lost: [String] = []
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            let read = try cluster.call(0, .get, "/get?key=\(key)", headers: Consistency.all + [("Accept", "application/json")])
            let values = (read.json?["siblings"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            if !values.contains(value) { lost.append("\(key)=\(value) read \(read.status) \(values)") }
        }
        #expect(lost.isEmpty, "lost \(lost.count) of \(expected.count) acknowledged writes: \(lost.prefix(5))")
    }

}

extension ClusterProcessTests {
    /// With `--cluster-secret-file`, members sharing the secret form the cluster; a node with another
    /// secret is refused at the handshake (counted) and never becomes a member.
    @Test func onlyNodesWithTheClusterSecretJoin() throws {
        let directory = NSTemporaryDirectory() + "kvortex-secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shared = directory + "/shared", other = directory + "/other", short = directory + "/short"
        try "0123456789abcdef0123456789abcdef\n".write(toFile: shared, atomically: true, encoding: .utf8)
        try "fedcba9876543210fedcba9876543210".write(toFile: other, atomically: true, encoding: .utf8)
        try "tiny".write(toFile: short, atomically: true, encoding: .utf8)
        let cluster = try LocalCluster(size: 2, arguments: ["--cluster-secret-file", shared])
        #expect(try cluster.call(0, .post, "/set?key=s", headers: Consistency.all, body: "v").header("X-Replicas") == "2/2")

        let intruder = try NodeProcess(["--node-id", "intruder", "--cluster-secret-file", other,
                                        "--seeds", cluster.node(0).peerAddress])
        defer { intruder.stop() }
        try waitFor(timeoutSeconds: 20, pollMs: 50, "n1 refused the intruder's handshake") { () -> Bool? in
            try cluster.metric(0, #"kvortex_peer_events_total{event="authenticationFailures"}"#) ?? 0 >= 1 ? true : nil
        }
        let members = try cluster.call(0, .get, "/cluster/members").json?["members"] as? [[String: Any]] ?? []
        #expect(!members.contains { $0["id"] as? String == "intruder" })
        #expect(try intruder.client().call(.get, "/ready").status == 503, "the intruder never joined")

        let refused = try CLIRun.kvortex(["serve", "--http", "127.0.0.1:0", "--cluster-secret-file", short], timeoutSeconds: 30)
        #expect(refused.status != 0, "a 4-byte secret is refused")
    }
}

/// Ownership handoff and graceful leave with real processes (`Node+Ownership.swift`, `Node+Leave.swift`).
@Suite(.serialized) struct OwnershipProcessTests {
    static let keys = (0..<200).map { "owned-\($0)" }

    /// Writes every key at W=all through the nodes in turn.
    static func load(_ cluster: LocalCluster, through nodes: Int) throws {
        for (number, key) in keys.enumerated() {
            let written = try cluster.call(number % nodes, .post, "/set?key=\(key)", headers: Consistency.all, body: "v\(number)")
            #expect(written.status == 204, "\(key): \(written.status) \(written.text)")
        }
    }

    /// Waits until no node has a partition transfer pending.
    static func waitForHandoff(_ cluster: LocalCluster, nodes: Range<Int>) throws {
        try waitFor(timeoutSeconds: 60, pollMs: 100, "ownership handoff finished") { () -> Bool? in
            for index in nodes where try cluster.metric(index, "kvortex_ownership_transfers_pending") != 0 { return nil }
            return true
        }
    }

    @Test func aFourthNodeJoiningAfterTheDataReceivesTheKeysItNowOwns() throws {
        let cluster = try LocalCluster(size: 3)
        try Self.load(cluster, through: 3)
        let n4 = try cluster.addNode()
        try cluster.waitUntilFormed()
        try Self.waitForHandoff(cluster, nodes: 0..<4)
        var owned = 0
        for (number, key) in Self.keys.enumerated() where try cluster.preferenceList(key).contains("n4") {
            owned += 1
            let read = try cluster.call(n4, .get, "/get?key=\(key)", headers: Consistency.localPrimary)
            #expect(read.status == 200 && read.text == "v\(number)", "\(key) on n4: \(read.status)")
        }
        #expect(owned > 100, "N=3 of 4 nodes: n4 is in about 3/4 of the preference lists, got \(owned)")
        #expect(try cluster.metric(0, "kvortex_ownership_objects_handed_off_total") ?? 0 > 0)
    }

    @Test func aLeavingNodeHandsItsKeysOffStopsItselfIsForgottenAndCanRejoin() throws {
        let cluster = try LocalCluster(size: 4)
        try Self.load(cluster, through: 4)
        let n4 = cluster.node(3)
        let left = try cluster.call(3, .post, "/cluster/leave")
        #expect(left.status == 202, "\(left.text)")
        // A second leave while leaving (192 partition transfers take many batches) changes nothing.
        let again = try cluster.call(3, .post, "/cluster/leave")
        #expect(again.status == 202 && again.text.contains("\"alreadyLeaving\":true"), "\(again.status) \(again.text)")
        // ... and says so in words (`kvortex cluster leave` prints the message).
        #expect((again.json?["message"] as? String)?.hasPrefix("already leaving: ") == true, "\(again.text)")
        #expect((left.json?["message"] as? String)?.hasPrefix("leave started: ") == true, "\(left.text)")
        try waitFor(timeoutSeconds: 60, pollMs: 50, "n4 stopped by itself") { n4.process.isRunning ? nil : true }
        #expect(n4.process.terminationStatus == 0)
        #expect(n4.stderrText.contains("left the cluster: "), "\(n4.stderrText)")
        #expect(n4.stderrText.contains("the leave is complete, so the node stops now"), "it says why it stops: \(n4.stderrText)")
        for index in 0..<3 {
            // Leaving, or already gone from the list (retired once silent): never routed to again.
            let members = try cluster.call(index, .get, "/cluster/members").json?["members"] as? [[String: Any]] ?? []
            #expect(!members.contains { $0["id"] as? String == "n4" && $0["state"] as? String != "leaving" }, "n\(index + 1) saw n4 leave")
            #expect(try !cluster.preferenceList("owned-0", at: index).contains("n4"))
        }
        // Silent once stopped, n4 is retired: gone from every member list, held as a tombstone.
        try waitFor(timeoutSeconds: 30, pollMs: 100, "n4 gone from the member lists") { () -> Bool? in
            for index in 0..<3 {
                let members = try cluster.call(index, .get, "/cluster/members").json?["members"] as? [[String: Any]] ?? []
                guard members.count == 3, !members.contains(where: { $0["id"] as? String == "n4" }) else { return nil }
            }
            return true
        }
        for index in 0..<3 {
            #expect(try cluster.metric(index, "kvortex_cluster_tombstones") == 1, "n\(index + 1)")
            #expect(try cluster.metric(index, #"kvortex_cluster_departures_total{event="retired"}"#) == 1, "n\(index + 1)")
            #expect(try cluster.metric(index, "kvortex_peer_links") == 2, "n\(index + 1) closed its link to n4 (it would reconnect forever)")
            #expect(try !cluster.preferenceList("owned-0", at: index).contains("n4"), "the ring did not change")
        }
        for (number, key) in Self.keys.enumerated() {
            let read = try cluster.call(number % 3, .get, "/get?key=\(key)", headers: Consistency.all)
            #expect(read.status == 200 && read.text == "v\(number)", "\(key) at all: \(read.status)")
            for index in 0..<3 {
                let alone = try cluster.call(index, .get, "/get?key=\(key)", headers: Consistency.localPrimary)
                #expect(alone.status == 200 && alone.text == "v\(number)", "\(key) on n\(index + 1) alone: \(alone.status)")
            }
        }
        // Started again with seeds, n4's newer incarnation supersedes `leaving`: it is up and routed to.
        try cluster.start(3)
        try waitFor(timeoutSeconds: 30, pollMs: 100, "n4 rejoined") { () -> Bool? in
            let members = try cluster.call(1, .get, "/cluster/members").json?["members"] as? [[String: Any]] ?? []
            let isUp = members.contains { $0["id"] as? String == "n4" && $0["state"] as? String == "up" }
            return try isUp && cluster.preferenceList("owned-0", at: 1).contains("n4") ? true : nil
        }
        #expect(try cluster.metric(1, #"kvortex_cluster_departures_total{event="rejoined"}"#) == 1, "its tombstone was lifted")
        try waitFor(timeoutSeconds: 30, pollMs: 100, "n2 links to n4 again") { try cluster.metric(1, "kvortex_peer_links") == 3 ? true : nil }
        #expect(try cluster.metric(1, "kvortex_cluster_tombstones") == 0)
    }
}
