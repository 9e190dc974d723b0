import Foundation
import Testing

/// `--` ends the options of `kvortex get|set|delete` (POSIX): a key that starts with `-` goes after it.
@Suite(.serialized) struct EndOfOptionsTests {
    func kvortex(_ arguments: [String], stdin: String? = nil) throws -> CLIRun {
        try CLIRun.kvortex(arguments, stdin: stdin)
    }

    @Test func aKeyStartingWithDashesFollowsTheEndOfOptions() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let set = try kvortex(["set", "--node", address, "--", "--dash-key", "v1"])
        #expect(set.status == 0, "\(set.stderr)")
        let get = try kvortex(["get", "--node", address, "--", "--dash-key"])
        #expect(get.status == 0 && get.stdout == "v1", "\(get.stdout)\(get.stderr)")

        let piped = try kvortex(["set", "--node", address, "--", "-k", "-"], stdin: "from stdin")
        #expect(piped.status == 0, "- after -- is still standard input: \(piped.stderr)")
        #expect(try kvortex(["get", "--node", address, "--", "-k"]).stdout == "from stdin")

        let help = try kvortex(["get", "--node", address, "--", "-h"])
        #expect(help.status == 1 && help.stderr.contains("not found"), "-h after -- is a key: \(help.stdout)\(help.stderr)")
        let flagAfter = try kvortex(["get", "--", "--dash-key", "--node", address])
        #expect(flagAfter.status == 2 && flagAfter.stderr.contains("exactly one KEY"), "after --, --node is a word: \(flagAfter.stderr)")

        #expect(try kvortex(["delete", "--node", address, "--", "--dash-key"]).status == 0)
        #expect(try kvortex(["get", "--node", address, "--", "--dash-key"]).status == 1)
        #expect(node.stop() == 0)
    }

    /// Without `--` such a key is an unknown option, and the refusal says how to give it.
    @Test func anUnknownOptionPointsAtTheEndOfOptions() throws {
        let run = try kvortex(["get", "--dash-key", "--node", "127.0.0.1:1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("unknown option --dash-key"), "\(run.stderr)")
        #expect(run.stderr.contains("kvortex get -- --dash-key"), "\(run.stderr)")
    }

    @Test func eachKeyCommandsHelpMentionsIt() throws {
        for command in ["get", "set", "delete"] {
            let help = try kvortex([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("kvortex \(command) [options] -- KEY"), "\(command): \(help.stdout)")
        }
    }

    /// The command printed to resolve siblings of such a key works when pasted: options before `--`.
    @Test func theResolveCommandOfADashKeyPutsItAfterTheEndOfOptions() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        for value in ["a", "b"] { #expect(try kvortex(["set", "--node", address, "--", "-x", value]).status == 0) }
        let get = try kvortex(["get", "--node", address, "--", "-x"])
        let context = try #require(get.stdout.split(separator: "\n").first { $0.hasPrefix("context: ") }?.dropFirst(9), "\(get.stdout)")
        #expect(get.stdout.contains(" set --context \(context) --node \(address) -- -x MERGED_VALUE\n"), "\(get.stdout)")
        #expect(try kvortex(["set", "--context", String(context), "--node", address, "--", "-x", "merged"]).status == 0)
        #expect(try kvortex(["get", "--node", address, "--", "-x"]).stdout == "merged")
        #expect(node.stop() == 0)
    }
}
