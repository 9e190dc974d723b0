import Glibc

/// Where the server listens, how many loops it runs, and every bound it enforces.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (read it back from `HTTPServer.start()`).
    public var port: Int
    /// Event loops (threads); 0 means one per online core.
    public var loopCount = 0
    public var parserLimits = HTTPParserLimits()
    /// Open client connections; past it a new connection gets 503 and is closed.
    public var connectionsMax = 10_000
    /// A keep-alive connection with nothing in flight is closed after this long.
    public var idleTimeoutMs: UInt64 = 60_000
    /// A request head must be complete this long after its first byte, else 408.
    public var headerTimeoutMs: UInt64 = 10_000
    /// A request body must be complete this long after its first byte, else 408.
    public var bodyTimeoutMs: UInt64 = 60_000
    /// Responses pending on one connection before reading pauses (pipelining back-pressure).
    public var pipelineDepthMax = 64
    /// How often each loop checks its connections' timeouts.
    public var timeoutCheckIntervalMs: UInt64 = 100

    /// Largest body; larger is 413 (the parser's `bodyBytesMax`).
    public var bodyBytesMax: Int {
        get { parserLimits.bodyBytesMax }
        set { parserLimits.bodyBytesMax = newValue }
    }

    static let readBufferBytesInitial = 16 * 1024
    /// An output buffer that grew past this is released once drained.
    static let outputBufferBytesKept = 256 * 1024

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    var resolvedLoopCount: Int {
        loopCount > 0 ? loopCount : Self.onlineCores
    }

    static var onlineCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
