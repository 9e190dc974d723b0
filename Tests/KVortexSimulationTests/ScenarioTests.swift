import Foundation
import Testing
@testable import KVortexSimulation

/// Every committed scenario over many seeds: no checker may find a violation. A failure names the
/// scenario and seed; `kvortex simulate simulations/NAME.json --seed N` replays it exactly.
@Suite struct ScenarioTests {
    @Test(arguments: ScenarioFiles.names)
    func scenarioHoldsOverManySeeds(name: String) throws {
        let scenario = try ScenarioFiles.load(name)
        for seed in 1...ScenarioFiles.seedCount {
            let report = SimulationRunner.run(scenario, seed: seed)
            #expect(report.violations.isEmpty,
                    "\(name) seed \(seed) (replay: kvortex simulate simulations/\(name).json --seed \(seed)): \(report.violations.prefix(3))")
            #expect(report.operations > 0, "\(name) seed \(seed): the workload ran")
            if !report.violations.isEmpty { return }
        }
    }

    @Test func everyScenarioFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: ScenarioFiles.directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(files == ScenarioFiles.names.sorted())
    }

    @Test func unknownFieldsAndImpossibleQuorumsAreRefused() throws {
        let typo = #"{"name": "t", "nodez": 3}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scenario.self, from: Data(typo.utf8)) }
        let impossible = #"{"name": "t", "nodes": 3, "replicas": 3, "readQuorum": 4}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scenario.self, from: Data(impossible.utf8)) }
        let badFault = #"{"name": "t", "faults": [{"atMs": 1, "action": "explode"}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scenario.self, from: Data(badFault.utf8)) }
        let leaveOfNoOne = #"{"name": "t", "faults": [{"atMs": 1, "action": "leave"}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scenario.self, from: Data(leaveOfNoOne.utf8)) }
        let leaveOfAStranger = #"{"name": "t", "nodes": 3, "replicas": 3, "faults": [{"atMs": 1, "action": "leave", "nodes": [3]}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scenario.self, from: Data(leaveOfAStranger.utf8)) }
    }

    @Test func sloppyQuorumKeepsWritesAvailableAndLWWLosesWhatSiblingsKeep() throws {
        let seeds: ClosedRange<UInt64> = 1...10
        func meanWriteAvailability(_ name: String) throws -> Double {
            let scenario = try ScenarioFiles.load(name)
            let values = seeds.compactMap { SimulationRunner.run(scenario, seed: $0).writeAvailabilityDuringFaults }
            return values.reduce(0, +) / Double(values.count)
        }
        let sloppy = try meanWriteAvailability("minority-partition")
        let strict = try meanWriteAvailability("minority-partition-strict")
        #expect(sloppy > strict, "sloppy \(sloppy) vs strict \(strict)")
        let lww = try seeds.map { SimulationRunner.run(try ScenarioFiles.load("lww-concurrent-writers"), seed: $0).writesLostToLWW }.reduce(0, +)
        let siblings = try seeds.map { SimulationRunner.run(try ScenarioFiles.load("concurrent-writers"), seed: $0).writesLostToLWW }.reduce(0, +)
        #expect(lww > 0, "LWW drops concurrent writes")
        #expect(siblings == 0)
    }
}
