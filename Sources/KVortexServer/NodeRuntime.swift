import Dispatch
import Glibc
import KVortexCore
import KVortexNet
import KVortexStorage

/// One running node: storage, key service, HTTP server and background sweep, wired from a
/// `NodeConfiguration`. The real driver of the core (DESIGN.md "The shape").
public final class NodeRuntime: Sendable {
    public let configuration: NodeConfiguration
    public let nodeID: NodeID
    public let storage: any StorageEngine
    public let keys: KeyService
    let status: SingleNodeStatus
    let server: HTTPServer
    // DispatchSource timers are thread-safe; Dispatch just does not declare them Sendable.
    nonisolated(unsafe) private let sweepTimer: DispatchSourceTimer
    /// Objects removed per sweep tick at most, so a sweep never holds a loop or a shard for long.
    public static let sweepKeysPerTickMax = 10_000
    public static let sweepIntervalMs = 1_000

    public init(configuration: NodeConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        nodeID = configuration.resolvedNodeID
        let epoch: UInt64
        switch configuration.storage {
        case .memory:
            // A memory node always starts without its old data, so always in a new epoch (DESIGN.md).
            epoch = UInt64.random(in: 1...UInt64.max)
            storage = MemoryEngine(configuration: MemoryEngine.Configuration(
                memoryBytesMax: configuration.memoryBytesMax, reapGraceMs: Limits.tombstoneGraceMsDefault))
        case .log, .sqlite:
            let directory = configuration.dataDirectory!
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else { throw .invalid("cannot create --data-dir \(directory)") }
            let fsync = FsyncPolicy(rawValue: configuration.fsync)!
            let durable: any StorageEngine
            do {
                durable = configuration.storage == .log
                    ? try LogEngine(configuration: LogEngine.Configuration(directory: directory + "/log", fsync: fsync))
                    : try SQLiteEngine(configuration: SQLiteEngine.Configuration(path: directory + "/kvortex.sqlite", fsync: fsync))
            } catch {
                throw .invalid("cannot open the \(configuration.storage.rawValue) storage in \(directory): \(error)")
            }
            storage = configuration.cacheBytes.map { ReadCachedEngine(base: durable, cacheBytes: $0) } ?? durable
            epoch = try NodeIdentity.epoch(for: nodeID, in: directory)
        }
        let actor = ActorID(node: nodeID, epoch: epoch)
        keys = KeyService(nodeID: nodeID, actor: actor, storage: storage, mode: configuration.conflictMode,
                          siblingsMax: configuration.siblingsMax, clockMs: SystemClock.wallMs)
        let routes = HTTPRoutesConfiguration(quorum: configuration.effectiveQuorum,
                                             valueBytesMax: configuration.valueBytesMax)
        var httpConfiguration = HTTPServerConfiguration(host: configuration.httpHost, port: configuration.httpPort)
        httpConfiguration.loopCount = configuration.loopCount
        httpConfiguration.connectionsMax = configuration.connectionsMax
        httpConfiguration.bodyBytesMax = configuration.valueBytesMax + 64 * 1024
        status = SingleNodeStatus(nodeID: nodeID, httpAddress: "\(configuration.httpHost):\(configuration.httpPort)",
                                  storage: storage, keys: keys, actor: actor)
        let handler = KVortexHTTPHandler(keys: keys, configuration: routes, status: status,
                                         monotonicMicros: SystemClock.monotonicMicros)
        server = HTTPServer(configuration: httpConfiguration, handler: handler)
        status.attach(server: server)
        sweepTimer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kvortex.sweep"))
    }

    /// Binds the listeners and starts serving; returns the bound HTTP address.
    public func start() throws -> (host: String, port: Int) {
        let address = try server.start()
        status.httpAddress = "\(address.host):\(address.port)"
        let storage = self.storage
        let swept = status
        sweepTimer.schedule(deadline: .now() + .milliseconds(Self.sweepIntervalMs),
                            repeating: .milliseconds(Self.sweepIntervalMs))
        sweepTimer.setEventHandler {
            let removed = storage.sweep(nowMs: SystemClock.wallMs(), keysMax: Self.sweepKeysPerTickMax)
            if removed == Self.sweepKeysPerTickMax { swept.recordSweepBoundHit() }
            do {
                if let line = try storage.maintain() { Log.line(line) }
            } catch {
                Log.line("storage maintenance failed: \(error)")
            }
        }
        sweepTimer.resume()
        return address
    }

    /// Stops accepting, finishes in-flight requests within the grace period, flushes storage.
    public func stop() {
        sweepTimer.cancel()
        server.stop(gracePeriodMs: configuration.shutdownGraceMs)
        do {
            try storage.close()
        } catch {
            Log.line("closing storage failed: \(error)")
        }
    }
}
