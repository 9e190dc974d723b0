import Foundation
import KVortexCore

/// A simulation scenario, read from `simulations/*.json`: the cluster, the workload, the network and
/// a schedule of faults. Every field has a default so a scenario states only what it is about.
public struct Scenario: Codable, Sendable {
    public var name: String
    public var description: String = ""
    public var nodes: Int = 5
    public var replicas: Int = 3
    public var readQuorum: Int = 2
    public var writeQuorum: Int = 2
    public var sloppy: Bool = true
    public var conflicts: String = "siblings"
    public var siblingsMax: Int = 256
    /// Clients issue operations until this virtual time.
    public var durationMs: UInt64 = 10_000
    /// After the faults and the workload: heal, restart, let hints flow, read every key, settle.
    public var settleMs: UInt64 = 6_000
    public var keys: Int = 20
    public var clients: Int = 8
    /// Pause between a client's operations.
    public var thinkMs: UInt64 = 20
    public var timeoutMs: UInt64 = 1_000
    public var mix: Mix = Mix()
    /// Per-operation consistency levels drawn by weight; empty means every operation uses
    /// `readQuorum`, `writeQuorum` and `sloppy` above.
    public var consistency: [Consistency] = []
    public var network: Network = Network()
    public var faults: [Fault] = []
    public var heartbeatIntervalMs: UInt64 = 100
    public var hintsPerTargetMax: Int = 10_000
    /// Grace after which tombstones (and expired values) become reap candidates, reaped once every
    /// other primary confirms (`ReapSettings`); nil (the default) for no reaping at all, as before.
    public var reapGraceMs: UInt64? = nil
    /// Time between two rounds of reap checks of a node.
    public var reapRoundIntervalMs: UInt64 = 200
    /// How long a node remembers a tombstone it reaped (`ReapSettings.reapedMemoryMs`); an hour unless
    /// a scenario makes nodes forget within the run.
    public var reapedMemoryMs: UInt64 = Limits.reapedMemoryMsDefault
    /// Bugs to switch on (`skipReadRepair`, `dropHints`, `mintFromContextOnly`, `readQuorumOfOne`,
    /// `keepHintsForDeparted`, `neverRetireDeparted`, `reapWithoutConfirmation`): checker tests only.
    public var plantedBugs: [String] = []

    public struct Mix: Codable, Sendable {
        public init() {}
        public var blindWrite: Int = 3
        public var readModifyWrite: Int = 3
        public var delete: Int = 1
        public var read: Int = 3
    }

    /// One consistency level clients may use (the per-request headers of API.md).
    public struct Consistency: Codable, Sendable {
        public var readQuorum: Int
        public var writeQuorum: Int
        public var sloppy: Bool = true
        public var weight: Int = 1

        public init(readQuorum: Int, writeQuorum: Int, sloppy: Bool = true, weight: Int = 1) {
            self.readQuorum = readQuorum
            self.writeQuorum = writeQuorum
            self.sloppy = sloppy
            self.weight = weight
        }
    }

    public struct Network: Codable, Sendable {
        public init() {}
        /// `uniform` (between min and max) or `lognormal` (median `latencyMedianMs`, shape
        /// `latencySigma`, clamped to min…max): most messages fast, a long tail of slow ones.
        public var latency: String = "uniform"
        public var latencyMinMs: UInt64 = 1
        public var latencyMaxMs: UInt64 = 5
        public var latencyMedianMs: Double = 2
        public var latencySigma: Double = 0.8
        public var lossRate: Double = 0
        public var duplicateRate: Double = 0
    }

    /// One scheduled fault. `action`: `partition` (groups of node indices; links between groups cut),
    /// `cut` (one-way: `from` → `to` dropped), `heal`, `crash`, `restart` (`nodes`), `skew` (`nodes`,
    /// `skewMs`), `loss` (`rate`), `leave` (`nodes`: a graceful leave, as `POST /cluster/leave`; the
    /// node stops once it has handed off, and stays gone unless a later `restart` rejoins it).
    public struct Fault: Codable, Sendable {
        public var atMs: UInt64
        public var action: String
        public var nodes: [Int]? = nil
        public var groups: [[Int]]? = nil
        public var from: [Int]? = nil
        public var to: [Int]? = nil
        public var skewMs: Int64? = nil
        public var rate: Double? = nil
    }

    public init(name: String) {
        self.name = name
    }

    public var conflictMode: ConflictMode { ConflictMode(rawValue: conflicts) ?? .siblings }

    public var bugs: PlantedBugs {
        var bugs: PlantedBugs = []
        for name in plantedBugs {
            switch name {
            case "skipReadRepair": bugs.insert(.skipReadRepair)
            case "dropHints": bugs.insert(.dropHints)
            case "mintFromContextOnly": bugs.insert(.mintFromContextOnly)
            case "readQuorumOfOne": bugs.insert(.readQuorumOfOne)
            case "keepHintsForDeparted": bugs.insert(.keepHintsForDeparted)
            case "neverRetireDeparted": bugs.insert(.neverRetireDeparted)
            case "reapWithoutConfirmation": bugs.insert(.reapWithoutConfirmation)
            default: break
            }
        }
        return bugs
    }

    /// The reaping of the scenario's nodes: confirmed, with `reapGraceMs`; off without it. The
    /// backstop is never reached in a run (a day).
    public var reapSettings: ReapSettings {
        guard let reapGraceMs else { return ReapSettings() }
        return ReapSettings(isConfirming: true, graceMs: reapGraceMs, backstopMs: 86_400_000,
                            roundIntervalMs: reapRoundIntervalMs, checkTimeoutMs: min(timeoutMs, 2_000),
                            reapedMemoryMs: reapedMemoryMs)
    }

    /// The end of the last fault, or 0.
    public var faultsEndMs: UInt64 { faults.map(\.atMs).max() ?? 0 }

    /// True when some node leaves: the report then has the figures of leaves.
    public var hasLeaves: Bool { faults.contains { $0.action == "leave" } }

    public static func load(_ path: String) throws -> Scenario {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(Scenario.self, from: data)
    }
}
