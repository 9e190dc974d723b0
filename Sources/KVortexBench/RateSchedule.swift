/// The fixed send times of an open-loop load: `ratePerSecond` requests a second in total, request `n`
/// (0, 1, 2, ...) due `n × 10⁹ / rate` ns after the start, on connection `n mod connectionCount`.
///
/// Spreading one sequence round-robin over the connections keeps the total evenly spaced (every
/// `1/rate` s) and each connection's own requests `connectionCount/rate` s apart. The schedule does not
/// depend on when responses arrive: that is what makes the load open-loop (wrk2's "constant throughput").
public struct RateSchedule: Sendable, Equatable {
    /// Requests a second, over all connections.
    public let ratePerSecond: Int
    public let connectionCount: Int
    public let durationSeconds: Int
    /// Requests due within the duration: exactly `ratePerSecond × durationSeconds`.
    public let requestCount: Int

    /// Largest rate accepted; keeps `n × 10⁹` and `requestCount` far inside 64 bits for an hour's run.
    public static let ratePerSecondMax = 1_000_000
    /// Longest run accepted, in seconds.
    public static let durationSecondsMax = 3_600

    public init(ratePerSecond: Int, connectionCount: Int, durationSeconds: Int) {
        precondition(ratePerSecond >= 1, "rate (\(ratePerSecond)) must be at least 1 per second")
        precondition(ratePerSecond <= Self.ratePerSecondMax, "rate (\(ratePerSecond)) exceeds \(Self.ratePerSecondMax)")
        precondition(connectionCount >= 1, "connection count (\(connectionCount)) must be at least 1")
        precondition(durationSeconds >= 1, "duration (\(durationSeconds) s) must be at least 1 s")
        precondition(durationSeconds <= Self.durationSecondsMax, "duration (\(durationSeconds) s) exceeds \(Self.durationSecondsMax)")
        self.ratePerSecond = ratePerSecond
        self.connectionCount = connectionCount
        self.durationSeconds = durationSeconds
        self.requestCount = ratePerSecond * durationSeconds
    }

    /// Nanoseconds after the start at which request `request` is due (rounded down to the nanosecond).
    public func dueOffsetNs(request: Int) -> UInt64 {
        precondition(request >= 0, "request index (\(request)) is negative")
        return UInt64(request) * 1_000_000_000 / UInt64(ratePerSecond)
    }

    /// The connection that sends request `request`.
    public func connection(ofRequest request: Int) -> Int {
        request % connectionCount
    }

    /// The index of the `turn`-th request (0, 1, ...) sent on `connection`.
    public func request(connection: Int, turn: Int) -> Int {
        precondition(connection >= 0 && connection < connectionCount, "connection \(connection) of \(connectionCount)")
        return turn * connectionCount + connection
    }

    /// How many of the schedule's requests go to `connection`.
    public func requestCount(connection: Int) -> Int {
        precondition(connection >= 0 && connection < connectionCount, "connection \(connection) of \(connectionCount)")
        guard connection < requestCount else { return 0 }
        return (requestCount - connection + connectionCount - 1) / connectionCount
    }
}
