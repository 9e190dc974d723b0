import Foundation
import KVortexNet
import Testing

/// Bad input gets a 4xx with a JSON error, never a crash or a silent ignore (API.md).
@Suite(.serialized) struct ValidationTests {
    @Test func consistencyHeadersAreValidatedAgainstN() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=k", body: "v").status == 204)
        let cases: [((String, String), Int)] = [
            (("X-Read-Quorum", "2"), 400), (("X-Read-Quorum", "1"), 200), (("X-Read-Quorum", "0"), 400),
            (("X-Consistency", "all"), 200), (("X-Consistency", "quorum"), 200), (("X-Consistency", "one"), 200),
            (("X-Consistency", "most"), 400), (("X-Consistency", "two"), 400),
            (("X-Sloppy-Quorum", "false"), 200), (("X-Sloppy-Quorum", "maybe"), 400),
            (("X-Timeout-Ms", "250"), 200), (("X-Timeout-Ms", "-1"), 400),
            (("X-Context", "not-a-token"), 400), (("X-Context", "AAAA"), 400),
        ]
        for (header, expected) in cases {
            let reply = try client.call(.get, "/get?key=k", headers: [header])
            #expect(reply.status == expected, "\(header.0): \(header.1)")
            if expected == 400 {
                #expect(reply.json?["error"] as? String != nil)
                #expect(reply.json?["message"] as? String != nil)
                #expect(reply.header("X-Coordinator") == node.nodeID, "a refused key operation names its coordinator too")
            }
        }
        #expect(try client.call(.post, "/set?key=k", headers: [("X-Write-Quorum", "2")], body: "v").status == 400)
        #expect(try client.call(.post, "/set?key=k", headers: [("X-TTL", "soon")], body: "v").status == 400)
        #expect(try client.call(.post, "/set?key=k", headers: [("X-Context", "%%%")], body: "v").status == 400)
    }

    @Test func keysAreValidated() throws {
        let node = try NodeProcess()
        let client = try node.client()
        #expect(try client.call(.get, "/get").status == 400)
        #expect(try client.call(.get, "/get?key=").status == 400)
        #expect(try client.call(.get, "/get?key=%ZZ").status == 400)
        #expect(try client.call(.get, "/get?key=%FF%FE").status == 400, "not UTF-8")
        let long = String(repeating: "k", count: 1025)
        #expect(try client.call(.get, "/get?key=\(long)").status == 400)
        #expect(try client.call(.post, "/set?key=\(String(repeating: "k", count: 1024))", body: "ok").status == 204)
        #expect(try client.call(.post, "/set?key=a%20b", body: "spaced").status == 204)
        #expect(try client.call(.get, "/get?key=a+b").text == "spaced", "+ decodes to a space in the query")
    }

    @Test func oversizeValueIs413AndUnknownRoutesAre404Or405() throws {
        let node = try NodeProcess(["--value-bytes-max", "1000"])
        let client = try node.client()
        #expect(try client.call(.post, "/set?key=big", body: String(repeating: "x", count: 1001)).status == 413)
        #expect(try client.call(.post, "/set?key=big", body: String(repeating: "x", count: 1000)).status == 204)
        #expect(try client.call(.get, "/nope").status == 404)
        let wrongMethod = try client.call(.get, "/set?key=a")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") != nil)
    }

    @Test func unknownFlagsAreRefusedWithHelp() throws {
        let run = try CLIRun.kvortex(["serve", "--replicaz", "3"], timeoutSeconds: 30)
        #expect(run.status == 2)
        #expect(run.stderr.contains("unknown option --replicaz"))
    }
}
