import KVortexCore

/// Per-request consistency and write options, validated (API.md "Per-request consistency").
///
/// Every field is already checked against the cluster's N: an invalid header never reaches here.
public struct RequestOptions: Equatable, Sendable {
    public var readQuorum: Int
    public var writeQuorum: Int
    public var sloppyQuorum: Bool
    public var timeoutMs: Int
    /// What `X-Context` carries, or nil for a blind write.
    public var context: WriteContext?
    /// Seconds until expiry from `X-TTL`, or nil.
    public var ttlSeconds: UInt64?

    public init(readQuorum: Int, writeQuorum: Int, sloppyQuorum: Bool = true, timeoutMs: Int,
                context: WriteContext? = nil, ttlSeconds: UInt64? = nil) {
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.sloppyQuorum = sloppyQuorum
        self.timeoutMs = timeoutMs
        self.context = context
        self.ttlSeconds = ttlSeconds
    }
}

extension RequestOptions {
    /// What the core's coordinators take of these options.
    public var quorumOptions: QuorumOptions {
        QuorumOptions(readQuorum: readQuorum, writeQuorum: writeQuorum, sloppy: sloppyQuorum, timeoutMs: UInt64(timeoutMs))
    }
}

/// The raw header values that make up `RequestOptions`, before validation.
public struct RequestOptionHeaders: Sendable {
    public var consistency: String?
    public var readQuorum: String?
    public var writeQuorum: String?
    public var sloppyQuorum: String?
    public var timeoutMs: String?
    public var context: String?
    public var ttl: String?

    public init(consistency: String? = nil, readQuorum: String? = nil, writeQuorum: String? = nil,
                sloppyQuorum: String? = nil, timeoutMs: String? = nil, context: String? = nil,
                ttl: String? = nil) {
        self.consistency = consistency
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.sloppyQuorum = sloppyQuorum
        self.timeoutMs = timeoutMs
        self.context = context
        self.ttl = ttl
    }

    public var isEmpty: Bool {
        consistency == nil && readQuorum == nil && writeQuorum == nil && sloppyQuorum == nil
            && timeoutMs == nil && context == nil && ttl == nil
    }
}

/// The cluster-wide defaults that per-request headers override.
public struct QuorumDefaults: Equatable, Sendable {
    public var replicaCount: Int
    public var readQuorum: Int
    public var writeQuorum: Int
    public var timeoutMs: Int
    /// Longest `X-TTL` accepted, in seconds (ten years).
    public static let ttlSecondsMax: UInt64 = 10 * 365 * 24 * 3600
    /// Longest `X-Timeout-Ms` accepted.
    public static let timeoutMsMax = 600_000

    public init(replicaCount: Int, readQuorum: Int, writeQuorum: Int, timeoutMs: Int) {
        precondition(readQuorum >= 1 && readQuorum <= replicaCount, "R (\(readQuorum)) outside 1...N (\(replicaCount))")
        precondition(writeQuorum >= 1 && writeQuorum <= replicaCount, "W (\(writeQuorum)) outside 1...N (\(replicaCount))")
        self.replicaCount = replicaCount
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.timeoutMs = timeoutMs
    }

    /// These defaults in a cluster of `size` members: N, R and W at most `size` (API.md "Defaults").
    public func capped(at size: Int) -> QuorumDefaults {
        guard size < replicaCount else { return self }
        let n = max(1, size)
        return QuorumDefaults(replicaCount: n, readQuorum: min(readQuorum, n), writeQuorum: min(writeQuorum, n), timeoutMs: timeoutMs)
    }

    public var options: RequestOptions {
        RequestOptions(readQuorum: readQuorum, writeQuorum: writeQuorum, timeoutMs: timeoutMs)
    }

    /// Validates the headers against N; the first invalid header is the error (400).
    public func options(from headers: RequestOptionHeaders) throws(KVError) -> RequestOptions {
        var options = self.options
        guard !headers.isEmpty else { return options }
        if let text = headers.consistency {
            let level = try consistencyLevel(text)
            options.readQuorum = level
            options.writeQuorum = level
        }
        if let text = headers.readQuorum {
            options.readQuorum = try quorum(text, header: "X-Read-Quorum")
        }
        if let text = headers.writeQuorum {
            options.writeQuorum = try quorum(text, header: "X-Write-Quorum")
        }
        if let text = headers.sloppyQuorum {
            switch text.lowercased() {
            case "true": options.sloppyQuorum = true
            case "false": options.sloppyQuorum = false
            default: throw .invalidHeader(name: "X-Sloppy-Quorum", reason: "must be true or false, got '\(text)'")
            }
        }
        if let text = headers.timeoutMs {
            guard let value = Int(text), value >= 1, value <= Self.timeoutMsMax else {
                throw .invalidHeader(name: "X-Timeout-Ms", reason: "must be an integer 1..\(Self.timeoutMsMax), got '\(text)'")
            }
            options.timeoutMs = value
        }
        if let text = headers.context {
            guard let context = CausalContext.context(fromToken: text.utf8) else { throw .malformedContext }
            options.context = context
        }
        if let text = headers.ttl {
            guard let value = UInt64(text), value >= 1, value <= Self.ttlSecondsMax else {
                throw .invalidHeader(name: "X-TTL", reason: "must be whole seconds 1..\(Self.ttlSecondsMax), got '\(text)'")
            }
            options.ttlSeconds = value
        }
        return options
    }

    private func consistencyLevel(_ text: String) throws(KVError) -> Int {
        let level: Int
        switch text.lowercased() {
        case "one": level = 1
        case "two": level = 2
        case "quorum": level = replicaCount / 2 + 1
        case "all": level = replicaCount
        default:
            throw .invalidHeader(name: "X-Consistency", reason: "must be one, two, quorum or all, got '\(text)'")
        }
        guard level <= replicaCount else {
            throw .invalidHeader(name: "X-Consistency", reason: "'\(text)' needs \(level) replicas but N is \(replicaCount)")
        }
        return level
    }

    private func quorum(_ text: String, header: String) throws(KVError) -> Int {
        guard let value = Int(text), value >= 1, value <= replicaCount else {
            throw .invalidHeader(name: header, reason: "must be an integer 1..\(replicaCount) (N), got '\(text)'")
        }
        return value
    }
}
