import Foundation
import Testing

/// `kvortex bench --rate` against a real node started on a free port: the line parses and its counts
/// add up. No assertion on latency values (the machine may be busy); only on counts and their order.
@Suite(.serialized) struct BenchRateProcessTests {
    typealias Run = CLIRun

    func kvortex(_ arguments: [String]) throws -> Run {
        try CLIRun.kvortex(arguments)
    }

    /// The `name=value` fields of the `open-loop` line of `stdout`.
    func fields(_ stdout: String) throws -> [String: String] {
        let line = try #require(stdout.split(separator: "\n").first { $0.hasPrefix("open-loop ") }, "no open-loop line in: \(stdout)")
        var fields: [String: String] = [:]
        for word in line.split(separator: " ") where word.contains("=") {
            let parts = word.split(separator: "=", maxSplits: 1)
            fields[String(parts[0])] = String(parts[1])
        }
        return fields
    }

    func milliseconds(_ text: String?) -> Double? {
        guard let text, text.hasSuffix("ms") else { return nil }
        return Double(text.dropLast(2))
    }

    @Test func openLoopRunPrintsALineWhoseCountsAddUp() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let preload = try kvortex(["bench", "--node", address, "--preload", "--keys", "200"])
        #expect(preload.status == 0, "\(preload.stderr)")
        let run = try kvortex(["bench", "--node", address, "--rate", "200", "--duration", "2", "--connections", "4", "--keys", "200"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("open-loop get 1 node 2s: "), "one node, in the singular: \(run.stdout)")
        let line = try fields(run.stdout)
        let counts = try ["rate", "achieved", "connections", "scheduled", "answered", "errors", "non2xx", "late",
                          "late_busy", "late_generator", "unsent"].map { name in try #require(line[name].flatMap { Int($0) }, "\(name) in \(line)") }
        let (rate, achieved, scheduled, answered, errors, non2xx, unsent) = (counts[0], counts[1], counts[3], counts[4], counts[5], counts[6], counts[10])
        #expect(rate == 200 && counts[2] == 4 && scheduled == 400)
        #expect(errors == 0 && non2xx == 0, "every key was preloaded: \(line)")
        #expect(answered + errors + unsent == scheduled, "\(line)")
        #expect(answered >= 200, "a node answers 200 GETs a second even on a busy machine: \(line)")
        #expect(achieved <= rate, "answers per second cannot exceed the schedule: \(line)")
        #expect(counts[7] == counts[8] + counts[9], "late = late_busy + late_generator: \(line)")
        let percentiles = ["p50", "p90", "p99", "p999", "max"].compactMap { milliseconds(line[$0]) }
        #expect(percentiles.count == 5, "\(line)")
        #expect(percentiles == percentiles.sorted(), "percentiles in order: \(line)")
        let verdict = try #require(line["verdict"])
        #expect(["ok", "generator-behind", "rate-missed", "failures"].contains(verdict))
        #expect((verdict == "ok") == !run.stdout.contains("WARNING:"), "a warning exactly when the verdict is not ok")
    }

    /// Two addresses (the same node twice): connections alternate between them.
    @Test func openLoopRunSpreadsOverSeveralNodes() throws {
        let node = try NodeProcess()
        let address = "\(node.host):\(node.port)"
        let run = try kvortex(["bench", "--node", "\(address),\(address)", "--rate", "50", "--duration", "1", "--ops", "set", "--connections", "2"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("open-loop set 2 nodes 1s: "))
        let line = try fields(run.stdout)
        #expect(line["scheduled"] == "50")
        #expect(line["answered"].flatMap { Int($0) }.map { $0 >= 25 } == true, "\(line)")
    }

    @Test func helpAndBadArguments() throws {
        let help = try kvortex(["bench", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--rate R") && help.stdout.contains("coordinated omission"))
        #expect(try kvortex(["bench", "--rate", "0"]).status == 2, "a rate of 0 is refused")
        #expect(try kvortex(["bench", "--rate", "10", "--preload"]).status == 2)
        #expect(try kvortex(["bench", "--node", "127.0.0.1:1,127.0.0.1:2", "--duration", "1"]).status == 2,
                "several nodes only in the open-loop mode")
    }
}
