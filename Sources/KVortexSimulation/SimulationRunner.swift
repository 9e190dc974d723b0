/// Runs scenarios over seeds; what `kvortex simulate` and the tests call.
public enum SimulationRunner {
    public static func run(_ scenario: Scenario, seed: UInt64) -> SimulationReport {
        Simulator(scenario: scenario, seed: seed).run()
    }
}
