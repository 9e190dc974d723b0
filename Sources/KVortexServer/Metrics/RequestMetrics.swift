import KVortexNet

/// Request counts by route and status, and latency histograms by route, for `/metrics`.
public final class RequestMetrics: Sendable {
    /// Statuses counted individually; anything else lands in the "other" column.
    public static let statuses: [Int] = [
        200, 202, 204, 300, 400, 401, 403, 404, 405, 408, 409, 413, 414, 431, 500, 501, 503,
    ]
    private static let statusColumns = statuses.count + 1
    private let counts = CounterArray(count: Route.allCases.count * RequestMetrics.statusColumns)
    private let latencies: [LatencyHistogram] = Route.allCases.map { _ in LatencyHistogram() }

    public init() {}

    public func record(_ route: Route, status: Int, micros: UInt64) {
        let column = Self.statuses.firstIndex(of: status) ?? Self.statuses.count
        counts.add(1, at: route.rawValue * Self.statusColumns + column)
        latencies[route.rawValue].record(micros: micros)
    }

    public func write(to writer: inout PrometheusWriter) {
        writer.family("kvortex_http_requests_total", .counter, help: "HTTP requests answered, by route and status.")
        for route in Route.allCases {
            for column in 0..<Self.statusColumns {
                let value = counts.value(at: route.rawValue * Self.statusColumns + column)
                guard value > 0 else { continue }
                let status = column < Self.statuses.count ? String(Self.statuses[column]) : "other"
                writer.sample("kvortex_http_requests_total", [("route", route.label), ("status", status)], value)
            }
        }
        writer.family("kvortex_http_request_duration_seconds", .histogram,
                      help: "Time from a parsed request to its response, by route.")
        for route in Route.allCases where latencies[route.rawValue].snapshot().cumulative.last ?? 0 > 0 {
            writer.histogram("kvortex_http_request_duration_seconds", [("route", route.label)], latencies[route.rawValue])
        }
    }
}
