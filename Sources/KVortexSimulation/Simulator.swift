import KVortexCore

/// Runs real `Node` values on virtual time over a simulated network, driven by one seed.
///
/// The same seed gives the same history and report byte for byte: every random draw comes from the
/// run's `SplitMix64`, events at equal times run in scheduling order, and nothing iterates a hash
/// container unsorted. Nodes get time, randomness and epochs from here (DESIGN.md "Simulation").
final class Simulator {
    /// What happens at one virtual time. Plain values only (a message waits in `inFlight`, the event
    /// holds its slot), so queueing, copying and dropping an event never touches a reference count.
    enum Event {
        case deliver(from: Int, to: Int, message: Int32)
        case undeliverable(sender: Int, senderIncarnation: Int, target: Int, message: Int32)
        case timer(node: Int, incarnation: Int, TimerID)
        case client(Int)
        case fault(Int)
        /// The next poll of a leave, or of the stop after it (`Simulator+Leave.swift`).
        case leaveStep(node: Int, incarnation: Int)
        case endWorkload
        case readPass
        /// Samples the hint backlog for the report's timeline.
        case sample
        case stop
    }

    struct SimulatedNode {
        var node: Node?
        var storage: SimulatedStorage
        var hints: MemoryHintStore
        var incarnation = 0
        var skewMs: Int64 = 0
        /// Stored, not derived from `node`: reading a derived flag through the array copied the node.
        var isUp = false
        var departure = Departure.member
        /// Client operations this node has taken and not answered yet (a stop waits for them).
        var clientOperationsInFlight = 0
    }

    let scenario: Scenario
    let seed: UInt64
    var random: SplitMix64
    var nowMs: UInt64 = 0
    var queue = EventQueue<Event>()
    /// The messages that deliver and undeliverable events carry, by slot.
    var inFlight = InFlightMessages()
    let network: SimulatedNetwork
    var nodes: [SimulatedNode] = []
    let nodeIDs: [NodeID]
    let indexOf: [NodeID: Int]
    /// The ring of the nodes that are members (`currentRing`): nodes boot with it, and the read pass
    /// and the checkers read the replicas it names.
    var placement: Ring
    /// Nodes whose leave is over (`Departure.left`), and nodes leaving or stopping after a leave.
    var departedCount = 0
    var leavingCount = 0
    let partitioning = Partitioning()
    /// The workload's keys, `k0`…, as bytes: made once, not per operation.
    let keyNames: [[UInt8]]
    /// From the first fault to the last, when there are faults.
    let faultWindowMs: ClosedRange<UInt64>?
    var history: History
    var pending = RequestTable<Pending>()
    var nextRequest: UInt64 = 1
    var clientsActive = true
    var metrics = RunMetrics()
    /// Counters of node incarnations that have crashed, so restarts do not lose the figures.
    var retiredCounters: [NodeCounters] = []
    /// Emptied effect arrays for `feed` to reuse.
    private var spareEffects: [[NodeEffect]] = []
    static let epochBaseMs: UInt64 = 1_764_000_000_000
    /// Operations the history reserves room for at most, before it grows as needed.
    static let operationsReservedMax = 1 << 16

    init(scenario: Scenario, seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
        random = SplitMix64(seed: seed)
        network = SimulatedNetwork(scenario.network, nodeCount: scenario.nodes)
        nodeIDs = (0..<scenario.nodes).map { NodeID("n\($0)") }
        indexOf = Dictionary(uniqueKeysWithValues: nodeIDs.enumerated().map { ($1, $0) })
        placement = InitialRings.ring(members: nodeIDs.map { RingMember($0) }, partitioning: Partitioning(),
                                      replicaCount: scenario.replicas)
        nodes = nodeIDs.map { _ in SimulatedNode(storage: SimulatedStorage(), hints: MemoryHintStore()) }
        keyNames = (0..<scenario.keys).map { Array("k\($0)".utf8) }
        // Each client begins at most one operation per think time; the room reserved is bounded
        // (`operationsReservedMax`) for scenarios that think for 0 ms or have many clients.
        let operationsPerClient = Int(min(scenario.durationMs / max(scenario.thinkMs, 1) + 1, UInt64(Self.operationsReservedMax)))
        let clients = min(max(scenario.clients, 0), Self.operationsReservedMax)
        history = History(keyNames: keyNames, operationsExpected: min(clients * operationsPerClient, Self.operationsReservedMax))
        faultWindowMs = scenario.faults.map(\.atMs).min().map { $0...max($0, scenario.faultsEndMs) }
    }

    /// Runs the whole scenario and returns the report.
    func run() -> SimulationReport {
        for index in nodes.indices { boot(index) }
        for client in 0..<scenario.clients { queue.schedule(at: UInt64(client), .client(client)) }
        for (index, fault) in scenario.faults.enumerated() { queue.schedule(at: fault.atMs, .fault(index)) }
        queue.schedule(at: scenario.durationMs, .endWorkload)
        queue.schedule(at: scenario.durationMs + scenario.settleMs / 2, .readPass)
        queue.schedule(at: scenario.durationMs + scenario.settleMs, .stop)
        queue.schedule(at: 0, .sample)
        while let event = queue.pop() {
            nowMs = queue.nowMs
            if case .stop = event { break }
            handle(event)
            metrics.eventsProcessed += 1
        }
        return makeReport()
    }

