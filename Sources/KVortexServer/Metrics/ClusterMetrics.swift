import KVortexCore
import KVortexNet

/// The cluster's part of `/metrics`: members by state, the coordinator's counters, hints, the peer
/// transport's counters and the frames fault injection dropped.
enum ClusterMetrics {
    /// `node` is one snapshot of the driver's node, so every figure comes from the same moment.
    static func write(_ driver: NodeDriver, node: Node, to writer: inout PrometheusWriter) {
        let members = NodeStatus.members(of: node)
        writer.family("kvortex_cluster_members", .gauge, help: "Members this node knows, by the state it sees them in.")
        for state in MemberState.allCases {
            writer.sample("kvortex_cluster_members", [("state", state.rawValue)], members.filter { $0.state == state.rawValue }.count)
        }
        writeDepartures(node.membership, to: &writer)
        writer.family("kvortex_cluster_ready", .gauge, help: "1 once the node has joined its cluster (or has no seeds).")
        writer.sample("kvortex_cluster_ready", [], driver.hasJoined ? 1 : 0)
        let counters = node.counters
        let coordination: [(String, String, UInt64)] = [
            ("kvortex_read_repairs_total", "Newer versions sent to stale replicas after a read.", counters.readRepairsSent),
            ("kvortex_writes_forwarded_total", "Client writes sent to a replica of the key to coordinate.", counters.writesForwarded),
            ("kvortex_operations_refused_total", "Client operations refused because too many were in flight.", counters.operationsRefused),
            ("kvortex_replica_storage_failures_total", "Replica reads or writes the local storage failed.", counters.storageFailures),
        ]
        for (name, help, value) in coordination {
            writer.family(name, .counter, help: help)
            writer.sample(name, [], value)
        }
        writeOwnership(node, to: &writer)
        ReapMetrics.write(node, to: &writer)
        let hints = node.hintStats
        writer.family("kvortex_hints_pending", .gauge, help: "Hinted writes held for members that could not take them.")
        writer.sample("kvortex_hints_pending", [], hints.pending)
        writer.family("kvortex_hints_total", .counter, help: "Hinted writes by what became of them.")
        writer.sample("kvortex_hints_total", [("event", "stored")], hints.stored)
        writer.sample("kvortex_hints_total", [("event", "delivered")], hints.delivered)
        writer.sample("kvortex_hints_total", [("event", "dropped_full")], hints.droppedFull)
        writer.family("kvortex_hints_redirected_total", .counter,
                      help: "Hints for members that left, handed to the key's current replicas instead (also counted as delivered).")
        writer.sample("kvortex_hints_redirected_total", [], counters.hintsRedirected)
        writer.family("kvortex_peer_events_total", .counter, help: "Peer transport counters.")
        for counter in PeerCounter.allCases {
            writer.sample("kvortex_peer_events_total", [("event", "\(counter)")], driver.transport.counter(counter))
        }
        writer.family("kvortex_peer_links", .gauge, help: "Links to peer addresses, connected or reconnecting; a member that left is closed once retired.")
        writer.sample("kvortex_peer_links", [], driver.transport.linkCount)
        writer.family("kvortex_peer_frames_malformed_total", .counter, help: "Frames from peers that did not decode.")
        writer.sample("kvortex_peer_frames_malformed_total", [], driver.malformedFrames.load(ordering: .relaxed))
        writer.family("kvortex_fault_injection_dropped_total", .counter, help: "Peer frames dropped because their node is isolated.")
        writer.sample("kvortex_fault_injection_dropped_total", [], driver.routing.isolatedFrames.load(ordering: .relaxed))
    }

    /// Members that left: tombstones held (bounded by `DepartureSettings.tombstonesMax`) and what
    /// became of members that left (`MembershipView+Departures.swift`).
    static func writeDepartures(_ membership: MembershipView, to writer: inout PrometheusWriter) {
        writer.family("kvortex_cluster_tombstones", .gauge,
                      help: "Members that left, no longer listed, remembered until their retention passes (bounded).")
        writer.sample("kvortex_cluster_tombstones", [], membership.tombstoneCount)
        let counters = membership.departureCounters
        writer.family("kvortex_cluster_departures_total", .counter, help: "Members that left, by event.")
        let events: [(String, UInt64)] = [
            ("retired", counters.membersRetired), ("expired", counters.tombstonesExpired),
            ("evicted", counters.tombstonesEvicted), ("stale_gossip_ignored", counters.staleDigestsIgnored),
            ("rejoined", counters.membersRejoined),
        ]
        for (event, value) in events {
            writer.sample("kvortex_cluster_departures_total", [("event", event)], value)
        }
    }

    /// Ownership handoff after ring changes, and a leave in progress (1 while handing off, 2 once done).
    static func writeOwnership(_ node: Node, to writer: inout PrometheusWriter) {
        let counters = node.counters
        writer.family("kvortex_ownership_transfers_pending", .gauge,
                      help: "Partition transfers to new owners not finished (waiting, streaming or unacknowledged).")
        writer.sample("kvortex_ownership_transfers_pending", [], node.ownershipTransfersPending)
        writer.family("kvortex_ownership_transfers_total", .counter, help: "Partition transfers to new owners, by event (enqueued = completed + dropped + pending; dropped: a later ring change took the partition from the target before it was sent).")
        writer.sample("kvortex_ownership_transfers_total", [("event", "enqueued")], counters.ownershipTransfersEnqueued)
        writer.sample("kvortex_ownership_transfers_total", [("event", "completed")], counters.ownershipTransfersCompleted)
        writer.sample("kvortex_ownership_transfers_total", [("event", "dropped")], counters.ownershipTransfersDropped)
        writer.family("kvortex_ownership_objects_handed_off_total", .counter,
                      help: "Objects new owners acknowledged (one per object per new owner).")
        writer.sample("kvortex_ownership_objects_handed_off_total", [], counters.ownershipObjectsHandedOff)
        writer.family("kvortex_ownership_deliveries_failed_total", .counter,
                      help: "Handed-off objects not delivered; their partition transfer is sent again.")
        writer.sample("kvortex_ownership_deliveries_failed_total", [], counters.ownershipDeliveriesFailed)
        writer.family("kvortex_cluster_leaving", .gauge, help: "0 a member, 1 leaving and handing off, 2 handed off (stopping).")
        let leaving = switch node.leaveProgress {
        case .member: 0
        case .handingOff: 1
        case .handedOff: 2
        }
        writer.sample("kvortex_cluster_leaving", [], leaving)
    }
}
