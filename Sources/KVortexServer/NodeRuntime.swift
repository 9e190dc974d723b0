import Dispatch
import Glibc
import KVortexCore
import KVortexNet
import KVortexStorage

/// One running node: storage, the core node's driver and peer transport, key service, HTTP server
/// and background sweep, wired from a `NodeConfiguration` (DESIGN.md "The shape").
public final class NodeRuntime: Sendable {
    public let configuration: NodeConfiguration
    public let nodeID: NodeID
    /// Where clients and peers reach this node (ports picked when 0 was asked for).
    public let httpAddress: String
    public let peerAddress: String
    public let storage: any StorageEngine
    public let keys: KeyService
    public let driver: NodeDriver
    let status: NodeStatus
    let leaveWatcher: LeaveWatcher
    let server: HTTPServer
    /// The bearer-token check of the HTTP handler; nil without `--auth-token-file`.
    let accessControl: AccessControl?
    /// The event loops: HTTP connections and peers' incoming connections are read on the same ones.
    let loops: EventLoopGroup
    /// Held from the start until the listeners are bound, so the addresses are known first.
    private let reservations: [PortReservation]
    // DispatchSource timers are thread-safe; Dispatch just does not declare them Sendable.
    nonisolated(unsafe) private let sweepTimer: DispatchSourceTimer
    /// Objects removed per sweep tick at most, so a sweep never holds a loop or a shard for long.
    public static let sweepKeysPerTickMax = 10_000
    public static let sweepIntervalMs = 1_000

    public init(configuration: NodeConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        // Ports first: the node ID defaults to the peer address, and storage keeps the node ID.
        do {
            reservations = [try PortReservation(host: configuration.httpHost, port: configuration.httpPort),
                            try PortReservation(host: configuration.resolvedPeerHost, port: configuration.resolvedPeerPort)]
        } catch {
            throw .invalid("cannot use the address: \(error)")
        }
        httpAddress = "\(configuration.httpHost):\(reservations[0].port)"
        peerAddress = "\(configuration.resolvedPeerHost):\(reservations[1].port)"
        nodeID = NodeID(configuration.nodeID ?? peerAddress)
        let epoch: UInt64
        let hints: any HintStore
        // With N > 1 tombstones are reaped once every other primary confirms (the core asks); the engines
        // then reap on their own only after the backstop. N = 1 reaps on the grace alone, as before, and
        // so does the cache tier (`--max-memory`), whose LRU eviction forgets objects unconfirmed anyway
        // and whose expired values must go at the sweep's pace (docs/anti-entropy.md §4).
        let reaping = ReapSettings(isConfirming: configuration.replicaCount > 1 && configuration.memoryBytesMax == nil,
                                   graceMs: configuration.tombstoneGraceMs, backstopMs: configuration.tombstoneBackstopMs)
        switch configuration.storage {
        case .memory:
            // A memory node always starts without its old data, so always in a new epoch (DESIGN.md).
            epoch = UInt64.random(in: 1...UInt64.max)
            storage = MemoryEngine(configuration: MemoryEngine.Configuration(
                memoryBytesMax: configuration.memoryBytesMax, reapGraceMs: reaping.engineGraceMs))
            hints = MemoryHintStore()
        case .log, .sqlite:
            let directory = configuration.dataDirectory!
            try Self.makeDirectories(directory + "/hints")
            let fsync = FsyncPolicy(rawValue: configuration.fsync ?? FsyncPolicy.batch.rawValue)!
            let durable: any StorageEngine
            do {
                durable = configuration.storage == .log
                    ? try LogEngine(configuration: LogEngine.Configuration(directory: directory + "/log", fsync: fsync,
                                                                          reapGraceMs: reaping.engineGraceMs))
                    : try SQLiteEngine(configuration: SQLiteEngine.Configuration(path: directory + "/kvortex.sqlite", fsync: fsync,
                                                                                reapGraceMs: reaping.engineGraceMs))
                hints = try LogHintStore(directory: directory + "/hints", fsync: fsync)
            } catch {
                throw .invalid("cannot open the \(configuration.storage.rawValue) storage in \(directory): \(error)")
            }
            storage = configuration.cacheBytes.map {
                ReadCachedEngine(base: durable, cacheBytes: $0, reapGraceMs: reaping.engineGraceMs)
            } ?? durable
            epoch = try NodeIdentity.epoch(for: nodeID, in: directory)
        }
        let actor = ActorID(node: nodeID, epoch: epoch)
        keys = KeyService(nodeID: nodeID, actor: actor, storage: storage, mode: configuration.conflictMode,
                          siblingsMax: configuration.siblingsMax, clockMs: SystemClock.wallMs)
        var settings = NodeSettings(nodeID: nodeID, replicaCount: configuration.replicaCount,
                                    conflictMode: configuration.conflictMode, siblingsMax: configuration.siblingsMax)
        settings.peerAddress = peerAddress
        settings.reaping = reaping
        settings.httpAddress = httpAddress
        settings.departures = DepartureSettings(tombstoneRetentionMs: configuration.tombstoneRetentionMs,
                                                tombstonesMax: configuration.tombstonesMax)
        var transport = PeerTransportConfiguration(host: configuration.resolvedPeerHost, port: reservations[1].port,
                                                   nodeID: nodeID.rawValue)
        transport.clusterSecret = try configuration.clusterSecretFile.map(ClusterSecret.read)
        do {
            loops = try EventLoopGroup(count: configuration.loopCount)
        } catch {
            throw .invalid("cannot start the event loops: \(error)")
        }
        do {
            driver = try NodeDriver(settings: settings, epoch: epoch, storage: storage, hints: hints, seeds: configuration.seeds,
                                    transport: transport, loops: loops,
                                    randomSeed: UInt64.random(in: 0...UInt64.max), clockMs: SystemClock.wallMs)
        } catch {
            throw .invalid("cannot listen for peers on \(peerAddress): \(error)")
        }
        var routes = HTTPRoutesConfiguration(
            quorum: QuorumDefaults(replicaCount: configuration.replicaCount, readQuorum: configuration.readQuorum,
                                   writeQuorum: configuration.writeQuorum, timeoutMs: configuration.timeoutMs),
            valueBytesMax: configuration.valueBytesMax)
        routes.accessTokens = configuration.accessTokens
        routes.protectsOperationalRoutes = configuration.protectMetrics
        var httpConfiguration = HTTPServerConfiguration(host: configuration.httpHost, port: reservations[0].port)
        httpConfiguration.loopCount = configuration.loopCount
        httpConfiguration.connectionsMax = configuration.connectionsMax
        httpConfiguration.bodyBytesMax = configuration.valueBytesMax + 64 * 1024
        leaveWatcher = LeaveWatcher(driver: driver)
        status = NodeStatus(driver: driver, storage: storage, keys: keys, faultInjection: configuration.enableFaultInjection,
                            leaveWatcher: leaveWatcher)
        let handler = KVortexHTTPHandler(keys: ClusterKeys(local: keys, driver: driver, clockMs: SystemClock.wallMs),
                                         configuration: routes, status: status, monotonicMicros: SystemClock.monotonicMicros)
        server = HTTPServer(configuration: httpConfiguration, handler: handler, loops: loops)
        accessControl = handler.accessControl
        status.attach(server: server)
        sweepTimer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kvortex.sweep"))
    }

