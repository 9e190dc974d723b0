import KVortexCore

/// The fault schedule and the settle phase.
extension Simulator {
    func apply(_ fault: Scenario.Fault) {
        metrics.faultsApplied += 1
        switch fault.action {
        case "partition": network.partition(fault.groups ?? [])
        case "cut": network.cutOneWay(from: fault.from ?? [], to: fault.to ?? [])
        case "heal": network.heal()
        case "crash": for index in fault.nodes ?? [] where nodes.indices.contains(index) { crash(index) }
        case "restart": for index in fault.nodes ?? [] where nodes.indices.contains(index) && !nodes[index].isUp { boot(index) }
        case "skew": for index in fault.nodes ?? [] where nodes.indices.contains(index) { nodes[index].skewMs = fault.skewMs ?? 0 }
        case "loss": network.lossRate = fault.rate ?? 0
        case "leave": for index in fault.nodes ?? [] where nodes.indices.contains(index) { startLeave(index) }
        default: metrics.faultsApplied -= 1  // unknown actions are refused when the scenario is validated
        }
    }

    /// Faults stop: heal every link, restart every crashed node (not those that left), end loss; clients stop.
    func endWorkload() {
        clientsActive = false
        network.heal()
        network.lossRate = 0
        network.duplicateRate = 0
        for index in nodes.indices where !nodes[index].isUp && nodes[index].departure != .left { boot(index) }
    }

    /// A read at R = N of every key the clients touched, from the key's first primary, so that read
    /// repair brings every primary up to date.
    func readPass() {
        let all = QuorumOptions(readQuorum: scenario.replicas, writeQuorum: scenario.replicas, sloppy: false, timeoutMs: 2_000)
        for keyIndex in history.touchedKeys {
            let key = keyNames[keyIndex]
            let primary = placement.primaries(ofPartition: partitioning.partition(of: key))[0]
            let request = makeRequest()
            pending[request] = .readPass
            feed(indexOf[primary]!, .get(request, key: key, all))
        }
    }
}
