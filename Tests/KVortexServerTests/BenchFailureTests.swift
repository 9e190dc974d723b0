import KVortexNet
import Testing

/// Answers every request 503, as a node that can reach none of its replicas would.
final class UnavailableHandler: HTTPHandler {
    func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
        .now(.error(status: 503, code: "unavailable", message: "every request fails here"))
    }
}

/// `kvortex bench` reports a run that measured nothing as a failure: exit status 1 and a line on
/// standard error, whether the node cannot be reached or every request fails.
@Suite(.serialized) struct BenchFailureTests {
    /// Nothing listens on port 1 of the loopback: connecting is refused at once.
    static let unreachable = "127.0.0.1:1"

    @Test(arguments: [[String](), ["--rate", "10"]])
    func anUnreachableNodeExitsWithStatus1(mode: [String]) throws {
        let run = try CLIRun.kvortex(["bench", "--node", Self.unreachable, "--duration", "1"] + mode)
        #expect(run.status == 1, "\(mode): \(run.stdout)\(run.stderr)")
        #expect(run.stderr.hasPrefix("kvortex bench: could not connect to \(Self.unreachable): "), "\(mode): \(run.stderr)")
        #expect(!run.stdout.contains("req/s") && !run.stdout.contains("open-loop"), "no figures for a run that did not start: \(run.stdout)")
    }

    @Test(arguments: [[String](), ["--rate", "20"]])
    func aRunWhereEveryRequestFailedExitsWithStatus1(mode: [String]) throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: UnavailableHandler())
        let port = try server.start().port
        defer { server.stop(gracePeriodMs: 1_000) }
        let run = try CLIRun.kvortex(["bench", "--node", "127.0.0.1:\(port)", "--duration", "1", "--connections", "2"] + mode)
        #expect(run.status == 1, "\(mode): \(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("kvortex bench: no request succeeded"), "\(mode): \(run.stderr)")
    }

    @Test func preloadingAnUnreachableNodeExitsWithStatus1() throws {
        let run = try CLIRun.kvortex(["bench", "--node", Self.unreachable, "--preload", "--keys", "10"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("could not connect to \(Self.unreachable)"), "\(run.stderr)")
    }
}
