import Glibc
import KVortexCore
import KVortexServer

/// `kvortex serve`: parses flags into a `NodeConfiguration`, runs the node until SIGTERM or SIGINT;
/// SIGHUP reloads `--auth-token-file` and never stops it.
enum ServeCommand {
    static let valueFlags: Set<String> = [
        "node-id", "http", "peer", "seeds", "replicas", "read-quorum", "write-quorum", "conflicts", "storage",
        "data-dir", "cache-bytes", "max-memory", "auth-token-file", "cluster-secret-file", "siblings-max",
        "timeout-ms", "loops", "connections-max", "shutdown-grace-ms", "value-bytes-max", "fsync",
        "tombstone-grace-ms", "tombstone-backstop-ms",
    ]

    static func run(_ words: [String]) -> Int32 {
        if Arguments.asksForHelp(words) {
            print(HelpText.serve)
            return 0
        }
        let configuration: NodeConfiguration
        do {
            configuration = try parse(words)
        } catch {
            Terminal.error("kvortex serve: \(error)\nTry: kvortex serve --help\n")
            return 2
        }
        // Signals are taken synchronously by this thread; block them before any other thread starts.
        // Blocked and taken by sigwait, SIGHUP never ends the process as its default action would.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        let node: NodeRuntime
        let address: (host: String, port: Int)
        do {
            node = try NodeRuntime(configuration: configuration)
            address = try node.start()
        } catch {
            Terminal.error("kvortex serve: \(error)\n")
            return 1
        }
        // A finished leave stops the node by the same path as SIGTERM: the signal is taken below.
        node.whenLeft { _ in _ = kill(getpid(), SIGTERM) }
        Terminal.output("kvortex ready http=\(address.host):\(address.port) peer=\(node.peerAddress) id=\(node.nodeID)")
        let received = waitForStopSignal(&signals, node)
        Terminal.error("kvortex: \(node.stopReason(signal: received)), stopping\n")
        node.stop()
        Terminal.error("kvortex: stopped\n")
        if case .timedOut = node.leaveEnd { return 1 }  // left without handing everything off
        return 0
    }

    /// Takes the signals of `signals` until one that stops the node (SIGTERM, SIGINT) and returns it;
    /// each SIGHUP in between reloads the token file and logs what came of it.
    private static func waitForStopSignal(_ signals: inout sigset_t, _ node: NodeRuntime) -> Int32 {
        var received: Int32 = 0
        while true {
            sigwait(&signals, &received)
            guard received == SIGHUP else { return received }
            Log.line(node.reloadAccessTokens().description)
        }
    }

    static func parse(_ words: [String]) throws -> NodeConfiguration {
        let arguments = try Arguments(words, valueFlags: valueFlags, switchFlags: ["enable-fault-injection", "protect-metrics"])
        guard arguments.positionals.isEmpty else {
            throw Arguments.Failure(description: "unexpected argument '\(arguments.positionals[0])'")
        }
        var configuration = NodeConfiguration()
        if let text = arguments.string("http") {
            (configuration.httpHost, configuration.httpPort) = try Arguments.hostPort(text, flag: "--http")
        }
        if let text = arguments.string("peer") {
            let (host, port) = try Arguments.hostPort(text, flag: "--peer")
            configuration.peerHost = host
            configuration.peerPort = port
        }
        configuration.nodeID = arguments.string("node-id")
        if let text = arguments.string("seeds") {
            configuration.seeds = text.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        }
        configuration.replicaCount = try arguments.int("replicas", range: 1...64) ?? configuration.replicaCount
        configuration.readQuorum = try arguments.int("read-quorum", range: 1...64) ?? configuration.readQuorum
        configuration.writeQuorum = try arguments.int("write-quorum", range: 1...64) ?? configuration.writeQuorum
        if let text = arguments.string("conflicts") {
            guard let mode = ConflictMode(rawValue: text) else {
                throw Arguments.Failure(description: "--conflicts must be siblings or lww, got '\(text)'")
            }
            configuration.conflictMode = mode
        }
        if let text = arguments.string("storage") {
            guard let kind = NodeConfiguration.StorageKind(rawValue: text) else {
                throw Arguments.Failure(description: "--storage must be memory, log or sqlite, got '\(text)'")
            }
            configuration.storage = kind
        }
        configuration.dataDirectory = arguments.string("data-dir")
        configuration.fsync = arguments.string("fsync")
        configuration.cacheBytes = try arguments.bytes("cache-bytes")
        configuration.memoryBytesMax = try arguments.bytes("max-memory")
        configuration.valueBytesMax = try arguments.bytes("value-bytes-max") ?? configuration.valueBytesMax
        configuration.accessTokenFile = arguments.string("auth-token-file")
        configuration.accessTokens = try configuration.accessTokenFile.map(AccessTokens.read)
        configuration.protectMetrics = arguments.has("protect-metrics")
        configuration.clusterSecretFile = arguments.string("cluster-secret-file")
        configuration.enableFaultInjection = arguments.has("enable-fault-injection")
        configuration.siblingsMax = try arguments.int("siblings-max", range: 1...1024) ?? configuration.siblingsMax
        configuration.timeoutMs = try arguments.int("timeout-ms", range: 1...600_000) ?? configuration.timeoutMs
        configuration.loopCount = try arguments.int("loops", range: 0...256) ?? configuration.loopCount
        configuration.connectionsMax = try arguments.int("connections-max", range: 1...1_000_000) ?? configuration.connectionsMax
        configuration.shutdownGraceMs = try arguments.int("shutdown-grace-ms", range: 0...600_000) ?? configuration.shutdownGraceMs
        let dayMs = 24 * 3_600_000
        configuration.tombstoneGraceMs = try arguments.int("tombstone-grace-ms", range: 100...(30 * dayMs))
            .map(UInt64.init) ?? configuration.tombstoneGraceMs
        configuration.tombstoneBackstopMs = try arguments.int("tombstone-backstop-ms", range: 100...(365 * dayMs))
            .map(UInt64.init) ?? configuration.tombstoneBackstopMs
        try configuration.validate()
        return configuration
    }
}
