/// Settings of the peer transport; every queue and wait has a named bound.
public struct PeerTransportConfiguration: Sendable {
    /// Address to listen on for peers (`--peer`); port 0 picks a free one.
    public var host: String
    public var port: Int
    /// This node's ID, sent in the handshake (peers address it by it).
    public var nodeID: String
    /// Peers of another cluster are refused at the handshake.
    public var clusterName: String
    /// The cluster secret (`--cluster-secret-file`): when set, both sides of every peer connection
    /// prove they hold it (`PeerAuthentication`) and a peer without it, or with another, is refused;
    /// nil authenticates nobody and refuses peers that offer a secret. Never sent; must not be empty,
    /// and should be random bytes rather than a password.
    public var clusterSecret: [UInt8]?
    /// Frames waiting per peer; past it `send` answers `.queueFull` (counted) instead of growing.
    public var queueFramesMax: Int
    /// Bytes waiting per peer, the same way.
    public var queueBytesMax: Int
    /// Largest frame written or read (a longer one closes the connection as a protocol error).
    public var frameBytesMax: Int
    /// Capacity of an emptied write buffer kept for the next batch of frames (a link queues frames
    /// back to back in one buffer and writes them all at once); a larger one is freed.
    public var keptBufferBytesMax: Int
    /// Timeout of connect, handshake and each send.
    public var ioTimeoutMs: Int
    /// Reconnect waits: exponential from the first to the cap, with up to 50 % random jitter.
    public var reconnectBackoffFirstMs: Int
    public var reconnectBackoffMaxMs: Int

    public init(host: String = "127.0.0.1", port: Int = 0, nodeID: String, clusterName: String = "kvortex", clusterSecret: [UInt8]? = nil,
                queueFramesMax: Int = 10_000, queueBytesMax: Int = 64 << 20, frameBytesMax: Int = 64 << 20,
                keptBufferBytesMax: Int = 256 << 10, ioTimeoutMs: Int = 2_000,
                reconnectBackoffFirstMs: Int = 50, reconnectBackoffMaxMs: Int = 5_000) {
        self.host = host
        self.port = port
        self.nodeID = nodeID
        self.clusterName = clusterName
        precondition(clusterSecret.map { !$0.isEmpty } ?? true, "empty cluster secret (nil turns authentication off)")
        self.clusterSecret = clusterSecret
        self.queueFramesMax = queueFramesMax
        self.queueBytesMax = queueBytesMax
        self.frameBytesMax = frameBytesMax
        self.keptBufferBytesMax = keptBufferBytesMax
        self.ioTimeoutMs = ioTimeoutMs
        self.reconnectBackoffFirstMs = reconnectBackoffFirstMs
        self.reconnectBackoffMaxMs = reconnectBackoffMaxMs
    }
}

/// What `PeerTransport.send` did with a frame.
public enum PeerSendResult: Equatable, Sendable {
    case queued
    /// The peer's queue is at its bound: the frame is dropped (the caller treats it as lost).
    case queueFull
    /// The last attempt to connect failed and the link is waiting to retry: like a refused
    /// connection, so the node can route around the peer at once.
    case unreachable
}

/// Counters of the peer transport, for `/metrics`.
public enum PeerCounter: Int, CaseIterable, Sendable {
    case framesSent, framesReceived, bytesSent, bytesReceived, writes
    case queueFull, connects, connectFailures, disconnects
    /// Incoming connections refused at the handshake, whatever the reason.
    case handshakesRefused
    case protocolErrors
    /// Handshakes that failed over the cluster secret, on either side: a peer without it, with another
    /// one, or with a wrong or replayed proof (on the acceptor these are also `handshakesRefused`).
    case authenticationFailures
}