    private func handle(_ event: Event) {
        switch event {
        case .deliver(let from, let to, let slot):
            let message = inFlight.take(slot)
            guard nodes[to].isUp else { return }
            metrics.messagesDelivered += 1
            deliver(consume message, from: from, to: to)
        case .undeliverable(let sender, let incarnation, let target, let slot):
            let message = inFlight.take(slot)
            guard nodes[sender].isUp, nodes[sender].incarnation == incarnation else { return }
            feed(sender, .undeliverable(to: nodeIDs[target], message))
        case .timer(let node, let incarnation, let timer):
            guard nodes[node].isUp, nodes[node].incarnation == incarnation, Self.isLive(timer, of: &nodes[node].node!) else { return }
            feed(node, .timer(timer))
        case .client(let client):
            clientStep(client)
        case .fault(let index):
            apply(scenario.faults[index])
        case .leaveStep(let node, let incarnation):
            leaveStep(node, incarnation: incarnation)
        case .endWorkload:
            endWorkload()
        case .readPass:
            readPass()
        case .sample:
            metrics.hintBacklog.append(hintBacklog())
            queue.schedule(at: nowMs + RunMetrics.bucketMs, .sample)
        case .stop:
            break
        }
    }

    /// `Node.isLive(timer)` of a node read in place: a timer whose operation has finished changes
    /// nothing, so it is not fed (most deadlines and repair windows; 10 M instructions in steady-state
    /// seeds 1-5). Through an inout access to the unwrapped node (the caller has checked it is up):
    /// reading a node out of the array copies it, and so did `node?.isLive` on an `inout Node?`,
    /// whose payload was copied (680 bytes, ~120 instructions a timer) to call a non-mutating method.
    private static func isLive(_ timer: TimerID, of node: inout Node) -> Bool {
        Node.isLive(timer, in: &node)
    }

    /// Hints pending on the nodes that are up. By index: `filter` copied every node's record.
    private func hintBacklog() -> Int {
        var pending = 0
        for index in nodes.indices where nodes[index].isUp { pending += nodes[index].hints.stats.pending }
        return pending
    }

    /// The time node `index` believes it is: virtual time plus its skew, from a realistic epoch.
    func localNow(_ index: Int) -> UInt64 {
        UInt64(max(0, Int64(Self.epochBaseMs + nowMs) + nodes[index].skewMs))
    }

    func settings(for index: Int) -> NodeSettings {
        var settings = NodeSettings(
            nodeID: nodeIDs[index], replicaCount: scenario.replicas, conflictMode: scenario.conflictMode,
            siblingsMax: scenario.siblingsMax, partitioning: partitioning,
            failureDetector: FailureDetectorSettings(heartbeatIntervalMs: scenario.heartbeatIntervalMs),
            peerRequestTimeoutMs: min(scenario.timeoutMs, 2_000))
        settings.plantedBugs = scenario.bugs
        settings.reaping = scenario.reapSettings
        return settings
    }

    /// Starts node `index` with empty memory and a new epoch (a memory node always restarts so). A node
    /// that left rejoins so: its incarnation (its start time) is higher than the one it left with.
    /// It is started knowing the nodes that have not left, and routing by the ring of the members.
    func boot(_ index: Int) {
        if nodes[index].departure == .left {
            departedCount -= 1
            nodes[index].departure = .member
            placement = currentRing()
        }
        precondition(nodes[index].clientOperationsInFlight == 0,
                     "node \(index) boots with \(nodes[index].clientOperationsInFlight) client operations of its last life open")
        nodes[index].storage = newStorage()
        nodes[index].hints = MemoryHintStore(hintsPerTargetMax: scenario.hintsPerTargetMax, supersedingReplaces: scenario.bugs.isEmpty)
        nodes[index].incarnation += 1
        let node = Node(settings: settings(for: index), epoch: random.next(), storage: nodes[index].storage,
                        hints: nodes[index].hints, placement: placement,
                        seeds: seeds(of: index), randomSeed: random.next(), nowMs: localNow(index))
        nodes[index].node = node
        nodes[index].isUp = true
        var effects = node.start()
        perform(&effects, from: index)
    }

    /// A node's empty storage: reaping on its own after the engines' grace when the scenario reaps
    /// (the backstop, since reaps are confirmed), never otherwise.
    func newStorage() -> SimulatedStorage {
        SimulatedStorage(reapGraceMs: scenario.reapGraceMs == nil ? nil : scenario.reapSettings.engineGraceMs)
    }

