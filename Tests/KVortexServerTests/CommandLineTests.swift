import Foundation
import Testing

/// `kvortex get|set|delete` against a running node: output and exit status.
@Suite(.serialized) struct CommandLineTests {
    typealias Run = CLIRun

    func kvortex(_ arguments: [String], stdin: String? = nil) throws -> Run {
        try CLIRun.kvortex(arguments, stdin: stdin)
    }

    /// `kvortex simulate --jobs 2` runs seeds two at a time and writes exactly what one at a time does.
    @Test func simulateGivesTheSameReportsWhateverTheJobs() throws {
        let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("simulations/steady-state.json").path
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kvortex-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        var reports: [Data] = []
        for jobs in ["1", "2"] {
            let out = base.appendingPathComponent(jobs).path
            let run = try kvortex(["simulate", scenario, "--seeds", "4", "--jobs", jobs, "--out", out])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            reports.append(try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("steady-state.json")))
        }
        #expect(reports[0] == reports[1], "the report depends on --jobs")
        #expect(try kvortex(["simulate", scenario, "--jobs", "0"]).status == 2, "a bad --jobs is refused")
    }

    @Test func setGetDeleteFromTheCommandLine() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let set = try kvortex(["set", "cli key", "hello", "--node", address])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(!set.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "set prints the context")
        let get = try kvortex(["get", "cli key", "--node", address])
        #expect(get.status == 0)
        #expect(get.stdout == "hello")
        #expect(get.stderr.contains("context: "))

        let piped = try kvortex(["set", "cli key", "-", "--node", address], stdin: "from stdin")
        #expect(piped.status == 0)
        let siblings = try kvortex(["get", "cli key", "--node", address])
        #expect(siblings.status == 0)
        #expect(siblings.stdout.contains("2 siblings"))
        #expect(siblings.stdout.contains("hello") && siblings.stdout.contains("from stdin"))
        let context = try #require(siblings.stdout.split(separator: "\n").first { $0.hasPrefix("context: ") }?.dropFirst(9))
        #expect(siblings.stdout.contains(" set 'cli key' MERGED_VALUE --context \(context) --node \(address)\n"),
                "the hint is a command to paste, with the real key quoted and the --node used: \(siblings.stdout)")
        #expect(try kvortex(["set", "cli key", "merged", "--context", String(context), "--node", address]).status == 0)
        #expect(try kvortex(["get", "cli key", "--node", address]).stdout == "merged")

        #expect(try kvortex(["delete", "cli key", "--node", address]).status == 0)
        let missing = try kvortex(["get", "cli key", "--node", address])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not found"))
    }

    @Test func errorsExitNonZero() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        #expect(try kvortex(["get", "--node", address]).status == 2)
        #expect(try kvortex(["get", "k", "--bogus"]).status == 2)
        #expect(try kvortex(["get", "k", "--node", "127.0.0.1:1"]).status == 2, "unreachable node")
        #expect(try kvortex(["serve", "--help"]).stdout.contains("--max-memory"))
    }

    /// A flag value the node would refuse is bad usage of the command line: exit 2 before any request,
    /// naming the valid values, like every other usage error (an unknown flag, a missing KEY).
    @Test func anInvalidFlagValueIsBadUsageNotANodeRefusal() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let most = try kvortex(["get", "k", "--node", address, "--consistency", "most"])
        #expect(most.status == 2, "\(most.stderr)")
        #expect(most.stderr.hasPrefix("kvortex get: --consistency must be one, two, quorum or all, got 'most'\n"), "\(most.stderr)")
        #expect(most.stderr.contains("Try: kvortex get --help"))
        #expect(most.stdout.isEmpty)
        for arguments in [["set", "k", "v", "--consistency", "most"], ["delete", "k", "--consistency", ""],
                          ["set", "k", "v", "--ttl", "0"], ["get", "k", "--timeout-ms", "soon"],
                          ["get", "k", "--ttl", "5"], ["delete", "k", "--json"], ["set", "k", "v", "--json"]] {
            let run = try kvortex(arguments + ["--node", address])
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
        }
        let upper = try kvortex(["get", "k", "--node", address, "--consistency", "ALL"])
        #expect(upper.status == 1 && upper.stderr.contains("not found"), "the node reads the level in any case: \(upper.stderr)")
        #expect(node.stop() == 0)
    }

    /// `-h` is help and a stray word is bad usage for bench too: neither starts a ten-second load.
    @Test func benchTakesDashHAndRefusesStrayWords() throws {
        let help = try kvortex(["bench", "-h"])
        #expect(help.status == 0 && help.stdout.hasPrefix("Usage: kvortex bench"), "\(help.stdout)")
        let stray = try kvortex(["bench", "get", "--node", "127.0.0.1:1"])
        #expect(stray.status == 2, "\(stray.stdout)\(stray.stderr)")
        #expect(stray.stderr.contains("unexpected argument 'get'"), "\(stray.stderr)")
    }

    /// `kvortex serve --help` names every flag serve accepts and calls none unavailable that works.
    @Test func serveHelpExplainsEveryFlag() throws {
        let help = try kvortex(["serve", "--help"]).stdout
        let flags = ["node-id", "http", "peer", "seeds", "replicas", "read-quorum", "write-quorum", "conflicts", "storage",
                     "data-dir", "cache-bytes", "max-memory", "auth-token-file", "cluster-secret-file", "siblings-max",
                     "timeout-ms", "loops", "connections-max", "shutdown-grace-ms", "value-bytes-max", "fsync",
                     "enable-fault-injection", "protect-metrics"]
        for flag in flags {
            #expect(help.contains("  --\(flag) "), "serve --help explains --\(flag)")
        }
        let unavailable = help.split(separator: "\n").filter { $0.contains("not available") }
        #expect(unavailable.isEmpty, "\(unavailable)")
    }
}
