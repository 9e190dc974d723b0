import Testing
@testable import KVortexSimulation

/// Checkers that cannot fail are worthless: each planted bug must be caught within a few seeds.
@Suite struct PlantedBugTests {
    static let seedsMax: UInt64 = 20

    func firstSeedCaught(_ name: String, bug: String, matching text: String, keys: Int? = nil) throws -> UInt64? {
        var scenario = try ScenarioFiles.load(name)
        scenario.plantedBugs = [bug]
        if let keys { scenario.keys = keys }
        for seed in 1...Self.seedsMax {
            let report = SimulationRunner.run(scenario, seed: seed)
            if report.violations.contains(where: { $0.contains(text) }) { return seed }
        }
        return nil
    }

    /// A restarted memory node lost what it held before. A later write repairs a key too (the
    /// coordinator sends its whole object), so the scenario spreads the load over 300 keys: keys not
    /// written after the restart come back only through read repair (anti-entropy comes later), and
    /// skipping it leaves their replicas diverged.
    @Test func skippedReadRepairIsCaughtByConvergence() throws {
        #expect(try firstSeedCaught("crash-restart-amnesia", bug: "skipReadRepair", matching: "convergence", keys: 300) != nil)
        var clean = try ScenarioFiles.load("crash-restart-amnesia")
        clean.keys = 300
        for seed in 1...3 as ClosedRange<UInt64> {
            #expect(SimulationRunner.run(clean, seed: seed).violations.isEmpty, "300 keys, seed \(seed), no bug")
        }
    }

    /// Writes from the cut-off side whose primaries are all across the partition are acknowledged by
    /// stand-ins only; if stand-ins drop hints, those writes are gone.
    @Test func droppedHintsAreCaughtAsLostWrites() throws {
        #expect(try firstSeedCaught("minority-partition", bug: "dropHints", matching: "lost write") != nil)
    }

    /// Blind writes minted from the context alone reuse dots, so one overwrites another.
    @Test func reusedDotsAreCaughtAsLostWrites() throws {
        #expect(try firstSeedCaught("steady-state", bug: "mintFromContextOnly", matching: "lost write") != nil)
    }

    /// Reads that stop at the first reply miss writes the read quorum would have met.
    @Test func readsIgnoringRAreCaughtAsStaleReads() throws {
        #expect(try firstSeedCaught("steady-state", bug: "readQuorumOfOne", matching: "stale read") != nil)
    }

    /// Stand-ins on the far side of a partition hold hints for the node that leaves across it; if they
    /// keep them instead of handing them to the keys' current replicas, they hold them for good.
    @Test func hintsKeptForADepartedNodeAreCaughtAsStuck() throws {
        #expect(try firstSeedCaught("leave-during-partition", bug: "keepHintsForDeparted", matching: "stuck hints") != nil)
    }

    /// A node that left but is never retired stays `leaving` in the member lists.
    @Test func departedNodesNeverRetiredAreCaughtByMembership() throws {
        #expect(try firstSeedCaught("leave-under-load", bug: "neverRetireDeparted", matching: "still lists n4 (leaving)") != nil)
    }

    /// Tombstones reaped on the grace alone, without asking the other primaries (as before confirmed
    /// reaps): the node cut off while its deletes' hints were dropped brings the old values back.
    /// The scenario is clean without the bug (`scenarioHoldsOverManySeeds`, and below).
    @Test func reapsWithoutConfirmationAreCaughtAsResurrectedDeletes() throws {
        #expect(try firstSeedCaught("deletes-reaping", bug: "reapWithoutConfirmation", matching: "resurrected delete") != nil)
        let clean = try ScenarioFiles.load("deletes-reaping")
        for seed in 1...3 as ClosedRange<UInt64> {
            let report = SimulationRunner.run(clean, seed: seed)
            #expect(report.violations.isEmpty, "seed \(seed), no bug: \(report.violations.prefix(3))")
            #expect((report.reapsConfirmed ?? 0) > 0, "seed \(seed): the scenario reaps")
            #expect((report.reapsRefused ?? 0) + (report.reapsDeferred ?? 0) > 0, "seed \(seed): and some reaps wait")
        }
    }

    /// Without bugs the same scenarios are clean (so the catches above are the bugs, not noise).
    @Test func theSameScenariosAreCleanWithoutBugs() throws {
        for name in ["crash-restart-amnesia", "minority-partition", "steady-state", "leave-under-load", "leave-during-partition"] {
            let scenario = try ScenarioFiles.load(name)
            for seed in 1...5 as ClosedRange<UInt64> {
                #expect(SimulationRunner.run(scenario, seed: seed).violations.isEmpty, "\(name) seed \(seed)")
            }
        }
    }
}
