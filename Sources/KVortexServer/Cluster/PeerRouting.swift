import KVortexCore
import KVortexNet
import Synchronization

/// Where the driver sends a node's messages, and which peers it must not talk to.
///
/// - Addresses: a member's peer address as its gossip carries it. A node never heard of is tried at
///   its ID, which is its peer address unless `--node-id` said otherwise.
/// - Seeds: addresses given with `--seeds` (or `POST /cluster/join`); a seed is contacted until some
///   member's gossip names it as its address.
/// - Isolation (`POST /admin/partition`, only with `--enable-fault-injection`): every message to an
///   isolated node fails at once, as if the connection were refused, and every frame from one is
///   dropped; both counted.
public final class PeerRouting: Sendable {
    private struct State {
        var addresses: [NodeID: String] = [:]
        /// The link to each node sent to, at its address in `addresses`; dropped when that changes.
        /// At most one per member (members are bounded by gossip's `gossipMembersMax`). Scanned, not
        /// hashed: a node ID compares by its precomputed hash first, and a cluster has few peers, so a
        /// walk is cheaper than hashing the ID on every send.
        var channels: [(node: NodeID, channel: PeerChannel)] = []
        var seeds: [String]
        var isolated: Set<NodeID> = []
    }

    public let ownAddress: String
    private let state: Mutex<State>
    /// Lets the hot path skip the lock while nothing is isolated (always, without fault injection).
    private let anyIsolated = Atomic<Bool>(false)
    /// Frames dropped, in and out, because their peer is isolated.
    public let isolatedFrames = Atomic<UInt64>(0)

    init(ownAddress: String, seeds: [String]) {
        self.ownAddress = ownAddress
        state = Mutex(State(seeds: seeds.filter { $0 != ownAddress }))
    }

    /// The address to send `node`'s messages to.
    func address(of node: NodeID) -> String {
        state.withLock { $0.addresses[node] } ?? node.rawValue
    }

    /// The link to `node`'s address, kept per node ID: a send takes one lookup under one lock, not an
    /// address lookup and then a link lookup by address under another. `open` opens a link (outside
    /// the lock); nil when the address is not `host:port`.
    func channel(to node: NodeID, open: (String) -> PeerChannel?) -> PeerChannel? {
        if let channel = state.withLock({ state in state.channels.first { $0.node == node }?.channel }) { return channel }
        let address = address(of: node)
        guard let channel = open(address) else { return nil }
        state.withLock { state in
            // Kept only if gossip did not move the node meanwhile.
            guard (state.addresses[node] ?? node.rawValue) == address else { return }
            state.channels.removeAll { $0.node == node }
            state.channels.append((node, channel))
        }
        return channel
    }

    /// Records the addresses a gossip message carries; the sender's own digest is the freshest news.
    func learn(_ digests: [MemberDigest]) {
        state.withLock { state in
            for digest in digests where !digest.peerAddress.isEmpty && digest.peerAddress != ownAddress
                && state.addresses[digest.node] != digest.peerAddress {
                state.addresses[digest.node] = digest.peerAddress
                state.channels.removeAll { $0.node == digest.node }
            }
        }
    }

    /// Drops `node`'s address and link (a member that left, `NodeEffect.forgetPeer`). Returns the
    /// address it had, for the transport to close, unless another node or a seed still uses it.
    func forget(_ node: NodeID) -> String? {
        state.withLock { state in
            let address = state.addresses.removeValue(forKey: node) ?? node.rawValue
            state.channels.removeAll { $0.node == node }
            let stillUsed = state.addresses.values.contains(address) || state.seeds.contains(address)
            return stillUsed ? nil : address
        }
    }

    func addSeed(_ address: String) {
        state.withLock { state in
            if address != ownAddress && !state.seeds.contains(address) { state.seeds.append(address) }
        }
    }

    /// Seeds no known member listens on.
    func unknownSeeds() -> [String] {
        state.withLock { state in
            let known = Set(state.addresses.values)
            return state.seeds.filter { !known.contains($0) }
        }
    }

    /// True (and counted, as `frames` frames) when traffic with `node` is to be dropped.
    func isIsolated(_ node: NodeID, frames: Int = 1) -> Bool {
        guard anyIsolated.load(ordering: .relaxed) else { return false }
        let isolated = state.withLock { $0.isolated.contains(node) }
        if isolated { isolatedFrames.wrappingAdd(UInt64(frames), ordering: .relaxed) }
        return isolated
    }

    /// Replaces the set of isolated nodes; empty heals.
    public func isolate(_ nodes: Set<NodeID>) {
        state.withLock { state in
            state.isolated = nodes
            anyIsolated.store(!nodes.isEmpty, ordering: .relaxed)
        }
    }

    public var isolatedNodes: Set<NodeID> { state.withLock { $0.isolated } }
}
