import KVortexNet

/// Request counts by route and status, latency histograms by route, and the reads that answered
/// siblings, for `/metrics`.
public final class RequestMetrics: Sendable {
    /// Statuses counted individually; anything else lands in the "other" column.
    public static let statuses: [Int] = [
        200, 202, 204, 300, 400, 401, 403, 404, 405, 408, 409, 413, 414, 431, 500, 501, 503,
    ]
    private static let statusColumns = statuses.count + 1
    private let counts = CounterArray(count: Route.allCases.count * RequestMetrics.statusColumns)
    private let latencies: [LatencyHistogram] = Route.allCases.map { _ in LatencyHistogram() }
    /// Reads (single or in a batch) that answered more than one sibling, then the siblings they answered.
    private let siblingReads = CounterArray(count: 2)

    public init() {}

    public func record(_ route: Route, status: Int, micros: UInt64) {
        let column = Self.statuses.firstIndex(of: status) ?? Self.statuses.count
        counts.add(1, at: route.rawValue * Self.statusColumns + column)
        latencies[route.rawValue].record(micros: micros)
    }

    /// Counts a read that answered `siblingCount` (> 1) concurrent values. Reads of one value are not
    /// counted, so the common read pays nothing.
    public func recordSiblingRead(siblingCount: Int) {
        precondition(siblingCount > 1, "a read of \(siblingCount) sibling(s) is not a sibling read")
        siblingReads.add(1, at: 0)
        siblingReads.add(UInt64(siblingCount), at: 1)
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
        writer.family("kvortex_sibling_reads_total", .counter,
                      help: "Reads (GET and batch gets) that answered more than one sibling.")
        writer.sample("kvortex_sibling_reads_total", [], siblingReads.value(at: 0))
        writer.family("kvortex_sibling_reads_siblings_total", .counter,
                      help: "Siblings those reads answered (divided by kvortex_sibling_reads_total: siblings per conflicted read).")
        writer.sample("kvortex_sibling_reads_siblings_total", [], siblingReads.value(at: 1))
    }
}
