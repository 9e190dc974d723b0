import Foundation
import KVortexCore
import KVortexNet
import Synchronization

/// The closed-loop load of `kvortex bench`: `connections` threads, each sending requests back to back
/// over its own keep-alive connection until the duration ends.
struct ClosedLoopLoad: Sendable {
    let host: String
    let port: Int
    let ops: String
    let keys: Int
    let valueSize: Int
    let connections: Int
    let durationSeconds: Int
    /// Sent with every request (the bearer token's), built once for the run.
    let headers: [(String, String)]

    /// A run that measured nothing: no request got an answer below 500.
    struct NothingSucceeded: Error, CustomStringConvertible {
        let failureCount: Int
        var description: String {
            "no request succeeded: all \(Counted(failureCount, "request")) failed (5xx, timeout or connection error)"
        }
    }

    /// What the connection threads found, gathered as they finish.
    private struct Outcome {
        var latenciesMicros: [UInt32] = []
        var unconnected: [ConnectFailure] = []
    }

    /// Runs the load and prints its line, with a warning on standard error for connections that could
    /// not connect. Throws `ConnectFailure` when none could (nothing is printed on standard output) and
    /// `NothingSucceeded` when every request failed.
    func run() throws {
        let outcome = Mutex(Outcome())
        let failures = Atomic<Int>(0)
        let deadline = Date().addingTimeInterval(Double(durationSeconds))
        let started = Date()
        let group = DispatchGroup()
        for worker in 0..<connections {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do throws(NetError) {
                    let client = try HTTPClient(host: host, port: port, timeoutMs: 10_000)
                    let local = self.work(client, worker: worker, until: deadline, failures: failures)
                    outcome.withLock { $0.latenciesMicros.append(contentsOf: local) }
                } catch {
                    outcome.withLock { $0.unconnected.append(ConnectFailure(host: host, port: port, error)) }
                }
            }
            thread.start()
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(started)
        let (sorted, unconnected) = outcome.withLock { ($0.latenciesMicros.sorted(), $0.unconnected) }
        if unconnected.count == connections { throw unconnected[0] }
        let failureCount = failures.load(ordering: .relaxed)
        print(line(sorted, elapsedSeconds: elapsed, failureCount: failureCount + unconnected.count))
        if let first = unconnected.first {
            Terminal.error("WARNING: \(unconnected.count) of \(Counted(connections, "connection")) \(first); the others ran\n")
        }
        if sorted.isEmpty { throw NothingSucceeded(failureCount: failureCount) }
    }

    /// `get 16 conns 10s: 41234 req/s  p50 ...  failures 0`; latencies of the answered requests only.
    private func line(_ sorted: [UInt32], elapsedSeconds: Double, failureCount: Int) -> String {
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
        }
        return "\(ops) \(Counted(connections, "conn")) \(durationSeconds)s: "
            + String(format: "%.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  failures %d",
                     Double(sorted.count) / elapsedSeconds, percentile(0.5), percentile(0.99), percentile(0.999), failureCount)
    }

    /// Sends requests on `client` until `deadline`; returns the latencies (µs) of those answered below 500.
    private func work(_ client: HTTPClient, worker: Int, until deadline: Date, failures: borrowing Atomic<Int>) -> [UInt32] {
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
                ? try? client.request(method: .post, target: "/set?key=key\(key)", headers: headers, body: value)
                : try? client.request(method: .get, target: "/get?key=key\(key)", headers: headers, body: [])
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
