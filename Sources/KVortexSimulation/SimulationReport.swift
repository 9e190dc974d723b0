import KVortexCore

/// The figures and verdicts of one run; encoded as JSON for `--out`.
public struct SimulationReport: Codable, Sendable {
    public var scenario: String
    public var seed: UInt64
    public var operations = 0
    public var succeeded = 0
    public var readsAttempted = 0
    public var readsSucceeded = 0
    public var writesAttempted = 0
    public var writesSucceeded = 0
    /// Acknowledged / attempted among operations started while faults were active (nil: no faults).
    public var readAvailabilityDuringFaults: Double?
    public var writeAvailabilityDuringFaults: Double?
    public var latencyP50Ms: UInt64 = 0
    public var latencyP99Ms: UInt64 = 0
    public var siblingsSeenMax = 0
    public var readsSeeingSiblings = 0
    public var hintsStored: UInt64 = 0
    public var hintsDelivered: UInt64 = 0
    public var hintsDropped: UInt64 = 0
    public var readRepairs: UInt64 = 0
    public var writesForwarded: UInt64 = 0
    public var messagesSent = 0
    public var messagesLost = 0
    public var simulatedMs: UInt64 = 0
    public var writesLostToLWW = 0
    /// Runs with leaves only (nil otherwise, so other reports keep their shape): leaves that finished
    /// (the node handed off and stopped), objects new owners acknowledged from ownership transfers,
    /// and hints for departed members handed to the keys' current replicas.
    public var leavesCompleted: Int?
    public var objectsHandedOff: UInt64?
    public var hintsRedirected: UInt64?
    /// With reaping (`reapGraceMs`): tombstones reaped once confirmed, reaps deferred (a primary down
    /// or silent) and refused (a primary holding something else), and stale objects the reaped memory
    /// dropped.
    public var reapsConfirmed: UInt64?
    public var reapsDeferred: UInt64?
    public var reapsRefused: UInt64?
    public var staleObjectsDropped: UInt64?
    public var violations: [String] = []
    /// Per 500 ms bucket: availability (0…1) and p99 latency of what succeeded.
    public var timeline: [TimelinePoint] = []

    public struct TimelinePoint: Codable, Sendable {
        public var atMs: UInt64
        public var availability: Double
        public var latencyP99Ms: UInt64
        public var attempted: Int
        public var hintsPending: Int
        public var siblingsSeenMax: Int
    }

    public var passed: Bool { violations.isEmpty }
}

extension Simulator {
    func makeReport() -> SimulationReport {
        var report = SimulationReport(scenario: scenario.name, seed: seed)
        let counts = OperationCounts(history.operations)
        report.operations = history.operations.count
        report.succeeded = counts.reads.succeeded + counts.writes.succeeded
        report.readsAttempted = counts.reads.attempted
        report.readsSucceeded = counts.reads.succeeded
        report.writesAttempted = counts.writes.attempted
        report.writesSucceeded = counts.writes.succeeded
        if !scenario.faults.isEmpty {
            report.readAvailabilityDuringFaults = Self.availability(counts.reads.succeededDuringFaults, of: counts.reads.attemptedDuringFaults)
            report.writeAvailabilityDuringFaults = Self.availability(counts.writes.succeededDuringFaults, of: counts.writes.attemptedDuringFaults)
        }
        report.latencyP50Ms = Self.percentile(counts.latenciesMsSorted, 0.50)
        report.latencyP99Ms = Self.percentile(counts.latenciesMsSorted, 0.99)
        report.siblingsSeenMax = metrics.siblingsSeen.max() ?? 0
        report.readsSeeingSiblings = metrics.siblingsSeen.filter { $0 > 1 }.count
        let counters = retiredCounters + nodes.compactMap { $0.node?.counters }
        report.readRepairs = counters.reduce(0) { $0 + $1.readRepairsSent }
        report.writesForwarded = counters.reduce(0) { $0 + $1.writesForwarded }
        let hintStats = metrics.retiredHintStats + nodes.filter(\.isUp).map { $0.hints.stats }
        report.hintsStored = hintStats.reduce(0) { $0 + $1.stored }
        report.hintsDelivered = hintStats.reduce(0) { $0 + $1.delivered }
        report.hintsDropped = hintStats.reduce(0) { $0 + $1.droppedFull } + counters.reduce(0) { $0 + $1.hintsDropped }
        report.messagesSent = metrics.messagesSent
        report.messagesLost = metrics.messagesLost
        report.simulatedMs = nowMs
        let samples = max(metrics.buckets.count, metrics.hintBacklog.count)
        report.timeline = (0..<samples).map { index in
            let bucket = index < metrics.buckets.count ? metrics.buckets[index] : RunMetrics.Bucket()
            return SimulationReport.TimelinePoint(
                atMs: UInt64(index) * RunMetrics.bucketMs,
                availability: bucket.attempted == 0 ? 1 : Double(bucket.succeeded) / Double(bucket.attempted),
                latencyP99Ms: Self.percentile(LatencySort.ascending(bucket.latenciesMs), 0.99), attempted: bucket.attempted,
                hintsPending: index < metrics.hintBacklog.count ? metrics.hintBacklog[index] : 0,
                siblingsSeenMax: bucket.siblingsSeenMax)
        }
        let faultFree = scenario.faults.isEmpty && scenario.network.lossRate == 0
        let keys = history.touchedKeys
        var checkers = Checkers(history: history, keys: keys, keyNames: keyNames, replicas: finalReplicas(of: keys),
                                mode: scenario.conflictMode,
                                siblingsMax: scenario.siblingsMax,
                                readsMustSeeWrites: faultFree && scenario.conflictMode == .siblings,
                                replicaCount: scenario.replicas)
        checkers.reaps = scenario.reapGraceMs != nil
        let checked = checkers.run()
        if scenario.reapGraceMs != nil {
            report.reapsConfirmed = counters.reduce(0) { $0 + $1.reapsConfirmed }
            report.reapsDeferred = counters.reduce(0) { $0 + $1.reapsDeferredUnreachable + $1.reapsDeferredUnanswered }
            report.reapsRefused = counters.reduce(0) { $0 + $1.reapsRefused }
            report.staleObjectsDropped = counters.reduce(0) { $0 + $1.staleObjectsDropped }
        }
        var violations = checked.violations
        if scenario.hasLeaves {
            report.leavesCompleted = metrics.leavesCompleted
            report.objectsHandedOff = counters.reduce(0) { $0 + $1.ownershipObjectsHandedOff }
            report.hintsRedirected = counters.reduce(0) { $0 + $1.hintsRedirected }
        }
        violations += checkMembership()
        report.violations = violations.map { "seed \(seed): \($0)" }
        report.writesLostToLWW = checked.writesLostToLWW
        return report
    }

    /// The objects of each key in `keys` on its N primaries in the final ring (without the nodes that
    /// left), in preference order.
    func finalReplicas(of keys: [Int]) -> [[VersionedObject?]] {
        keys.map { keyIndex in
            let key = keyNames[keyIndex]
            let primaries = placement.primaries(ofPartition: partitioning.partition(of: key))
            return primaries.map { nodes[indexOf[$0]!].storage.snapshot(key) }
        }
    }

    /// Acknowledged / attempted, or nil when nothing was attempted.
    static func availability(_ succeeded: Int, of attempted: Int) -> Double? {
        guard attempted > 0 else { return nil }
        return Double(succeeded) / Double(attempted)
    }

    static func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
