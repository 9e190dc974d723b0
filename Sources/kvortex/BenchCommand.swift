import Foundation
import KVortexNet
import Synchronization

/// `kvortex bench`: a simple closed-loop load generator over keep-alive connections, and the
/// preloader `make bench` uses. For published figures use `make bench` (wrk, anchors, ratios).
enum BenchCommand {
    static let valueFlags: Set<String> = ["node", "ops", "connections", "duration", "value-size", "keys"]

    static let help = """
        Usage: kvortex bench [--node HOST:PORT] [--ops get|set|mixed] [--connections C] [--duration S]
                             [--value-size B] [--keys K] [--preload]

        Runs C connections (default 16), each sending requests back to back for S seconds (default 10)
        over keys key0..key(K-1) (default 10000) with B-byte values (default 100); prints requests/s
        and latency percentiles. --preload writes every key once and exits, printing progress
        (over one connection unless --connections is given). GET and SET use /get?key= and /set?key=; mixed is 90% GET.
        """

    static func run(_ words: [String]) -> Int32 {
        if words.contains("--help") { print(help); return 0 }
        do {
            let arguments = try Arguments(words, valueFlags: valueFlags, switchFlags: ["preload"])
            let (host, port) = try Arguments.hostPort(arguments.string("node") ?? "127.0.0.1:8080", flag: "--node")
            let keys = try arguments.int("keys", range: 1...100_000_000) ?? 10_000
            let valueSize = try arguments.int("value-size", range: 0...(16 << 20)) ?? 100
            if arguments.has("preload") {
                try preload(host: host, port: port, keys: keys, valueSize: valueSize,
                            connections: try arguments.int("connections", range: 1...4096) ?? 1)
                return 0
            }
            let ops = arguments.string("ops") ?? "get"
            guard ["get", "set", "mixed"].contains(ops) else {
                throw Arguments.Failure(description: "--ops must be get, set or mixed, got '\(ops)'")
            }
            let load = Load(host: host, port: port, ops: ops, keys: keys, valueSize: valueSize,
                            connections: try arguments.int("connections", range: 1...4096) ?? 16,
                            durationSeconds: try arguments.int("duration", range: 1...3600) ?? 10)
            try load.run()
            return 0
        } catch {
            Terminal.error("kvortex bench: \(error)\n")
            return 2
        }
    }

    /// Writes key0..key(K-1) once over `connections` connections (key i on connection i mod C),
    /// printing progress every tenth.
    static func preload(host: String, port: Int, keys: Int, valueSize: Int, connections: Int) throws {
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        let step = max(1, keys / 10)
        let written = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let group = DispatchGroup()
        for worker in 0..<min(connections, keys) {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let client = try HTTPClient(host: host, port: port, timeoutMs: 10_000)
                    for index in stride(from: worker, to: keys, by: connections) {
                        guard failure.withLock({ $0 == nil }) else { return }
                        let response = try client.request(method: .post, target: "/set?key=key\(index)", headers: [], body: value)
                        guard response.status == 204 else {
                            failure.withLock { $0 = "preload of key\(index) answered HTTP \(response.status)" }
                            return
                        }
                        let done = written.wrappingAdd(1, ordering: .relaxed).newValue
                        if done % step == 0 { Terminal.error("preloaded \(done)/\(keys) keys\n") }
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? "preload: \(error)" }
                }
            }.start()
        }
        group.wait()
        if let message = failure.withLock({ $0 }) { throw Arguments.Failure(description: message) }
    }
}

/// The closed-loop load of `kvortex bench`.
struct Load: Sendable {
    let host: String
    let port: Int
    let ops: String
    let keys: Int
    let valueSize: Int
    let connections: Int
    let durationSeconds: Int

    func run() throws {
        let latencies = Mutex<[UInt32]>([])
        let failures = Atomic<Int>(0)
        let deadline = Date().addingTimeInterval(Double(durationSeconds))
        let started = Date()
        let group = DispatchGroup()
        for worker in 0..<connections {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                let local = self.work(worker: worker, until: deadline, failures: failures)
                latencies.withLock { $0.append(contentsOf: local) }
            }
            thread.start()
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(started)
        let sorted = latencies.withLock { $0.sorted() }
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
        }
        print(String(format: "%@ %d conns %ds: %.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  failures %d",
                     ops, connections, durationSeconds, Double(sorted.count) / elapsed,
                     percentile(0.5), percentile(0.99), percentile(0.999), failures.load(ordering: .relaxed)))
    }

    private func work(worker: Int, until deadline: Date, failures: borrowing Atomic<Int>) -> [UInt32] {
        guard let client = try? HTTPClient(host: host, port: port, timeoutMs: 10_000) else {
            failures.wrappingAdd(1, ordering: .relaxed)
            return []
        }
        var state = UInt64(worker) &* 0x9E37_79B9_7F4A_7C15 | 1
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        var local: [UInt32] = []
        local.reserveCapacity(100_000)
        while Date() < deadline {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let key = Int(state % UInt64(keys))
            let isSet = ops == "set" || (ops == "mixed" && state % 10 == 0)
            let begin = DispatchTime.now().uptimeNanoseconds
            let response = isSet
                ? try? client.request(method: .post, target: "/set?key=key\(key)", headers: [], body: value)
                : try? client.request(method: .get, target: "/get?key=key\(key)", headers: [], body: [])
            let micros = (DispatchTime.now().uptimeNanoseconds - begin) / 1000
            if let response, response.status < 500 {
                local.append(UInt32(clamping: micros))
            } else {
                failures.wrappingAdd(1, ordering: .relaxed)
            }
        }
        return local
    }
}
