import Foundation
import KVortexNet
import Synchronization
import Testing

/// `kvortex cluster status|ring|join|leave`: the real binary against a real node, and against a canned
/// three-node answer (a small HTTP server in this process) for the tables a single node cannot show.
@Suite(.serialized) struct ClusterCommandTests {
    typealias Run = CLIRun

    /// Runs `kvortex cluster <arguments>` and waits for it; the CLI's own 10 s HTTP timeout bounds it.
    func cluster(_ arguments: [String]) throws -> Run {
        try CLIRun.kvortex(["cluster"] + arguments)
    }

    /// The rows of the first table after `header`: lines up to the next blank line.
    func rows(after header: String, in text: String) -> [[String]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.map { $0.split(separator: " ").map(String.init) }
    }

    /// Partition numbers covered by the first column of ring rows ("4" or "0-3").
    func partitions(in rows: [[String]]) -> [Int] {
        rows.flatMap { row -> [Int] in
            let bounds = row[0].split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first, let last = bounds.last, first <= last else { return [-1] }
            return Array(first...last)
        }
    }

    @Test func statusAndRingOfOneNodeAccountForEveryPartition() throws {
        let node = try NodeProcess(["--node-id", "solo-node"])
        let address = "\(node.host):\(node.port)"

        let status = try cluster(["status", "--node", address])
        #expect(status.status == 0, "\(status.stderr)")
        let members = rows(after: "ID ", in: status.stdout)
        #expect(members == [["solo-node", "up", address, node.peerAddress, "256", "256"]], "\(status.stdout)")
        #expect(status.stdout.contains("1 member: 1 up, 0 suspect, 0 down, 0 leaving; ready: yes"), "\(status.stdout)")
        #expect(status.stdout.contains("256 partitions"))

        let ring = try cluster(["ring", "--node", address])
        #expect(ring.status == 0, "\(ring.stderr)")
        #expect(rows(after: "PARTITION ", in: ring.stdout).isEmpty, "no list per partition without --all: \(ring.stdout)")
        #expect(rows(after: "NODE ", in: ring.stdout) == [["solo-node", "256", "256"]], "\(ring.stdout)")
        #expect(ring.stdout.contains(" cluster ring --all --node \(address)\n"), "says how to see every list: \(ring.stdout)")

        let all = try cluster(["ring", "--all", "--node", address])
        #expect(all.status == 0, "\(all.stderr)")
        let each = rows(after: "PARTITION ", in: all.stdout)
        #expect(partitions(in: each) == Array(0..<256), "one row per partition, in order")
        #expect(each.allSatisfy { $0.count == 2 && $0[1] == "solo-node" })
        #expect(node.stop() == 0)
    }

    /// The command reports what the node answered: a join is accepted (202) and said so; a leave,
    /// which a node alone refuses with 409 and a message (no member could take its partitions), comes
    /// out as `kvortex cluster leave: 409 <message>` with exit status 1.
    @Test func joinAndLeaveReportTheNodesAnswer() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let join = try cluster(["join", "127.0.0.1:1", "--node", address])
        #expect(join.status == 0, "\(join.stderr)")
        #expect(join.stdout.contains("127.0.0.1:1"), "\(join.stdout)")

