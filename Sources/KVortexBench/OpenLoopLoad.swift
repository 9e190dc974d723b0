/// A server the load goes to.
public struct BenchTarget: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// An open-loop load (`kvortex bench --rate`): requests go out on `schedule`'s fixed times whatever the
/// server does, over `schedule.connectionCount` keep-alive connections, connection `c` to
/// `targets[c mod targets.count]`, and each latency counts from the time its request was due.
///
/// One thread (the caller's) drives every connection with epoll, like wrk2's one-thread event loop.
public struct OpenLoopLoad: Sendable {
    public let targets: [BenchTarget]
    public let operation: BenchOperation
    public let keyCount: Int
    public let valueBytes: Int
    public let schedule: RateSchedule
    /// A request unanswered this long fails and its connection is reopened.
    public var responseTimeoutMs = 10_000
    /// After the schedule's end, how long requests still waiting for their connection may go out and
    /// in-flight ones may be answered; what is left then is reported unsent or failed.
    public var drainMsMax = 5_000
    /// Header lines every request carries (`Authorization: Bearer ...`), written once into the request
    /// templates: they cost no work per request. Names and values must hold no CR or LF.
    public var headers: [(name: String, value: String)] = []

    public init(targets: [BenchTarget], operation: BenchOperation, keyCount: Int, valueBytes: Int, schedule: RateSchedule) {
        precondition(!targets.isEmpty, "an open-loop load needs a target")
        self.targets = targets
        self.operation = operation
        self.keyCount = keyCount
        self.valueBytes = valueBytes
        self.schedule = schedule
    }

    /// Connects every connection (throws if one cannot), runs the schedule and returns the report.
    /// Request failures during the run are counted in the report, not thrown.
    public func run() throws(BenchError) -> OpenLoopReport {
        let driver = try OpenLoopDriver(load: self)
        return try driver.run()
    }
}
