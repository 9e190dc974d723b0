import KVortexCore
import KVortexNet

/// Everything `kvortex serve` can be told (API.md "Command line"), with the documented defaults.
public struct NodeConfiguration: Sendable {
    public enum StorageKind: String, Sendable, CaseIterable { case memory, log, sqlite }

    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// Defaults to the HTTP host and port + 1000 (an ephemeral port when the HTTP port is 0).
    public var peerHost: String?
    public var peerPort: Int?
    /// Defaults to the peer address.
    public var nodeID: String?
    public var seeds: [String] = []
    public var replicaCount = 3
    public var readQuorum = 2
    public var writeQuorum = 2
    public var conflictMode = ConflictMode.siblings
    public var storage = StorageKind.memory
    public var dataDirectory: String?
    /// When a durable engine acknowledges a write relative to its fsync; nil (not given) is `batch`.
    /// Kept optional so that `validate` can refuse it with the memory engine, which has no fsync.
    public var fsync: String?
    public var cacheBytes: Int?
    public var memoryBytesMax: Int?
    public var enableFaultInjection = false
    /// The parsed `--auth-token-file` (`AccessTokens.read`, by the serve command before anything is
    /// opened); nil leaves every endpoint open, as before authentication existed.
    public var accessTokens: AccessTokens?
    /// The file `accessTokens` were read from: `NodeRuntime.reloadAccessTokens` (SIGHUP) reads it again.
    /// Nil: nothing to reload.
    public var accessTokenFile: String?
    /// `--protect-metrics`: `/health`, `/ready` and `/metrics` need a token too; needs `accessTokens`.
    public var protectMetrics = false
    public var clusterSecretFile: String?
    public var valueBytesMax = Limits.valueBytesMaxDefault
    public var siblingsMax = Limits.siblingsMaxDefault
    public var timeoutMs = 5_000
    /// Event loops (threads) serving HTTP; 0 means one per core.
    public var loopCount = 0
    public var connectionsMax = 10_000
    /// How long SIGTERM waits for in-flight requests before closing connections.
    public var shutdownGraceMs = 5_000
    /// How long a member that left is remembered as a tombstone before it is forgotten, and how many
    /// are remembered at most (`DepartureSettings`). No flag sets them yet; tests and embedders may.
    public var tombstoneRetentionMs = DepartureSettings.tombstoneRetentionMsDefault
    /// `--tombstone-grace-ms`: how long a deleted (or expired) key's tombstone is kept before it may be
    /// reaped, once every other primary confirms it holds it (with N > 1; `ReapSettings.graceMs`).
    public var tombstoneGraceMs = Limits.tombstoneGraceMsDefault
    /// `--tombstone-backstop-ms`: after this long a tombstone is reaped unconfirmed (`ReapSettings.backstopMs`).
    public var tombstoneBackstopMs = Limits.reapBackstopMsDefault
    public var tombstonesMax = DepartureSettings.tombstonesMaxDefault

    public init() {}

    public var resolvedPeerHost: String { peerHost ?? httpHost }
    public var resolvedPeerPort: Int { peerPort ?? (httpPort == 0 ? 0 : httpPort + 1000) }

    /// Checks combinations the flag parser cannot; the message names the flag. A flag that would not
    /// apply to the engine chosen is refused rather than ignored, naming both flags.
    public func validate() throws(ConfigurationError) {
        guard replicaCount >= 1 else { throw .invalid("--replicas must be at least 1") }
        guard readQuorum >= 1, readQuorum <= replicaCount else { throw .invalid("--read-quorum must be 1..--replicas (\(replicaCount))") }
        guard writeQuorum >= 1, writeQuorum <= replicaCount else { throw .invalid("--write-quorum must be 1..--replicas (\(replicaCount))") }
        guard valueBytesMax >= 1, valueBytesMax <= Limits.valueBytesMaxCeiling else {
            throw .invalid("--value-bytes-max must be 1..\(Limits.valueBytesMaxCeiling)")
        }
        guard siblingsMax >= 1 else { throw .invalid("--siblings-max must be at least 1") }
        guard tombstoneBackstopMs >= tombstoneGraceMs else {
            throw .invalid("--tombstone-backstop-ms (\(tombstoneBackstopMs)) must be at least --tombstone-grace-ms (\(tombstoneGraceMs)): "
                + "the backstop reaps what the grace made reapable and no primary confirmed")
        }
        guard tombstonesMax >= 1 else { throw .invalid("the tombstones kept (\(tombstonesMax)) must be at least 1") }
        if storage != .memory && dataDirectory == nil { throw .invalid("--storage \(storage.rawValue) needs --data-dir") }
        if let fsync {
            guard ["always", "batch", "none"].contains(fsync) else { throw .invalid("--fsync must be always, batch or none") }
            if storage == .memory {
                throw .invalid("--fsync is when a durable engine acknowledges a write, and --storage memory (the default) "
                    + "writes no file: add --storage log or sqlite, or leave --fsync out")
            }
        }
        if cacheBytes != nil && storage == .memory { throw .invalid("--cache-bytes is a read cache in front of a durable engine (--storage log or sqlite)") }
        if memoryBytesMax != nil && storage != .memory {
            throw .invalid("--max-memory bounds the memory engine only (--storage memory), not --storage \(storage.rawValue): "
                + "a durable engine keeps its data on disk, and --cache-bytes sizes its read cache")
        }
        if dataDirectory != nil && storage == .memory {
            throw .invalid("--data-dir is for the files of a durable engine, and --storage memory (the default) writes none: "
                + "add --storage log or sqlite, or leave --data-dir out")
        }
        for seed in seeds where !Self.isHostPort(seed) {
            throw .invalid("--seeds takes peer addresses HOST:PORT separated by commas; '\(seed)' is not one")
        }
        if protectMetrics && accessTokens == nil {
            throw .invalid("--protect-metrics makes /health, /ready and /metrics need a token of --auth-token-file, "
                + "and none was given: add --auth-token-file F, or leave --protect-metrics out")
        }
    }
}

extension NodeConfiguration {
    /// A peer address to connect to: `HOST:PORT` with a port other than 0.
    static func isHostPort(_ text: String) -> Bool {
        HostPort.split(text).map { $0.port >= 1 } ?? false
    }
}

public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}
