import Foundation
import Testing
@testable import KVortexSimulation

@Suite struct DeterminismTests {
    /// The same seed gives the same report, byte for byte; another seed gives another history.
    @Test(arguments: ["minority-partition", "flapping-links", "rolling-restart", "leave-during-partition"])
    func sameSeedSameReport(name: String) throws {
        let scenario = try ScenarioFiles.load(name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let first = try encoder.encode(SimulationRunner.run(scenario, seed: 42))
        let second = try encoder.encode(SimulationRunner.run(scenario, seed: 42))
        let other = try encoder.encode(SimulationRunner.run(scenario, seed: 43))
        #expect(first == second)
        #expect(first != other)
    }
}
