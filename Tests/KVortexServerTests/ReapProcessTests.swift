import Foundation
import KVortexNet
import Testing

/// Confirmed reaps on real processes (docs/decisions.md, "Reaps are confirmed by every primary"): with a
/// short `--tombstone-grace-ms`, a deleted key's tombstone is reaped once the other two primaries
/// confirm it; not while one of them is down (deferred), but once it is back and holds the tombstone
/// again.
@Suite(.serialized) struct ReapProcessTests {
    static let arguments = ["--tombstone-grace-ms", "300"]

    /// The sum over `nodes` of `kvortex_reaps_total{result="<result>"}`.
    static func reaps(_ cluster: LocalCluster, _ result: String, on nodes: [Int]) throws -> Double {
        try nodes.reduce(0) { $0 + (try cluster.metric($1, "kvortex_reaps_total{result=\"\(result)\"}") ?? 0) }
    }

    @Test func aDeleteIsReapedOnceEveryPrimaryConfirms() throws {
        let cluster = try LocalCluster(arguments: Self.arguments)
        #expect(try cluster.call(0, .post, "/set?key=gone", headers: Consistency.all, body: "v").status == 204)
        #expect(try cluster.call(0, .delete, "/delete?key=gone", headers: Consistency.all).status == 204)
        // Each of the three holds the tombstone, and each reaps it once the two others confirm.
        try waitFor(timeoutSeconds: 20, pollMs: 50, "three confirmed reaps") { () -> Bool? in
            try Self.reaps(cluster, "confirmed", on: [0, 1, 2]) >= 3 ? true : nil
        }
        #expect(try cluster.metric(0, "kvortex_reaped_memory_entries") ?? 0 >= 1)
        #expect(try cluster.call(1, .get, "/get?key=gone", headers: Consistency.all).status == 404)
        // The key is written again after its reap: the write is kept and read back everywhere.
        #expect(try cluster.call(2, .post, "/set?key=gone", headers: Consistency.all, body: "back").status == 204)
        for index in 0..<3 {
            #expect(try cluster.call(index, .get, "/get?key=gone", headers: Consistency.all).text == "back")
        }
    }

    @Test func aPrimaryDownDefersTheReapUntilItIsBack() throws {
        let cluster = try LocalCluster(arguments: Self.arguments)
        #expect(try cluster.call(0, .post, "/set?key=held", headers: Consistency.all, body: "v").status == 204)
        #expect(try cluster.call(0, .delete, "/delete?key=held", headers: Consistency.all).status == 204)
        cluster.node(2).crash()
        // n1 and n2 hold the tombstone past its grace but may not reap it while n3 is down.
        try waitFor(timeoutSeconds: 20, pollMs: 50, "a deferred reap") { () -> Bool? in
            try Self.reaps(cluster, "deferred_unreachable", on: [0, 1]) >= 1 ? true : nil
        }
        #expect(try Self.reaps(cluster, "confirmed", on: [0, 1]) == 0)
        // n3 restarts empty (a memory node): until the rejoin's ownership transfer or a read's repair
        // gives it the tombstone again it refuses; then all three reap, and the key stays deleted.
        try cluster.start(2)
        try cluster.waitUntilFormed()
        #expect(try cluster.call(0, .get, "/get?key=held", headers: Consistency.all).status == 404)
        try waitFor(timeoutSeconds: 20, pollMs: 50, "three confirmed reaps") { () -> Bool? in
            try Self.reaps(cluster, "confirmed", on: [0, 1, 2]) >= 3 ? true : nil
        }
        for index in 0..<3 {
            #expect(try cluster.call(index, .get, "/get?key=held", headers: Consistency.all).status == 404)
        }
    }
}
