import Testing
@testable import KVortexSimulation

/// The leave fault's other paths, on `leave-under-load` with its schedule changed: a node that left
/// and is restarted rejoins as a member, a node that crashes while leaving comes back as a member,
/// and two nodes may leave at once. Every run must pass every checker, membership's included.
@Suite struct LeaveVariantTests {
    static let seeds: ClosedRange<UInt64> = 1...3

    static func run(_ faults: [Scenario.Fault]) throws -> [SimulationReport] {
        var scenario = try ScenarioFiles.load("leave-under-load")
        scenario.faults = faults
        return seeds.map { SimulationRunner.run(scenario, seed: $0) }
    }

    static func fault(_ atMs: UInt64, _ action: String, _ nodes: [Int]) -> Scenario.Fault {
        Scenario.Fault(atMs: atMs, action: action, nodes: nodes)
    }

    @Test func aNodeThatLeftRejoinsWhenRestarted() throws {
        for report in try Self.run([Self.fault(1_500, "leave", [4]), Self.fault(4_000, "restart", [4])]) {
            #expect(report.violations.isEmpty, "rejoin, seed \(report.seed): \(report.violations.prefix(3))")
            #expect(report.leavesCompleted == 1, "rejoin, seed \(report.seed)")
        }
    }

    @Test func aNodeThatCrashesWhileLeavingComesBackAsAMember() throws {
        let faults = [Self.fault(2_000, "leave", [4]), Self.fault(2_020, "crash", [4]), Self.fault(3_000, "restart", [4])]
        for report in try Self.run(faults) {
            #expect(report.violations.isEmpty, "crash while leaving, seed \(report.seed): \(report.violations.prefix(3))")
            #expect(report.leavesCompleted == 0, "crash while leaving, seed \(report.seed)")
        }
    }

    @Test func twoNodesLeaveAtOnce() throws {
        for report in try Self.run([Self.fault(2_000, "leave", [3, 4])]) {
            #expect(report.violations.isEmpty, "two leave, seed \(report.seed): \(report.violations.prefix(3))")
            #expect(report.leavesCompleted == 2, "two leave, seed \(report.seed)")
        }
    }
}
