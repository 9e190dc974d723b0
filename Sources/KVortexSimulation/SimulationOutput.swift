import Foundation
import KVortexCore

/// Summaries, JSON reports and SVG charts of simulation runs, for `kvortex simulate`.
public enum SimulationOutput {
    /// One scenario's runs over several seeds, with aggregate figures.
    public struct ScenarioSummary: Codable, Sendable {
        public var scenario: String
        public var description: String
        public var seeds: [UInt64]
        public var failedSeeds: [UInt64]
        public var operations: Int
        public var succeeded: Int
        public var readAvailabilityDuringFaults: Double?
        public var writeAvailabilityDuringFaults: Double?
        public var latencyP50MsMedian: UInt64
        public var latencyP99MsMax: UInt64
        public var siblingsSeenMax: Int
        public var hintsStored: UInt64
        public var hintsDelivered: UInt64
        public var hintsDropped: UInt64
        public var readRepairs: UInt64
        public var writesLostToLWW: Int
        /// Scenarios with leaves only: totals of the runs' figures of the same names.
        public var leavesCompleted: Int?
        public var objectsHandedOff: UInt64?
        public var hintsRedirected: UInt64?
        public var messagesSent: Int
        public var simulatedMs: UInt64
        public var runs: [SimulationReport]
    }

    public static func summarize(_ scenario: Scenario, _ reports: [SimulationReport]) -> ScenarioSummary {
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        func total<T: AdditiveArithmetic>(_ values: [T?]) -> T? {
            values.contains { $0 != nil } ? values.reduce(T.zero) { $0 + ($1 ?? T.zero) } : nil
        }
        let p50s = reports.map(\.latencyP50Ms).sorted()
        return ScenarioSummary(
            scenario: scenario.name, description: scenario.description, seeds: reports.map(\.seed),
            failedSeeds: reports.filter { !$0.passed }.map(\.seed),
            operations: reports.reduce(0) { $0 + $1.operations }, succeeded: reports.reduce(0) { $0 + $1.succeeded },
            readAvailabilityDuringFaults: mean(reports.compactMap(\.readAvailabilityDuringFaults)),
            writeAvailabilityDuringFaults: mean(reports.compactMap(\.writeAvailabilityDuringFaults)),
            latencyP50MsMedian: p50s.isEmpty ? 0 : p50s[p50s.count / 2], latencyP99MsMax: reports.map(\.latencyP99Ms).max() ?? 0,
            siblingsSeenMax: reports.map(\.siblingsSeenMax).max() ?? 0,
            hintsStored: reports.reduce(0) { $0 + $1.hintsStored }, hintsDelivered: reports.reduce(0) { $0 + $1.hintsDelivered },
            hintsDropped: reports.reduce(0) { $0 + $1.hintsDropped }, readRepairs: reports.reduce(0) { $0 + $1.readRepairs },
            writesLostToLWW: reports.reduce(0) { $0 + $1.writesLostToLWW },
            leavesCompleted: total(reports.map(\.leavesCompleted)), objectsHandedOff: total(reports.map(\.objectsHandedOff)),
            hintsRedirected: total(reports.map(\.hintsRedirected)), messagesSent: reports.reduce(0) { $0 + $1.messagesSent },
            simulatedMs: reports.reduce(0) { $0 + $1.simulatedMs }, runs: reports)
    }

    /// The lines `kvortex simulate` prints for one scenario.
    public static func text(_ summary: ScenarioSummary, wallSeconds: Double) -> String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a (no faults)" }
        let verdict = summary.failedSeeds.isEmpty ? "PASS" : "FAIL (\(summary.failedSeeds.count) of \(Counted(summary.seeds.count, "seed")))"
        var lines = [
            "== \(summary.scenario): \(verdict)",
            "   seeds \(summary.seeds.first ?? 0)…\(summary.seeds.last ?? 0) (\(summary.seeds.count)); ops \(summary.operations), acknowledged \(summary.succeeded)",
            "   availability during faults: reads \(percent(summary.readAvailabilityDuringFaults)), writes \(percent(summary.writeAvailabilityDuringFaults))",
            "   virtual latency p50 \(summary.latencyP50MsMedian) ms (median of seeds), p99 \(summary.latencyP99MsMax) ms (worst seed)",
            "   siblings seen up to \(summary.siblingsSeenMax); hints stored \(summary.hintsStored), delivered \(summary.hintsDelivered), dropped at the bound \(summary.hintsDropped); read repairs \(summary.readRepairs)",
            String(format: "   %d messages, %.1f simulated s in %.2f wall s (%.0f× real time, %.0f messages/s)",
                   summary.messagesSent, Double(summary.simulatedMs) / 1000, wallSeconds,
                   Double(summary.simulatedMs) / 1000 / max(wallSeconds, 1e-9), Double(summary.messagesSent) / max(wallSeconds, 1e-9)),
        ]
        if let leaves = summary.leavesCompleted {
            lines.append("   leaves completed \(leaves); objects handed off \(summary.objectsHandedOff ?? 0), hints redirected to current replicas \(summary.hintsRedirected ?? 0)")
        }
        let reaped = summary.runs.compactMap(\.reapsConfirmed)
        if !reaped.isEmpty {
            func sum(_ values: [UInt64?]) -> UInt64 { values.reduce(0) { $0 + ($1 ?? 0) } }
            lines.append("   tombstones reaped once confirmed \(reaped.reduce(0, +)); reaps deferred \(sum(summary.runs.map(\.reapsDeferred))), refused \(sum(summary.runs.map(\.reapsRefused))); stale objects dropped \(sum(summary.runs.map(\.staleObjectsDropped)))")
        }
        if summary.writesLostToLWW > 0 { lines.append("   acknowledged writes lost to last-write-wins: \(summary.writesLostToLWW)") }
        return lines.joined(separator: "\n")
    }

    /// Writes `NAME.json` (the summary and every run) and `NAME-*.svg` (timelines of the first seed).
    public static func write(_ summary: ScenarioSummary, scenario: Scenario, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: directory.appendingPathComponent("\(summary.scenario).json"))
        guard let run = summary.runs.first else { return }
        let faultSpan: [(from: Double, to: Double)] = scenario.faults.isEmpty ? []
            : [(Double(scenario.faults.map(\.atMs).min()!), Double(scenario.faultsEndMs))]
        let charts: [(String, String, String, (SimulationReport.TimelinePoint) -> Double)] = [
            ("availability", "Availability (acknowledged / attempted), seed \(run.seed)", "fraction", { $0.availability }),
            ("latency", "p99 latency of acknowledged operations, seed \(run.seed)", "virtual ms", { Double($0.latencyP99Ms) }),
            ("hints", "Hint backlog across nodes, seed \(run.seed)", "hints pending", { Double($0.hintsPending) }),
            ("siblings", "Most siblings seen by a read, seed \(run.seed)", "siblings", { Double($0.siblingsSeenMax) }),
        ]
        for (suffix, title, unit, value) in charts {
            var chart = SVGChart(title: "\(summary.scenario): \(title)", unit: unit,
                                 points: run.timeline.map { (Double($0.atMs), value($0)) })
            chart.shaded = faultSpan
            try chart.render().write(to: directory.appendingPathComponent("\(summary.scenario)-\(suffix).svg"), atomically: true, encoding: .utf8)
        }
    }
}
