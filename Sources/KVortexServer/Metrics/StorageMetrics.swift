import KVortexCore

/// Exports `StorageStats` in Prometheus text.
enum StorageMetrics {
    static func write(_ stats: StorageStats, to writer: inout PrometheusWriter) {
        writer.family("kvortex_storage_keys", .gauge, help: "Keys held by this node's storage engine.")
        writer.sample("kvortex_storage_keys", [], stats.keyCount)
        writer.family("kvortex_storage_bytes", .gauge, help: "Bytes of keys and objects held (what --max-memory bounds).")
        writer.sample("kvortex_storage_bytes", [], stats.bytes)
        writer.family("kvortex_storage_evictions_total", .counter, help: "Keys evicted by the --max-memory bound, least recently used first.")
        writer.sample("kvortex_storage_evictions_total", [], stats.evictions)
        writer.family("kvortex_storage_reaped_total", .counter,
                      help: "Objects removed because every version had expired or been deleted past the grace period.")
        writer.sample("kvortex_storage_reaped_total", [], stats.reaped)
        writer.family("kvortex_storage_cache_reads_total", .counter, help: "Reads of the read cache in front of a durable engine, by result.")
        writer.sample("kvortex_storage_cache_reads_total", [("result", "hit")], stats.cacheHits)
        writer.sample("kvortex_storage_cache_reads_total", [("result", "miss")], stats.cacheMisses)
    }
}