        let direct = try node.client().call(.post, "/cluster/leave")
        let message = try #require(direct.json?["message"] as? String, "the node explains a refusal: \(direct.text)")
        try #require(direct.status == 409, "the last member cannot leave: \(direct.text)")
        let leave = try cluster(["leave", "--node", address])
        #expect(leave.status == 1)
        #expect(leave.stderr == "kvortex cluster leave: 409 \(message)\n", "\(leave.stderr)")
        #expect(leave.stdout.isEmpty)
        let metrics = try node.client().call(.get, "/metrics").text
        #expect(metrics.contains(#"kvortex_http_requests_total{route="cluster_leave",status="409"} 2"#), "both refusals counted as 409")
        #expect(node.stop() == 0)
    }

    @Test func threeMembersFromACannedNode() throws {
        let lists = [["n1", "n2", "n3"], ["n1", "n2", "n3"], ["n1", "n2", "n3"], ["n1", "n2", "n3"],
                     ["n2", "n3", "n1"], ["n3", "n1", "n2"], ["n3", "n1", "n2"], ["n1", "n2", "n3"]]
        let ring = "{\"partitions\":8,\"replicas\":3,\"ring\":["
            + lists.enumerated().map { "{\"partition\":\($0.offset),\"preferenceList\":[\"" + $0.element.joined(separator: "\",\"") + "\"]}" }
                .joined(separator: ",") + "]}"
        let fake = try CannedNode([
            "GET /cluster/members": (200, """
                {"members":[{"id":"n1","state":"up","http":"127.0.0.1:8001","peer":"127.0.0.1:9001"},
                {"id":"n2","state":"suspect","http":"127.0.0.1:8002","peer":"127.0.0.1:9002"},
                {"id":"n3","state":"down","http":"127.0.0.1:8003"}]}
                """),
            "GET /cluster/ring": (200, ring),
            "GET /ready": (503, #"{"error":"not_ready","message":"still joining"}"#),
            "POST /cluster/join": (202, #"{"status":"joining"}"#),
            "POST /cluster/leave": (202, #"{"leaving":"n1","alreadyLeaving":true,"transfersPending":3,"message":"already leaving: 3 partition transfers still pending"}"#),
        ])
        let address = "127.0.0.1:\(fake.port)"

        let status = try cluster(["status", "--node", address])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(rows(after: "ID ", in: status.stdout) == [
            ["n1", "up", "127.0.0.1:8001", "127.0.0.1:9001", "5", "8"],
            ["n2", "suspect", "127.0.0.1:8002", "127.0.0.1:9002", "1", "8"],
            ["n3", "down", "127.0.0.1:8003", "-", "2", "8"],
        ], "\(status.stdout)")
        #expect(status.stdout.contains("3 members: 1 up, 1 suspect, 1 down, 0 leaving; ready: no (still joining)"), "\(status.stdout)")

        let summary = try cluster(["ring", "--node", address])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("NODE  PRIMARY  2ND  3RD  REPLICA\n"), "\(summary.stdout)")
        let owners = [["n1", "5", "2", "1", "8"], ["n2", "1", "5", "2", "8"], ["n3", "2", "1", "5", "8"]]
        #expect(rows(after: "NODE ", in: summary.stdout) == owners, "\(summary.stdout)")
        let all = try cluster(["ring", "--all", "--node", address])
        #expect(rows(after: "PARTITION ", in: all.stdout) == lists.enumerated().map { [String($0.offset)] + $0.element.enumerated().map { $0.offset < 2 ? $0.element + "," : $0.element } },
                "\(all.stdout)")
        #expect(rows(after: "NODE ", in: all.stdout) == owners, "--all ends with the same counts: \(all.stdout)")

        let join = try cluster(["join", "127.0.0.1:9002", "--node", address])
        #expect(join.status == 0, "\(join.stderr)")
        #expect(join.stdout.contains("join") && join.stdout.contains("127.0.0.1:9002") && join.stdout.contains("202"), "\(join.stdout)")
        #expect(fake.received.contains("POST /cluster/join seed=127.0.0.1%3A9002"), "\(fake.received)")

        let again = try cluster(["leave", "--node", address])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("node \(address) is already leaving the cluster (202): already leaving: 3 partition transfers still pending\n"),
                "\(again.stdout)")

        let last = try CannedNode([
            "POST /cluster/leave": (409, #"{"error":"last_member","message":"no other member could take this node's partitions"}"#),
        ])
        let refused = try cluster(["leave", "--node", "127.0.0.1:\(last.port)"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "kvortex cluster leave: 409 no other member could take this node's partitions\n", "\(refused.stderr)")
    }

    /// A real ring rotates the members from one partition to the next, so no two neighbours share a
    /// list: by default `ring` prints one row per node, however many partitions, and `--all` one per
    /// partition.
    @Test func ringPrintsOneRowPerNodeUnlessAskedForEveryPartition() throws {
        let members = ["n1", "n2", "n3"]
        let lists = (0..<256).map { partition in (0..<3).map { members[(partition + $0) % 3] } }
        let ring = "{\"partitions\":256,\"replicas\":3,\"ring\":["
            + lists.enumerated().map { "{\"partition\":\($0.offset),\"preferenceList\":[\"" + $0.element.joined(separator: "\",\"") + "\"]}" }
                .joined(separator: ",") + "]}"
        let fake = try CannedNode(["GET /cluster/ring": (200, ring)])
        let address = "127.0.0.1:\(fake.port)"

        let summary = try cluster(["ring", "--node", address])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.split(separator: "\n").count < 12, "a few lines, not one per partition: \(summary.stdout)")
        #expect(rows(after: "NODE ", in: summary.stdout) == [
            ["n1", "86", "85", "85", "256"], ["n2", "85", "86", "85", "256"], ["n3", "85", "85", "86", "256"],
        ], "\(summary.stdout)")
        #expect(summary.stdout.contains("PRIMARY, 2ND, 3RD: partitions whose preference list has the node in that place"))
        #expect(summary.stdout.hasSuffix(" cluster ring --all --node \(address)\n"), "\(summary.stdout)")

        let all = try cluster(["ring", "--all", "--node", address])
        #expect(all.status == 0, "\(all.stderr)")
        let each = rows(after: "PARTITION ", in: all.stdout)
        #expect(partitions(in: each) == Array(0..<256), "one row per partition, in order")
        #expect(each[4] == ["4", "n2,", "n3,", "n1"], "\(each[4])")
        #expect(!all.stdout.contains("--all --node"), "--all does not point to itself")
    }

    /// With five replicas the columns go up to 5TH, and a rotating ring puts every node once in each.
    @Test func ringTitlesEveryPlaceOfALongerPreferenceList() throws {
        let lists = (0..<5).map { partition in (0..<5).map { "n\((partition + $0) % 5 + 1)" } }
        let ring = "{\"partitions\":5,\"replicas\":5,\"ring\":["
            + lists.enumerated().map { "{\"partition\":\($0.offset),\"preferenceList\":[\"" + $0.element.joined(separator: "\",\"") + "\"]}" }
                .joined(separator: ",") + "]}"
        let fake = try CannedNode(["GET /cluster/ring": (200, ring)])
        let run = try cluster(["ring", "--node", "127.0.0.1:\(fake.port)"])
        #expect(run.stdout.contains("NODE  PRIMARY  2ND  3RD  4TH  5TH  REPLICA\n"), "\(run.stdout)")
        #expect(rows(after: "NODE ", in: run.stdout).allSatisfy { $0.dropFirst() == ["1", "1", "1", "1", "1", "5"] }, "\(run.stdout)")
    }

    @Test func anUnreadableAnswerIsAnErrorNotATable() throws {
        let fake = try CannedNode(["GET /cluster/ring": (200, #"{"partitions":"many"}"#)])
        let ring = try cluster(["ring", "--node", "127.0.0.1:\(fake.port)"])
        #expect(ring.status == 1)
        #expect(ring.stdout.isEmpty)
        #expect(ring.stderr.contains("unexpected answer to /cluster/ring"), "\(ring.stderr)")
    }

    @Test func anUnreachableNodeIsNamed() throws {
        let run = try cluster(["status", "--node", "127.0.0.1:1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot reach node 127.0.0.1:1:"), "\(run.stderr)")
    }

    @Test(arguments: [
        [], ["bogus"], ["join"], ["join", "a:1", "b:2"], ["join", "no-port"], ["status", "extra"],
        ["status", "--all"], ["ring", "--bogus"], ["leave", "--node", "nohost"],
    ])
    func badUsageExitsTwoWithTheUsage(arguments: [String]) throws {
        let run = try cluster(arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Usage:"), "\(arguments): \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func helpExplainsEverySubcommandAndFlag() throws {
        let help = try cluster(["--help"])
        #expect(help.status == 0)
        for word in ["status", "ring", "join SEED", "leave", "--node", "--all", "--timeout-ms", "PRIMARY", "REPLICA"] {
            #expect(help.stdout.contains(word), "help mentions \(word)")
        }
        #expect(try cluster(["join", "--help"]).stdout == help.stdout)
    }
}

/// A stand-in node answering fixed bodies by "METHOD /path" (404 otherwise), recording every request
/// as "METHOD /path query". Stopped when the test drops it.
final class CannedNode: Sendable {
    private let server: HTTPServer
    private let handler: Handler
    let port: Int

    init(_ answers: [String: (status: Int, body: String)]) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        handler = Handler(answers: answers)
        server = HTTPServer(configuration: configuration, handler: handler)
        port = try server.start().port
    }

    deinit {
        server.stop(gracePeriodMs: 1_000)
    }

    var received: [String] { handler.received.withLock { $0 } }

    final class Handler: HTTPHandler {
        let answers: [String: (status: Int, body: String)]
        let received = Mutex<[String]>([])

        init(answers: [String: (status: Int, body: String)]) {
            self.answers = answers
        }

        func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
            let route = "\(request.method) \(String(decoding: request.path, as: UTF8.self))"
            received.withLock { $0.append("\(route) \(String(decoding: request.query, as: UTF8.self))") }
            guard let answer = answers[route] else {
                return .now(.error(status: 404, code: "no_such_endpoint", message: "not canned: \(route)"))
            }
            return .now(HTTPResponse(status: answer.status, body: Array(answer.body.utf8), contentType: "application/json"))
        }
    }
}
