import Foundation
@testable import KVortexSimulation

/// The committed scenarios, loaded from `simulations/`.
enum ScenarioFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("simulations")

    static let names = [
        "steady-state", "minority-partition", "minority-partition-strict", "majority-partition", "flapping-links",
        "crash-restart-amnesia", "clock-skew", "rolling-restart", "long-outage-hint-bound", "concurrent-writers",
        "lww-concurrent-writers", "slow-tail-network", "mixed-consistency", "leave-under-load", "leave-during-partition",
        "deletes-reaping",
    ]

    static func load(_ name: String) throws -> Scenario {
        try Scenario.load(directory.appendingPathComponent("\(name).json").path)
    }

    /// Seeds per scenario in `make test`; `make soak` runs thousands.
    static var seedCount: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["KVORTEX_SIM_SEEDS"] ?? "") ?? 50
    }
}
