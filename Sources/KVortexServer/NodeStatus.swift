import KVortexCore
import KVortexNet
import KVortexStorage
import Synchronization

/// A member as the operational endpoints show it.
public struct MemberView: Sendable {
    public var id: NodeID
    public var state: String
    public var httpAddress: String
    public var peerAddress: String
}

/// What `POST /cluster/leave` did.
enum LeaveRequest: Equatable, Sendable {
    case started(transfersPending: Int)
    case alreadyLeaving(transfersPending: Int)
    /// Refused: no other member is known that could take the partitions.
    case lastMember
}

/// The operational view of a running node: readiness, members and ring from its driver, metrics of
/// every part, and the cluster controls of the admin endpoints.
final class NodeStatus: NodeStatusSource {
    let driver: NodeDriver
    let storage: any StorageEngine
    let keys: KeyService
    let faultInjection: Bool
    let leaveWatcher: LeaveWatcher
    private let httpServer = Mutex<HTTPServer?>(nil)
    private let sweepBoundHits = CounterArray(count: 1)

    init(driver: NodeDriver, storage: any StorageEngine, keys: KeyService, faultInjection: Bool, leaveWatcher: LeaveWatcher) {
        self.driver = driver
        self.leaveWatcher = leaveWatcher
        self.storage = storage
        self.keys = keys
        self.faultInjection = faultInjection
    }

    func attach(server: HTTPServer) {
        httpServer.withLock { $0 = server }
    }

    func recordSweepBoundHit() {
        sweepBoundHits.add(1, at: 0)
    }

    var isReady: Bool { driver.hasJoined }

    func members() -> [MemberView] {
        Self.members(of: driver.snapshot)
    }

    static func members(of node: Node) -> [MemberView] {
        node.membership.members.map { id in
            let digest = node.membership.digest(of: id)
            return MemberView(id: id, state: node.membership.state(of: id)?.rawValue ?? "down",
                              httpAddress: digest?.httpAddress ?? "", peerAddress: digest?.peerAddress ?? "")
        }
    }

    func ring() -> Ring { driver.snapshot.ring }

    var isFaultInjectionEnabled: Bool { faultInjection }

    func isolate(_ nodes: Set<NodeID>) {
        driver.routing.isolate(nodes)
        Log.line(nodes.isEmpty ? "fault injection: partition healed" : "fault injection: isolating \(nodes.map(\.rawValue).sorted().joined(separator: ", "))")
    }

    func join(seed: String) {
        driver.join(seed: seed)
    }

    func leave() -> LeaveRequest {
        let before = driver.snapshot
        if case .handingOff(let pending) = before.leaveProgress { return .alreadyLeaving(transfersPending: pending) }
        if case .handedOff = before.leaveProgress { return .alreadyLeaving(transfersPending: 0) }
        guard before.canLeave else { return .lastMember }
        driver.leave()
        leaveWatcher.start()
        guard case .handingOff(let pending) = driver.leaveProgress else { return .started(transfersPending: 0) }
        return .started(transfersPending: pending)
    }

    func writeMetrics(to writer: inout PrometheusWriter) {
        writer.family("kvortex_node_info", .gauge, help: "Constant 1, labelled with the node ID and its actor.")
        writer.sample("kvortex_node_info", [("node", keys.nodeID.rawValue), ("actor", keys.actor.description)], 1)
        StorageMetrics.write(storage.stats, to: &writer)
        writer.family("kvortex_storage_sweep_bound_hits_total", .counter,
                      help: "Sweep ticks that removed the most objects one tick may (more were waiting).")
        writer.sample("kvortex_storage_sweep_bound_hits_total", [], sweepBoundHits.value(at: 0))
        // A write is applied by the key service while the node is alone and by the core node once it
        // has peers, never by both: the two counts add up.
        let node = driver.snapshot
        let versioning = keys.versioningCounters
        writer.family("kvortex_siblings_capped_total", .counter,
                      help: "Siblings merged away by LWW because a key reached the sibling cap.")
        writer.sample("kvortex_siblings_capped_total", [], versioning.siblingsCapped + node.counters.siblingsCapped)
        writer.family("kvortex_lww_overwrites_total", .counter,
                      help: "Concurrent versions dropped by last-write-wins (conflicts = lww).")
        writer.sample("kvortex_lww_overwrites_total", [], versioning.lwwOverwrites + node.counters.lwwOverwrites)
        ClusterMetrics.write(driver, node: node, to: &writer)
        if let server = httpServer.withLock({ $0 }) {
            HTTPServerMetrics.write(server.stats, to: &writer)
        }
    }
}
