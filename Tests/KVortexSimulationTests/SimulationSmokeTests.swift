import Foundation
import Testing
@testable import KVortexSimulation

@Suite struct SimulationSmokeTests {
    @Test(arguments: ["steady-state", "minority-partition", "minority-partition-strict", "majority-partition", "flapping-links",
                      "crash-restart-amnesia", "clock-skew", "rolling-restart", "long-outage-hint-bound", "concurrent-writers", "lww-concurrent-writers"])
    func scenarioRuns(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("simulations/\(name).json")
        let scenario = try Scenario.load(url.path)
        for seed in 1...3 as ClosedRange<UInt64> {
            let report = SimulationRunner.run(scenario, seed: seed)
            print("\(name) s\(seed): ops \(report.operations) ok \(report.succeeded) rAv \(report.readAvailabilityDuringFaults ?? -1) wAv \(report.writeAvailabilityDuringFaults ?? -1) p99 \(report.latencyP99Ms) msgs \(report.messagesSent) repairs \(report.readRepairs) hints \(report.hintsStored)/\(report.hintsDelivered)/\(report.hintsDropped) lww \(report.writesLostToLWW) sib \(report.siblingsSeenMax)")
            for violation in report.violations.prefix(5) { print(violation) }
            #expect(report.violations.isEmpty)
        }
    }
}
