import Foundation
import Testing

/// Three real nodes sharing a token file: clients need the token at every node, and the nodes' own
/// traffic (replication, forwarding, gossip, handoff) goes over the peer transport, untouched by it.
@Suite(.serialized) struct AuthClusterTests {
    @Test func keyOperationsThroughAnyNodeOfAProtectedCluster() throws {
        let files = try TokenFiles()
        let cluster = try LocalCluster(size: 3, arguments: ["--auth-token-file", try files.nodeFile()], bearerToken: TokenFiles.client)
        for index in 0..<3 {
            let anonymous = try cluster.node(index).client().call(.get, "/get?key=k")
            #expect(anonymous.status == 401, "n\(index + 1) without a token")
        }
        for number in 0..<12 {
            let key = "protected-\(number)"
            let written = try cluster.call(number % 3, .post, "/set?key=\(key)", headers: Consistency.all, body: "v\(number)")
            #expect(written.status == 204 && written.header("X-Replicas") == "3/3", "\(key) through n\(number % 3 + 1): \(written.text)")
            for index in 0..<3 {
                let read = try cluster.call(index, .get, "/get?key=\(key)", headers: Consistency.localPrimary)
                #expect(read.status == 200 && read.text == "v\(number)", "\(key): n\(index + 1)'s own replica")
            }
        }
        // The command line, through the third node; then that node leaves, asked with the admin token.
        let address = "\(cluster.node(2).host):\(cluster.node(2).port)"
        let clientFile = try files.clientFile(TokenFiles.client)
        let set = try CLIRun.kvortex(["set", "cli", "value", "--node", address, "--token-file", clientFile], environment: ["KVORTEX_TOKEN": nil])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try cluster.call(0, .get, "/get?key=cli", headers: Consistency.all).text == "value")
        let leave = try CLIRun.kvortex(["cluster", "leave", "--node", address], environment: ["KVORTEX_TOKEN": TokenFiles.admin])
        #expect(leave.status == 0 && leave.stdout.contains("accepted the request to leave"), "\(leave.stdout)\(leave.stderr)")
        #expect(cluster.node(2).process.wait(timeoutSeconds: 60) == 0, "n3 handed off and stopped")
        for number in 0..<12 {
            #expect(try cluster.call(number % 2, .get, "/get?key=protected-\(number)").text == "v\(number)")
        }
    }
}
