import KVortexCore

/// Where a simulated node stands in a graceful leave, which the simulator drives as the real driver
/// does (`POST /cluster/leave`, `LeaveWatcher`, then the stop SIGTERM runs, `NodeRuntime.stop`).
enum Departure: Equatable {
    case member
    /// Handing its partitions off since `startedMs`; polled until `Node.leaveProgress` says done.
    case leaving(startedMs: UInt64)
    /// Done (or timed out): it takes no new client request, and waits for those in flight, until
    /// `untilMs` at most (`HTTPServer.stop`'s grace period).
    case drainingRequests(untilMs: UInt64)
    /// Then it waits until it holds no hint it could deliver, until `untilMs` at most
    /// (`NodeDriver.deliverHints`).
    case drainingHints(untilMs: UInt64)
    /// Stopped after its leave: gone for good, its messages undeliverable, until a `restart` rejoins it
    /// as a new member (a higher incarnation).
    case left

    /// False once the node has begun to stop: clients are refused, as a stopping server refuses them.
    var servesClients: Bool {
        switch self {
        case .member, .leaving: true
        case .drainingRequests, .drainingHints, .left: false
        }
    }
}

/// The `leave` fault: a graceful leave, and the stop that follows it.
extension Simulator {
    /// `LeaveWatcher.pollIntervalMs`: how often the driver asks whether the leave is done.
    static let leavePollIntervalMs: UInt64 = 50
    /// `LeaveWatcher.timeoutMsDefault`: a leave that has not handed off by then stops anyway.
    static let leaveTimeoutMs: UInt64 = 300_000
    /// `NodeConfiguration.shutdownGraceMs`'s default: each phase of a stop waits this long at most.
    static let shutdownGraceMs: UInt64 = 5_000
    /// How often a stop looks again at the requests in flight (`HTTPServer.stop`) and at the hints
    /// left to deliver (`NodeDriver.deliverHints`).
    static let requestDrainPollIntervalMs: UInt64 = 10
    static let hintDrainPollIntervalMs: UInt64 = 20

    /// Starts a graceful leave of node `index`: a node that is down, already leaving, or the last
    /// member (the node refuses and logs it) is left as it is.
    func startLeave(_ index: Int) {
        guard nodes[index].isUp, nodes[index].departure == .member else { return }
        feed(index, .leave)
        guard nodes[index].node!.isLeaving else { return }
        nodes[index].departure = .leaving(startedMs: nowMs)
        leavingCount += 1
        placement = currentRing()
        scheduleLeaveStep(index, afterMs: Self.leavePollIntervalMs)
    }

    /// One poll of a leave or of the stop after it; a poll of an earlier start of the node is ignored.
    func leaveStep(_ index: Int, incarnation: Int) {
        guard nodes[index].isUp, nodes[index].incarnation == incarnation else { return }
        switch nodes[index].departure {
        case .leaving(let startedMs):
            switch nodes[index].node!.leaveProgress {
            case .handingOff where nowMs < startedMs + Self.leaveTimeoutMs:
                scheduleLeaveStep(index, afterMs: Self.leavePollIntervalMs)
            case .handingOff, .handedOff:
                nodes[index].departure = .drainingRequests(untilMs: nowMs + Self.shutdownGraceMs)
                leaveStep(index, incarnation: incarnation)
            case .member:
                preconditionFailure("node \(index) is leaving in the simulator but not in its own view")
            }
        case .drainingRequests(let untilMs):
            if nodes[index].clientOperationsInFlight > 0 && nowMs < untilMs {
                scheduleLeaveStep(index, afterMs: Self.requestDrainPollIntervalMs)
            } else {
                nodes[index].departure = .drainingHints(untilMs: nowMs + Self.shutdownGraceMs)
                leaveStep(index, incarnation: incarnation)
            }
        case .drainingHints(let untilMs):
            if nodes[index].node!.holdsDeliverableHints && nowMs < untilMs {
                scheduleLeaveStep(index, afterMs: Self.hintDrainPollIntervalMs)
            } else {
                depart(index)
            }
        case .member, .left:
            return  // a poll outlived its leave
        }
    }

    private func scheduleLeaveStep(_ index: Int, afterMs: UInt64) {
        queue.schedule(at: nowMs + afterMs, .leaveStep(node: index, incarnation: nodes[index].incarnation))
    }

    /// Node `index` stops after its leave: like a crash, but for good; the crash fails its client
    /// requests still waiting (`NodeDriver.stop` fails its orphaned waiters), so their clients carry on.
    private func depart(_ index: Int) {
        crash(index)  // which ends the leave (`leavingCount`) and fails the client operations in flight
        nodes[index].departure = .left
        departedCount += 1
        placement = currentRing()
        metrics.leavesCompleted += 1
    }

    /// The ring of the nodes that are members, neither leaving nor gone: what every node routes by
    /// once it has heard of the leaves.
    func currentRing() -> Ring {
        let members = nodes.indices.filter { nodes[$0].departure == .member }.map { RingMember(nodeIDs[$0]) }
        return InitialRings.ring(members: members, partitioning: partitioning, replicaCount: scenario.replicas)
    }

    /// The node a client talks to: drawn among the nodes that have not left (exactly the draw of
    /// before when none has, so scenarios without leaves replay as they did).
    func drawClientNode() -> Int {
        guard departedCount > 0 else { return random.int(in: 0..<nodes.count) }
        var draw = random.int(in: 0..<(nodes.count - departedCount))
        for index in nodes.indices where nodes[index].departure != .left {
            if draw == 0 { return index }
            draw -= 1
        }
        preconditionFailure("drew a node beyond the \(nodes.count - departedCount) that have not left")
    }
}
