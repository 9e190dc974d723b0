import KVortexCore
import KVortexNet
import KVortexStorage
import Synchronization

/// The operational view of a node that is a cluster of one: always ready, owns every partition.
final class SingleNodeStatus: NodeStatusSource {
    let nodeID: NodeID
    let storage: any StorageEngine
    let keys: KeyService
    let actor: ActorID
    private let state: Mutex<(httpAddress: String, server: HTTPServer?)>
    private let sweepBoundHits = CounterArray(count: 1)

    init(nodeID: NodeID, httpAddress: String, storage: any StorageEngine, keys: KeyService, actor: ActorID) {
        self.nodeID = nodeID
        self.storage = storage
        self.keys = keys
        self.actor = actor
        state = Mutex((httpAddress, nil))
    }

    var httpAddress: String {
        get { state.withLock { $0.httpAddress } }
        set { state.withLock { $0.httpAddress = newValue } }
    }

    func attach(server: HTTPServer) {
        state.withLock { $0.server = server }
    }

    func recordSweepBoundHit() {
        sweepBoundHits.add(1, at: 0)
    }

    var isReady: Bool { true }

    func members() -> [(id: NodeID, state: String, httpAddress: String)] {
        [(nodeID, "up", httpAddress)]
    }

    func preferenceList(partition: Int) -> [NodeID] { [nodeID] }

    func writeMetrics(to writer: inout PrometheusWriter) {
        writer.family("kvortex_node_info", .gauge, help: "Constant 1, labelled with the node ID and its actor.")
        writer.sample("kvortex_node_info", [("node", nodeID.rawValue), ("actor", actor.description)], 1)
        StorageMetrics.write(storage.stats, to: &writer)
        writer.family("kvortex_storage_sweep_bound_hits_total", .counter,
                      help: "Sweep ticks that removed the most objects one tick may (more were waiting).")
        writer.sample("kvortex_storage_sweep_bound_hits_total", [], sweepBoundHits.value(at: 0))
        let versioning = keys.versioningCounters
        writer.family("kvortex_siblings_capped_total", .counter,
                      help: "Siblings merged away by LWW because a key reached the sibling cap.")
        writer.sample("kvortex_siblings_capped_total", [], versioning.siblingsCapped)
        writer.family("kvortex_lww_overwrites_total", .counter,
                      help: "Concurrent versions dropped by last-write-wins (conflicts = lww).")
        writer.sample("kvortex_lww_overwrites_total", [], versioning.lwwOverwrites)
        if let server = state.withLock({ $0.server }) {
            HTTPServerMetrics.write(server.stats, to: &writer)
        }
    }
}
