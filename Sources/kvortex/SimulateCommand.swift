import Dispatch
import Foundation
import KVortexSimulation
import Synchronization

/// `kvortex simulate`: runs scenarios on the deterministic simulator, prints a summary per scenario,
/// writes JSON reports and SVG charts, and prints the replay command of any failing seed.
enum SimulateCommand {
    static let help = """
        Usage: kvortex simulate [SCENARIO.json ...] [--seed S] [--seeds COUNT] [--jobs J] [--out DIR]

        Runs each scenario (default: every simulations/*.json) on seeds S, S+1, … S+COUNT-1 (default S=1,
        COUNT=1) in a seeded, virtual-time cluster of real KVortex nodes, then checks: no acknowledged write
        lost, replicas converge after the faults, no sibling invented, no superseded version resurrected,
        member lists converge (a node that left is gone from them, with no hint left for it).
        Prints a summary per scenario (availability during faults, virtual latency, siblings, hints, read
        repairs, speed) and writes DIR/NAME.json and DIR/NAME-{availability,latency,hints,siblings}.svg
        (default DIR: out/simulate). A failing seed prints the command that replays it exactly; the exit
        status is then 1. Scenario fields: simulations/README.md.

        --jobs J runs J seeds at a time on J threads (default 1, so the speed printed is one core's). Each
        seed's run is independent and deterministic: reports, charts and verdicts are the same for any J.
        """

    static func run(_ words: [String]) -> Int32 {
        if Arguments.asksForHelp(words) { print(help); return 0 }
        do {
            let arguments = try Arguments(words, valueFlags: ["seed", "seeds", "jobs", "out"])
            let first = UInt64(try arguments.int("seed", range: 0...Int.max) ?? 1)
            let count = UInt64(try arguments.int("seeds", range: 1...1_000_000) ?? 1)
            let jobs = try arguments.int("jobs", range: 1...256) ?? 1
            let out = URL(fileURLWithPath: arguments.string("out") ?? "out/simulate")
            let paths = arguments.positionals.isEmpty ? try defaultScenarios() : arguments.positionals
            var failed = false
            for path in paths {
                let scenario = try Scenario.load(path)
                let started = Date()
                let reports = run(scenario, seeds: first..<(first + count), jobs: jobs)
                let summary = SimulationOutput.summarize(scenario, reports)
                let text = SimulationOutput.text(summary, wallSeconds: Date().timeIntervalSince(started))
                print(jobs == 1 ? text : "\(text)\n   (\(jobs) seeds at a time: the speed above is of \(jobs) threads, not one core)")
                try SimulationOutput.write(summary, scenario: scenario, to: out)
                for report in reports where !report.passed {
                    failed = true
                    for violation in report.violations.prefix(5) { print("   ✗ \(violation)") }
                    print("   replay: kvortex simulate \(path) --seed \(report.seed)")
                }
            }
            print("reports and charts in \(out.path)/")
            return failed ? 1 : 0
        } catch {
            Terminal.error("kvortex simulate: \(error)\nTry: kvortex simulate --help")
            return 2
        }
    }

    /// The reports of `seeds`, in seed order, run `jobs` at a time (each thread takes every `jobs`-th seed).
    private static func run(_ scenario: Scenario, seeds: Range<UInt64>, jobs: Int) -> [SimulationReport] {
        guard jobs > 1, seeds.count > 1 else { return seeds.map { SimulationRunner.run(scenario, seed: $0) } }
        let reports = Mutex<[SimulationReport?]>(Array(repeating: nil, count: seeds.count))
        let workers = min(jobs, seeds.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: seeds.count, by: workers) {
                let report = SimulationRunner.run(scenario, seed: seeds.lowerBound + UInt64(index))
                reports.withLock { $0[index] = report }
            }
        }
        return reports.withLock { $0.map { $0! } }
    }

    private static func defaultScenarios() throws -> [String] {
        let directory = "simulations"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw Arguments.Failure(description: "no scenarios in ./\(directory); name scenario files") }
        return files.map { "\(directory)/\($0)" }
    }
}
