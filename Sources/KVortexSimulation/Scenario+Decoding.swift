import KVortexCore

/// Decoding with defaults for absent fields and an error for unknown ones (a typo must not silently
/// fall back to a default).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws when the object at this level has a field not in `known`.
    func rejectUnknownFields(_ known: [String], in type: String) throws {
        let container = try container(keyedBy: AnyKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                debugDescription: "unknown field(s) \(unknown.joined(separator: ", ")) in \(type); known: \(known.joined(separator: ", "))"))
        }
    }
}

extension KeyedDecodingContainer {
    func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

extension Scenario {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, nodes, replicas, readQuorum, writeQuorum, sloppy, conflicts, siblingsMax, durationMs
        case settleMs, keys, clients, thinkMs, timeoutMs, mix, consistency, network, faults, heartbeatIntervalMs, hintsPerTargetMax
        case plantedBugs, reapGraceMs, reapRoundIntervalMs, reapedMemoryMs
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.allCases.map(\.rawValue), in: "scenario")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Scenario(name: try c.decode(String.self, forKey: .name))
        self = d
        description = try c.value(.description, d.description)
        nodes = try c.value(.nodes, d.nodes)
        replicas = try c.value(.replicas, d.replicas)
        readQuorum = try c.value(.readQuorum, d.readQuorum)
        writeQuorum = try c.value(.writeQuorum, d.writeQuorum)
        sloppy = try c.value(.sloppy, d.sloppy)
        conflicts = try c.value(.conflicts, d.conflicts)
        siblingsMax = try c.value(.siblingsMax, d.siblingsMax)
        durationMs = try c.value(.durationMs, d.durationMs)
        settleMs = try c.value(.settleMs, d.settleMs)
        keys = try c.value(.keys, d.keys)
        clients = try c.value(.clients, d.clients)
        thinkMs = try c.value(.thinkMs, d.thinkMs)
        timeoutMs = try c.value(.timeoutMs, d.timeoutMs)
        mix = try c.value(.mix, d.mix)
        consistency = try c.value(.consistency, d.consistency)
        network = try c.value(.network, d.network)
        faults = try c.value(.faults, d.faults)
        heartbeatIntervalMs = try c.value(.heartbeatIntervalMs, d.heartbeatIntervalMs)
        hintsPerTargetMax = try c.value(.hintsPerTargetMax, d.hintsPerTargetMax)
        plantedBugs = try c.value(.plantedBugs, d.plantedBugs)
        reapGraceMs = try c.decodeIfPresent(UInt64.self, forKey: .reapGraceMs)
        reapRoundIntervalMs = try c.value(.reapRoundIntervalMs, d.reapRoundIntervalMs)
        reapedMemoryMs = try c.value(.reapedMemoryMs, d.reapedMemoryMs)
        try validate()
    }

    /// Refuses scenarios that cannot run: quorums beyond N, N beyond the cluster, unknown names.
    func validate() throws {
        func fail(_ message: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "scenario \(name): \(message)"))
        }
        guard nodes >= 1, replicas >= 1, replicas <= nodes else { throw fail("need 1 <= replicas (\(replicas)) <= nodes (\(nodes))") }
        guard (1...replicas).contains(readQuorum), (1...replicas).contains(writeQuorum) else { throw fail("R and W must be 1...replicas") }
        guard ConflictMode(rawValue: conflicts) != nil else { throw fail("conflicts must be siblings or lww") }
        for level in consistency {
            guard (1...replicas).contains(level.readQuorum), (1...replicas).contains(level.writeQuorum), level.weight >= 1 else {
                throw fail("each consistency level needs R and W in 1...replicas and a positive weight")
            }
        }
        guard keys >= 1, clients >= 0, siblingsMax >= 1, heartbeatIntervalMs >= 1 else { throw fail("keys, siblingsMax, heartbeatIntervalMs must be positive") }
        let bugs = ["skipReadRepair", "dropHints", "mintFromContextOnly", "readQuorumOfOne", "keepHintsForDeparted", "neverRetireDeparted",
                    "reapWithoutConfirmation"]
        for bug in plantedBugs where !bugs.contains(bug) { throw fail("unknown planted bug \(bug); known: \(bugs.joined(separator: ", "))") }
        let actions = ["partition", "cut", "heal", "crash", "restart", "skew", "loss", "leave"]
        for fault in faults where !actions.contains(fault.action) {
            throw fail("unknown fault action \(fault.action); known: \(actions.joined(separator: ", "))")
        }
        for fault in faults where fault.action == "leave" {
            guard let leaving = fault.nodes, !leaving.isEmpty, leaving.allSatisfy({ (0..<nodes).contains($0) }) else {
                throw fail("a leave at \(fault.atMs) ms needs nodes, each in 0..<\(nodes)")
            }
        }
    }
}

extension Scenario.Mix {
    enum CodingKeys: String, CodingKey, CaseIterable { case blindWrite, readModifyWrite, delete, read }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.allCases.map(\.rawValue), in: "mix")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        blindWrite = try c.value(.blindWrite, blindWrite)
        readModifyWrite = try c.value(.readModifyWrite, readModifyWrite)
        delete = try c.value(.delete, delete)
        read = try c.value(.read, read)
    }
}

extension Scenario.Consistency {
    enum CodingKeys: String, CodingKey, CaseIterable { case readQuorum, writeQuorum, sloppy, weight }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.allCases.map(\.rawValue), in: "consistency")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(readQuorum: try c.decode(Int.self, forKey: .readQuorum), writeQuorum: try c.decode(Int.self, forKey: .writeQuorum),
                  sloppy: try c.value(.sloppy, true), weight: try c.value(.weight, 1))
    }
}

extension Scenario.Network {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case latency, latencyMinMs, latencyMaxMs, latencyMedianMs, latencySigma, lossRate, duplicateRate
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.allCases.map(\.rawValue), in: "network")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        latency = try c.value(.latency, latency)
        latencyMinMs = try c.value(.latencyMinMs, latencyMinMs)
        latencyMaxMs = try c.value(.latencyMaxMs, latencyMaxMs)
        latencyMedianMs = try c.value(.latencyMedianMs, latencyMedianMs)
        latencySigma = try c.value(.latencySigma, latencySigma)
        guard ["uniform", "lognormal"].contains(latency) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "network.latency must be uniform or lognormal, got \(latency)"))
        }
        lossRate = try c.value(.lossRate, lossRate)
        duplicateRate = try c.value(.duplicateRate, duplicateRate)
    }
}
