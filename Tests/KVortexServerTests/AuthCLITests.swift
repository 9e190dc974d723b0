import Foundation
import Testing

/// Every client command against a node started with `--auth-token-file`: the token from
/// `--token-file` or from `KVORTEX_TOKEN` (the flag wins), and a clear message with exit status 1
/// when the node refuses it.
@Suite(.serialized) struct AuthCLITests {
    /// The variable the commands read; removed unless a test sets it, whatever the test runner's own.
    static let variable = "KVORTEX_TOKEN"

    /// Runs `kvortex arguments` with `KVORTEX_TOKEN` set to `environmentToken`, or unset.
    static func kvortex(_ arguments: [String], environmentToken: String? = nil) throws -> CLIRun {
        try CLIRun.kvortex(arguments, environment: [variable: environmentToken])
    }

    static let missingTokenMessage = "401 unauthorized: this node needs a token: pass --token-file F or set KVORTEX_TOKEN\n"

    @Test func keyCommandsTakeTheTokenFromTheFlagOrTheEnvironment() throws {
        let files = try TokenFiles()
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile()])
        let address = "\(node.host):\(node.port)"
        let clientFile = try files.clientFile(TokenFiles.client)
        let wrongFile = try files.clientFile(TokenFiles.wrong)

        for arguments in [["get", "k"], ["set", "k", "v"], ["delete", "k"]] {
            let run = try Self.kvortex(arguments + ["--node", address])
            #expect(run.status == 1, "\(arguments): \(run.stdout)\(run.stderr)")
            #expect(run.stderr == "kvortex \(arguments[0]): " + Self.missingTokenMessage, "\(arguments): \(run.stderr)")
        }
        let set = try Self.kvortex(["set", "k", "from the flag", "--node", address, "--token-file", clientFile])
        #expect(set.status == 0, "\(set.stderr)")
        let get = try Self.kvortex(["get", "k", "--node", address], environmentToken: TokenFiles.client)
        #expect(get.status == 0 && get.stdout == "from the flag", "\(get.stdout)\(get.stderr)")
        let admin = try Self.kvortex(["get", "k", "--node", address], environmentToken: TokenFiles.admin)
        #expect(admin.status == 0, "the admin token opens the client endpoints: \(admin.stderr)")

        let wins = try Self.kvortex(["get", "k", "--node", address, "--token-file", clientFile], environmentToken: TokenFiles.wrong)
        #expect(wins.status == 0 && wins.stdout == "from the flag", "the flag wins over KVORTEX_TOKEN: \(wins.stderr)")
        let wrongVariable = try Self.kvortex(["get", "k", "--node", address], environmentToken: TokenFiles.wrong)
        #expect(wrongVariable.status == 1)
        #expect(wrongVariable.stderr == "kvortex get: 403 forbidden: the bearer token is not one this node accepts "
            + "(the token came from KVORTEX_TOKEN)\n", "\(wrongVariable.stderr)")
        let wrongFlag = try Self.kvortex(["delete", "k", "--node", address, "--token-file", wrongFile], environmentToken: TokenFiles.client)
        #expect(wrongFlag.status == 1 && wrongFlag.stderr.contains("(the token came from --token-file \(wrongFile))"), "\(wrongFlag.stderr)")
        #expect(try Self.kvortex(["delete", "k", "--node", address], environmentToken: "").stderr.contains("401"),
                "an empty KVORTEX_TOKEN is no token")
        #expect(!(wrongVariable.stderr + wrongFlag.stderr).contains("0123456789"), "the token is never printed")
    }

    @Test func anUnusableTokenFileIsBadUsage() throws {
        let files = try TokenFiles()
        let roles = try files.write("roles", "client \(TokenFiles.client)\n")
        let empty = try files.write("empty", "# nothing\n")
        for (path, message) in [(files.directory + "/missing", "No such file or directory"),
                                (roles, "holds more than one word"), (empty, "holds no token")] {
            let run = try Self.kvortex(["get", "k", "--node", "127.0.0.1:1", "--token-file", path])
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("kvortex get: --token-file \(path)") && run.stderr.contains(message), "\(run.stderr)")
        }
        let file = try files.write("commented", "# the client token\n\n  \(TokenFiles.client)  \r\n")
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile()])
        let run = try Self.kvortex(["set", "k", "v", "--node", "\(node.host):\(node.port)", "--token-file", file])
        #expect(run.status == 0, "comments, blank lines and blanks around the token are skipped: \(run.stderr)")
    }

    @Test func clusterCommandsNeedTheAdminTokenToChangeMembership() throws {
        let files = try TokenFiles()
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile()])
        let address = "\(node.host):\(node.port)"
        let clientFile = try files.clientFile(TokenFiles.client)
        let adminFile = try files.clientFile(TokenFiles.admin)

        for subcommand in [["status"], ["ring"], ["join", "127.0.0.1:1"], ["leave"]] {
            let run = try Self.kvortex(["cluster"] + subcommand + ["--node", address])
            #expect(run.status == 1, "\(subcommand): \(run.stdout)\(run.stderr)")
            #expect(run.stderr == "kvortex cluster \(subcommand[0]): " + Self.missingTokenMessage, "\(run.stderr)")
        }
        let status = try Self.kvortex(["cluster", "status", "--node", address, "--token-file", clientFile])
        #expect(status.status == 0 && status.stdout.contains("ready: yes"), "\(status.stdout)\(status.stderr)")
        let ring = try Self.kvortex(["cluster", "ring", "--node", address], environmentToken: TokenFiles.client)
        #expect(ring.status == 0, "\(ring.stderr)")
        for subcommand in [["join", "127.0.0.1:1"], ["leave"]] {
            let run = try Self.kvortex(["cluster"] + subcommand + ["--node", address, "--token-file", clientFile])
            #expect(run.status == 1)
            #expect(run.stderr == "kvortex cluster \(subcommand[0]): 403 forbidden: this endpoint needs the admin token; "
                + "the bearer token sent is the client token (the token came from --token-file \(clientFile))\n", "\(run.stderr)")
        }
        let join = try Self.kvortex(["cluster", "join", "127.0.0.1:1", "--node", address, "--token-file", adminFile])
        #expect(join.status == 0 && join.stdout.contains("accepted the request to join"), "\(join.stdout)\(join.stderr)")
        let leave = try Self.kvortex(["cluster", "leave", "--node", address], environmentToken: TokenFiles.admin)
        #expect(leave.status == 1 && leave.stderr.contains("409"), "the last member stays, past the token check: \(leave.stderr)")
    }

    /// Bench sends the token on every request (closed loop, open loop, preload): the node counts no
    /// refusal but the one of the run without a token, which stops before any load.
    @Test func benchAgainstAProtectedNode() throws {
        let files = try TokenFiles()
        let node = try NodeProcess(["--auth-token-file", try files.nodeFile(), "--protect-metrics"])
        let address = "\(node.host):\(node.port)"
        let clientFile = try files.clientFile(TokenFiles.client)

        let refused = try Self.kvortex(["bench", "--node", address, "--duration", "1", "--connections", "2"])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr == "kvortex bench: node \(address) answered " + Self.missingTokenMessage, "\(refused.stderr)")
        #expect(!refused.stdout.contains("req/s"), "no load without the token")
        let wrong = try Self.kvortex(["bench", "--node", address, "--rate", "10", "--duration", "1"], environmentToken: TokenFiles.wrong)
        #expect(wrong.status == 1 && wrong.stderr.contains("403 forbidden"), "\(wrong.stderr)")

        let preload = try Self.kvortex(["bench", "--node", address, "--preload", "--keys", "50", "--token-file", clientFile])
        #expect(preload.status == 0, "\(preload.stderr)")
        let closed = try Self.kvortex(["bench", "--node", address, "--duration", "1", "--connections", "2", "--keys", "50",
                                       "--ops", "mixed", "--token-file", clientFile])
        #expect(closed.status == 0 && closed.stdout.contains("req/s") && closed.stdout.contains("failures 0"), "\(closed.stdout)\(closed.stderr)")
        let open = try Self.kvortex(["bench", "--node", "\(address),\(address)", "--rate", "50", "--duration", "1", "--connections", "2",
                                     "--keys", "50", "--ops", "mixed"], environmentToken: TokenFiles.client)
        #expect(open.status == 0, "\(open.stdout)\(open.stderr)")
        #expect(open.stdout.contains(" errors=0 non2xx=0 "), "every request carried the token and found its key: \(open.stdout)")

        let metrics = try node.client().call(.get, "/metrics", headers: TokenFiles.bearer(TokenFiles.admin)).text
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"missing\"} 1\n"), "only the first run's check: \(metrics)")
        #expect(metrics.contains("kvortex_http_auth_failures_total{reason=\"wrong\"} 1\n"), "only the second run's check")
    }

    @Test func everyClientCommandsHelpNamesTheTokenFlag() throws {
        for command in [["get"], ["set"], ["delete"], ["cluster"], ["bench"]] {
            let help = try Self.kvortex(command + ["--help"]).stdout
            #expect(help.contains("--token-file F") && help.contains("KVORTEX_TOKEN"), "\(command) --help")
        }
        let serve = try Self.kvortex(["serve", "--help"]).stdout
        #expect(serve.contains("--auth-token-file F") && serve.contains("--protect-metrics") && serve.contains("admin TOKEN"))
        #expect(try Self.kvortex(["help"]).stdout.contains("KVORTEX_TOKEN"))
    }
}
