import Foundation
import KVortexBench
import KVortexCore
import KVortexNet
import Synchronization

/// `kvortex bench`: a simple closed-loop load generator over keep-alive connections, an open-loop one
/// at a fixed rate (`--rate`, in `BenchCommand+Rate.swift`), and the preloader `make bench` uses. For
/// published figures use `make bench` (wrk, anchors, ratios).
enum BenchCommand {
    static let valueFlags: Set<String> = ["node", "ops", "connections", "duration", "value-size", "keys", "rate", ClientToken.flag]

    static let help = """
        Usage: kvortex bench [--node HOST:PORT[,HOST:PORT...]] [--ops get|set|mixed] [--connections C]
                             [--duration S] [--value-size B] [--keys K] [--rate R] [--preload]
                             [--token-file F]

        Closed loop (no --rate): runs C connections (default 16), each sending requests back to back for
        S seconds (default 10) over keys key0..key(K-1) (default 10000) with B-byte values (default 100);
        prints requests/s and latency percentiles. It measures the server at saturation, and its latency
        leaves out the time a request would have waited while the server stalled (coordinated omission).

        Open loop (--rate R): R requests per second in total, 1..1000000, on a fixed schedule spread
        evenly over the C connections: request n is due n/R s after the start, on connection n mod C;
        connection c goes to the (c mod N)-th of the N --node addresses. A connection sends a request
        when it is due, or when the previous response arrives if that is later, and each latency is
        measured from the time the request was due, not from when it went out: a server that stalls
        shows in the percentiles (coordinated omission corrected, as wrk2 does). One thread drives all
        connections; latencies go to a log-linear histogram (1% precision, fixed memory). Requests still
        waiting for their connection when the S seconds end may go out for up to 5 s more. Prints one line:
          rate=R achieved=(answers/s) connections= scheduled=(R*S) answered= errors=(5xx, timeouts,
          connection errors) non2xx=(4xx, counted as answers) late=(sent more than 1 ms after due)
          late_busy=(late because the connection still awaited the previous response)
          late_generator=(late although the connection was free: the generator fell behind)
          unsent=(never sent) gen_lag_p99= gen_lag_max=(ms the generator itself sent late, over the
          requests whose connection was free: its own share of the latencies) gen_cpu=(its CPU time
          over the run, % of a core) p50= p90= p99= p999= max= (ms, from the due time) verdict=
        verdict is ok, generator-behind (more than 0.1% of requests late by the generator's fault, or
        gen_cpu above 90%: the latencies include its own delay), rate-missed (under 95% of R
        answered, or requests unsent: the server or C connections could not keep up) or failures; each
        but ok adds a WARNING line saying so. Give the generator its own core (taskset) for figures.

        --preload writes every key once and exits, printing progress (over one connection unless
        --connections is given). GET and SET use /get?key= and /set?key=; mixed is 90% GET.

        A node started with --auth-token-file needs a token: --token-file F (the file holds the token
        alone), or the environment variable KVORTEX_TOKEN (the flag wins). Every request carries it as
        Authorization: Bearer TOKEN, written once into the request template. Before the load, one
        GET /get?key=key0 to each node checks that the node takes the token: a 401 or 403 stops the run.

        Exit status: 0 the run finished (its line says how well); 1 the node could not be reached,
        refused the token (401 or 403), no request succeeded (every one failed: 5xx, timeout or
        connection error), or a preload write failed; 2 bad usage.
        """

