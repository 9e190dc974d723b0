import KVortexNet

/// Exports the HTTP server's connection and limit counters in Prometheus text.
enum HTTPServerMetrics {
    static func write(_ stats: HTTPServerStats, to writer: inout PrometheusWriter) {
        writer.family("kvortex_http_connections_open", .gauge, help: "Client connections open now.")
        writer.sample("kvortex_http_connections_open", [], stats.connectionsOpen)
        writer.family("kvortex_http_connections_accepted_total", .counter, help: "Client connections accepted.")
        writer.sample("kvortex_http_connections_accepted_total", [], stats.connectionsAccepted)
        writer.family("kvortex_http_malformed_requests_total", .counter, help: "Requests refused as malformed (400, 417, 501, 505).")
        writer.sample("kvortex_http_malformed_requests_total", [], stats.malformedRequests)
        writer.family("kvortex_http_limit_hits_total", .counter, help: "Times a named HTTP limit was hit, by limit.")
        for limit in HTTPLimit.allCases {
            writer.sample("kvortex_http_limit_hits_total", [("limit", limit.label)], stats.limitHits[limit] ?? 0)
        }
        writer.family("kvortex_http_bytes_read_total", .counter, help: "Bytes read from clients.")
        writer.sample("kvortex_http_bytes_read_total", [], stats.bytesRead)
        writer.family("kvortex_http_bytes_written_total", .counter, help: "Bytes written to clients.")
        writer.sample("kvortex_http_bytes_written_total", [], stats.bytesWritten)
    }
}
