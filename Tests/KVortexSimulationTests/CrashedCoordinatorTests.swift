import Testing
@testable import KVortexSimulation

/// A node that crashes drops the connections of the clients talking to it: their operations end as
/// failed (a real client sees the connection reset) and the clients go on with their next one, instead
/// of waiting forever for an answer no node will send.
@Suite struct CrashedCoordinatorTests {
    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func operationsInFlightAtACrashedNodeFailAndTheirClientsGoOn(seed: UInt64) throws {
        let scenario = try ScenarioFiles.load("crash-restart-amnesia")
        let crashMs = try #require(scenario.faults.first { $0.action == "crash" }).atMs
        let crashed = try #require(scenario.faults.first { $0.action == "crash" }?.nodes?.first)
        let simulator = Simulator(scenario: scenario, seed: seed)
        let report = simulator.run()
        #expect(report.violations.isEmpty, "seed \(seed): \(report.violations.prefix(3))")
        let operations = simulator.history.operations
        let open = operations.filter { $0.endMs == nil }
        #expect(open.isEmpty, "seed \(seed): \(open.count) operations never ended, at nodes \(Set(open.map(\.node)))")
        // Those the crash cut: begun at the crashed node before it, ended at it, failed.
        let cut = operations.filter { $0.node == crashed && $0.startMs < crashMs && ($0.endMs ?? .max) >= crashMs }
        #expect(cut.allSatisfy { $0.endMs == crashMs && $0.succeeded == false }, "seed \(seed)")
        // Every client kept working: each began an operation after the node came back.
        let restartMs = try #require(scenario.faults.first { $0.action == "restart" }).atMs
        #expect(operations.filter { $0.startMs > restartMs }.count >= scenario.clients, "seed \(seed)")
    }
}