    /// The other nodes that have not left, which node `index` is started knowing.
    private func seeds(of index: Int) -> [NodeID] {
        guard departedCount > 0 else { return nodeIDs.filter { $0 != nodeIDs[index] } }
        return nodes.indices.filter { $0 != index && nodes[$0].departure != .left }.map { nodeIDs[$0] }
    }

    /// Stops node `index` at once, losing its memory; a leave it was making dies with it (restarted,
    /// it is a member again).
    func crash(_ index: Int) {
        guard let node = nodes[index].node else { return }
        // The clients talking to it see their connections reset: their operations fail now (the node
        // will never answer them) and they go on with their next.
        if nodes[index].clientOperationsInFlight > 0 { failClientOperations(of: index) }
        retiredCounters.append(node.counters)
        metrics.retiredHintStats.append(nodes[index].hints.stats)
        nodes[index].node = nil
        nodes[index].isUp = false
        if nodes[index].departure != .member {
            nodes[index].departure = .member
            leavingCount -= 1
            placement = currentRing()
        }
    }

    /// Hands one input to a node and performs its effects.
    func feed(_ index: Int, _ input: NodeInput) {
        guard nodes[index].isUp else { return }
        var effects = spareEffectArray()
        // Mutated in place: copying the node out and back would copy its tables on every input.
        nodes[index].node!.handle(input, nowMs: localNow(index), into: &effects)
        perform(&effects, from: index)
        spareEffects.append(consume effects)
    }

    /// Hands one message to a node and performs its effects (`feed` of `.peer`, without the input).
    /// The message moves into the node (no closure captures it, which would copy it), so its parts
    /// are not copied and released on the way.
    private func deliver(_ message: consuming PeerMessage, from: Int, to index: Int) {
        guard nodes[index].isUp else { return }
        var effects = spareEffectArray()
        nodes[index].node!.receive(message, from: nodeIDs[from], nowMs: localNow(index), into: &effects)
        perform(&effects, from: index)
        spareEffects.append(consume effects)
    }

    /// An empty effect array for one step, to give back to `spareEffects` once performed. Performing
    /// effects can feed a node again (a read before a write), so the emptied arrays wait on a stack
    /// rather than in one field: each level reuses one without allocating.
    private func spareEffectArray() -> [NodeEffect] {
        spareEffects.isEmpty ? [] : spareEffects.removeLast()
    }

    /// Performs `effects` in order and leaves the array empty, keeping its capacity. Each effect is
    /// moved out, not copied (a copied message cost a retain and a release of each of its fields): the
    /// array is reversed in place, which only swaps memory, and each effect is then taken from its end.
    /// (Swapping a placeholder in for each effect and removing the placeholders afterwards cost 150
    /// instructions per effect more.)
    func perform(_ effects: inout [NodeEffect], from index: Int) {
        if effects.count > 1 { Self.reverseInPlace(&effects) }
        while !effects.isEmpty {
            let effect = effects.removeLast()
            switch consume effect {
            case .send(let target, let message):
                send(message, from: index, to: target)
            case .replyRead(let request, let result):
                completeRead(request, result)
            case .replyWrite(let request, let result):
                completeWrite(request, result)
            case .startTimer(let timer, let afterMs):
                queue.schedule(at: nowMs + afterMs, .timer(node: index, incarnation: nodes[index].incarnation, timer))
            case .log:
                metrics.logLines += 1
            case .forgetPeer:
                break  // the simulated network has no links to close
            }
        }
    }

    /// Reverses `effects` by swapping memory through a buffer pointer: `Array.reverse()` went through
    /// the generic `MutableCollection` one, 210 instructions a call.
    private static func reverseInPlace(_ effects: inout [NodeEffect]) {
        effects.withUnsafeMutableBufferPointer { buffer in
            var low = 0
            var high = buffer.count - 1
            while low < high {
                buffer.swapAt(low, high)
                low += 1
                high -= 1
            }
        }
    }

    private func send(_ message: consuming PeerMessage, from: Int, to target: NodeID) {
        metrics.messagesSent += 1
        guard let to = nodeIDs.firstIndex(of: target) else { return }
        if !nodes[to].isUp || network.isCut(from: from, to: to) {
            // Like a refused or reset TCP connection: the sender learns soon.
            queue.schedule(at: nowMs + 1, .undeliverable(sender: from, senderIncarnation: nodes[from].incarnation, target: to,
                                                         message: inFlight.put(message)))
            return
        }
        if network.lossRate > 0 && random.unit() < network.lossRate { metrics.messagesLost += 1; return }
        let latencyMs = network.latency(&random)
        guard network.duplicateRate > 0 && random.unit() < network.duplicateRate else {
            queue.schedule(at: nowMs + latencyMs, .deliver(from: from, to: to, message: inFlight.put(message)))
            return
        }
        queue.schedule(at: nowMs + latencyMs, .deliver(from: from, to: to, message: inFlight.put(copy message)))
        queue.schedule(at: nowMs + network.latency(&random), .deliver(from: from, to: to, message: inFlight.put(message)))
    }
}