    /// `mkdir -p`: creates `path` and every missing parent.
    static func makeDirectories(_ path: String) throws(ConfigurationError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw .invalid("cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Binds the listeners and starts serving; returns the bound HTTP address.
    public func start() throws -> (host: String, port: Int) {
        let address = try server.start()
        try loops.start()
        try driver.start()
        reservations.forEach { $0.release() }
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

    /// Calls `action` once a graceful leave (`POST /cluster/leave`) has ended: every partition handed
    /// off, or the leave timed out (both logged). The serve command then stops the node as SIGTERM does.
    public func whenLeft(_ action: @escaping @Sendable (LeaveEnd) -> Void) {
        leaveWatcher.onEnd(action)
    }

    /// How the leave ended, if the node left (or gave up leaving).
    public var leaveEnd: LeaveEnd? { leaveWatcher.end }

    /// Why the node is stopping once `signal` was taken: its own leave, which stops it by SIGTERM, or
    /// the signal someone sent ("signal 15"). For the serve command's "kvortex: <reason>, stopping".
    public func stopReason(signal: Int32) -> String {
        leaveEnd?.stopReason ?? "signal \(signal)"
    }

    /// Reads `--auth-token-file` again (the serve command does on SIGHUP): an accepted file's tokens are
    /// in use for the requests that follow, a refused file leaves the tokens in use. A node started
    /// without the file stays open. Safe while requests are served.
    public func reloadAccessTokens() -> AccessTokenReload {
        guard let path = configuration.accessTokenFile, let accessControl else { return .noTokenFile }
        return accessControl.reload(from: path)
    }

    /// Stops accepting, finishes in-flight requests within the grace period, hands off the hints it
    /// holds for reachable members (within the same bound), stops the peers, flushes storage.
    public func stop() {
        sweepTimer.cancel()
        server.stop(gracePeriodMs: configuration.shutdownGraceMs)
        if !driver.deliverHints(timeoutMs: configuration.shutdownGraceMs) {
            Log.line("stopping with hints undelivered: their members did not take them within \(configuration.shutdownGraceMs) ms")
        }
        driver.stop()
        loops.stop()
        do {
            try storage.close()
        } catch {
            Log.line("closing storage failed: \(error)")
        }
    }
}
