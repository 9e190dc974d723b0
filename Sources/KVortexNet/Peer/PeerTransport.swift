import Synchronization

/// Persistent TCP connections between nodes (DESIGN.md "Runtime"): one outgoing link per peer, on
/// its own thread (which a sender on an idle link bypasses: it writes the frame itself), and the
/// peers' incoming connections read on the event loops. Carries frames (`length u32 LE` then the
/// body, as `WireFrame` writes them) and knows nothing of their content.
///
/// A node sends to a peer by its peer address (`host:port`). Frames from a peer arrive on
/// `receive(peerNodeID, frame)` on a loop thread, the frame valid only during the call (copy what is
/// kept); `connectionChanged` reports links going up and down. Nothing here blocks the caller of
/// `send`: a full queue or a peer that could not be reached answers at once.
///
/// With a cluster secret configured, both sides prove it in the handshake (`PeerAuthentication`)
/// before any frame is delivered; `lastFailure(to:)` says why a peer was refused.
public final class PeerTransport: Sendable {
    public let configuration: PeerTransportConfiguration
    public let counters = CounterArray(count: PeerCounter.allCases.count)
    /// The loops incoming connections are read on: shared with the HTTP server, or the transport's own.
    public let loops: EventLoopGroup
    private let ownsLoops: Bool
    private let acceptor: PeerAcceptor
    private let links = Mutex<[String: PeerLink]>([:])
    private let connectionChanged: @Sendable (String, Bool) -> Void

    /// With `loops` nil the transport runs one loop of its own; a shared group is started and
    /// stopped by its owner (started before frames can be read, stopped after `stop`).
    public init(configuration: PeerTransportConfiguration, loops: EventLoopGroup? = nil,
                receive: @escaping @Sendable (String, PeerFrames) -> Void,
                connectionChanged: @escaping @Sendable (String, Bool) -> Void = { _, _ in }) throws(NetError) {
        self.configuration = configuration
        self.connectionChanged = connectionChanged
        ownsLoops = loops == nil
        if let loops {
            self.loops = loops
        } else {
            self.loops = try EventLoopGroup(count: 1)
        }
        acceptor = try PeerAcceptor(configuration: configuration, counters: counters, loops: self.loops, receive: receive)
    }

    /// The port peers connect to (the configured one, or the one picked for port 0).
    public var port: Int { acceptor.port }

    public func start() throws(NetError) {
        if ownsLoops { try loops.start() }
        acceptor.start()
    }

    /// Queues `frame` for `peer` (`host:port`), opening the link on first use.
    public func send(_ frame: [UInt8], to peer: String) -> PeerSendResult {
        channel(to: peer)?.send(frame) ?? .unreachable
    }

    /// The link to `peer` (`host:port`), opened on first use, to send to without looking it up each
    /// time: a link lives as long as the transport (it reconnects by itself). Nil when `peer` is not
    /// a `host:port`.
    public func channel(to peer: String) -> PeerChannel? {
        links.withLock { links in
            if let link = links[peer] { return PeerChannel(link: link) }
            guard let (host, port) = HostPort.split(peer) else { return nil }
            let link = PeerLink(peer: peer, host: host, port: port, configuration: configuration,
                                counters: counters, seed: UInt64(bitPattern: Int64(peer.hashValue)), onConnected: connectionChanged)
            links[peer] = link
            link.start()
            return PeerChannel(link: link)
        }
    }

    /// Closes the link to `peer` and forgets it (frames still queued are dropped); a later send opens a
    /// new one. For a member that left: its link would otherwise keep reconnecting.
    public func forget(_ peer: String) {
        links.withLock { $0.removeValue(forKey: peer) }?.stop()
    }

    /// Links open or reconnecting, one per peer address sent to.
    public var linkCount: Int { links.withLock { $0.count } }

    /// Stops accepting and closes every link (frames still queued are dropped).
    public func stop() {
        acceptor.stop()
        links.withLock { links in
            for link in links.values { link.stop() }
            links.removeAll()
        }
        if ownsLoops { loops.stop() }
    }

    /// Why the link to `peer` last failed (a refused handshake says why), or nil when it has not
    /// failed since it last connected, or does not exist.
    /// The peer at `peer` is alive (it just sent something): a link backing off from an earlier failure
    /// connects again now instead of when its backoff ends.
    public func retryNow(_ peer: String) {
        links.withLock { $0[peer] }?.retryNow()
    }

    public func lastFailure(to peer: String) -> NetError? {
        links.withLock { $0[peer] }?.lastFailure
    }

    public func counter(_ counter: PeerCounter) -> UInt64 {
        counters.value(at: counter.rawValue)
    }
}

/// A handle on the transport's link to one peer (`PeerTransport.channel(to:)`), which a sender keeps
/// instead of looking the link up by address for every frame. After the transport stops, every
/// send answers `unreachable`.
public struct PeerChannel: Sendable {
    let link: PeerLink

    /// The peer's address (`host:port`).
    public var peer: String { link.peer }

    /// Queues `frame` (a whole frame, as `WireFrame` writes it) for the peer.
    public func send(_ frame: [UInt8]) -> PeerSendResult {
        link.send { $0.append(contentsOf: frame) }
    }

    /// Queues one frame that `encode` appends to the bytes it is given, which are the link's queue:
    /// the frame needs no buffer of its own. `encode` runs under the link's lock and must append
    /// exactly one whole frame (5 bytes to `frameBytesMax`, checked).
    public func send(encodedBy encode: (inout [UInt8]) -> Void) -> PeerSendResult {
        link.send(encodedBy: encode)
    }
}