    static func run(_ words: [String]) -> Int32 {
        if Arguments.asksForHelp(words) { print(help); return 0 }
        do {
            let arguments = try Arguments(words, valueFlags: valueFlags, switchFlags: ["preload"])
            guard arguments.positionals.isEmpty else {
                throw Arguments.Failure(description: "unexpected argument '\(arguments.positionals[0])' (bench takes options only)")
            }
            let node = arguments.string("node") ?? "127.0.0.1:8080"
            let keys = try arguments.int("keys", range: 1...100_000_000) ?? 10_000
            let valueSize = try arguments.int("value-size", range: 0...(16 << 20)) ?? 100
            let token = try ClientToken.resolve(arguments)
            if let rate = try arguments.int("rate", range: 1...RateSchedule.ratePerSecondMax) {
                guard !arguments.has("preload") else { throw Arguments.Failure(description: "--rate and --preload exclude each other") }
                let targets = try targets(node)
                let operation = try operation(arguments)
                for target in targets { try checkAccess(host: target.host, port: target.port, token: token) }
                return try runOpenLoop(arguments, rate: rate, targets: targets, operation: operation,
                                       keys: keys, valueSize: valueSize, token: token)
            }
            guard !node.contains(",") else { throw Arguments.Failure(description: "several --node addresses need --rate") }
            let (host, port) = try Arguments.hostPort(node, flag: "--node")
            let preloading = arguments.has("preload")
            let connections = try arguments.int("connections", range: 1...4096) ?? (preloading ? 1 : 16)
            let operation = try operation(arguments)
            let durationSeconds = try arguments.int("duration", range: 1...3600) ?? 10
            try checkAccess(host: host, port: port, token: token)
            if preloading {
                try preload(host: host, port: port, keys: keys, valueSize: valueSize, connections: connections,
                            headers: ClientToken.headers(token))
                return 0
            }
            let load = ClosedLoopLoad(host: host, port: port, ops: operation.rawValue, keys: keys, valueSize: valueSize,
                                      connections: connections, durationSeconds: durationSeconds,
                                      headers: ClientToken.headers(token))
            try load.run()
            return 0
        } catch let failure as Arguments.Failure {
            Terminal.error("kvortex bench: \(failure)\nTry: kvortex bench --help\n")
            return 2
        } catch {
            // The node could not be reached, or the run measured nothing: not a success.
            Terminal.error("kvortex bench: \(error)\n")
            return 1
        }
    }

    static func operation(_ arguments: Arguments) throws(Arguments.Failure) -> BenchOperation {
        let ops = arguments.string("ops") ?? "get"
        guard let operation = BenchOperation(rawValue: ops) else {
            throw Arguments.Failure(description: "--ops must be get, set or mixed, got '\(ops)'")
        }
        return operation
    }

    /// A write of the preload that failed: the node's answer or the connection's error, not bad usage.
    struct PreloadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes key0..key(K-1) once over `connections` connections (key i on connection i mod C),
    /// printing progress every tenth.
    static func preload(host: String, port: Int, keys: Int, valueSize: Int, connections: Int, headers: [(String, String)]) throws {
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        let step = max(1, keys / 10)
        let written = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let group = DispatchGroup()
        for worker in 0..<min(connections, keys) {
            group.enter()
            Thread {
                defer { group.leave() }
                let client: HTTPClient
                do throws(NetError) {
                    client = try HTTPClient(host: host, port: port, timeoutMs: 10_000)
                } catch {
                    failure.withLock { $0 = $0 ?? "\(ConnectFailure(host: host, port: port, error))" }
                    return
                }
                do {
                    for index in stride(from: worker, to: keys, by: connections) {
                        guard failure.withLock({ $0 == nil }) else { return }
                        let response = try client.request(method: .post, target: "/set?key=key\(index)", headers: headers, body: value)
                        guard response.status == 204 else {
                            failure.withLock { $0 = "preload of key\(index) answered HTTP \(response.status)" }
                            return
                        }
                        let done = written.wrappingAdd(1, ordering: .relaxed).newValue
                        if done % step == 0 { Terminal.error("preloaded \(done)/\(Counted(keys, "key"))\n") }
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? "preload: \(error)" }
                }
            }.start()
        }
        group.wait()
        if let message = failure.withLock({ $0 }) { throw PreloadFailure(description: message) }
    }
}
