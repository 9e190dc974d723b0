import KVortexCore

/// Exports `StorageStats` in Prometheus text.
enum StorageMetrics {
    static func write(_ stats: StorageStats, to writer: inout PrometheusWriter) {
        let singles: [(name: String, kind: PrometheusWriter.Kind, value: Int, help: String)] = [
            ("kvortex_storage_keys", .gauge, stats.keyCount, "Keys held by this node's storage engine."),
            ("kvortex_storage_bytes", .gauge, stats.bytes, "Bytes of keys and objects held (what --max-memory bounds)."),
            ("kvortex_storage_evictions_total", .counter, stats.evictions,
             "Keys evicted by the --max-memory bound, least recently used first."),
            ("kvortex_storage_reaped_total", .counter, stats.reaped,
             "Objects removed because every version had expired or been deleted past the grace period."),
            ("kvortex_storage_cache_bytes", .gauge, stats.cacheBytes,
             "Accounted bytes of the read cache (what --cache-bytes bounds)."),
            ("kvortex_storage_cache_keys", .gauge, stats.cacheKeys, "Keys held by the read cache."),
            ("kvortex_storage_cache_evictions_total", .counter, stats.cacheEvictions,
             "Keys the read cache evicted to stay within --cache-bytes, least recently used first."),
            ("kvortex_storage_disk_bytes", .gauge, stats.diskBytes, "Bytes of the engine's files, live and dead (log segments)."),
            ("kvortex_storage_recovery_dropped_bytes", .gauge, stats.recoveryDroppedBytes,
             "Bytes recovery cut from segment ends at the last open (torn or corrupt records)."),
            ("kvortex_storage_compactions_total", .counter, stats.compactions, "Log compactions completed."),
        ]
        for metric in singles { writer.single(metric.name, metric.kind, metric.value, help: metric.help) }
        writer.family("kvortex_storage_cache_reads_total", .counter, help: "Reads of the read cache in front of a durable engine, by result.")
        writer.sample("kvortex_storage_cache_reads_total", [("result", "hit")], stats.cacheHits)
        writer.sample("kvortex_storage_cache_reads_total", [("result", "miss")], stats.cacheMisses)
        writer.family("kvortex_storage_compaction_bytes_total", .counter,
                      help: "Bytes log compaction read and wrote (written / live bytes is its write amplification).")
        writer.sample("kvortex_storage_compaction_bytes_total", [("direction", "read")], stats.compactionBytesRead)
        writer.sample("kvortex_storage_compaction_bytes_total", [("direction", "written")], stats.compactionBytesWritten)
    }
}
