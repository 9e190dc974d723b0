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
        writer.family("kvortex_storage_cache_bytes", .gauge, help: "Accounted bytes of the read cache (what --cache-bytes bounds).")
        writer.sample("kvortex_storage_cache_bytes", [], stats.cacheBytes)
        writer.family("kvortex_storage_cache_keys", .gauge, help: "Keys held by the read cache.")
        writer.sample("kvortex_storage_cache_keys", [], stats.cacheKeys)
        writer.family("kvortex_storage_cache_evictions_total", .counter, help: "Keys the read cache evicted to stay within --cache-bytes, least recently used first.")
        writer.sample("kvortex_storage_cache_evictions_total", [], stats.cacheEvictions)
        writer.family("kvortex_storage_disk_bytes", .gauge, help: "Bytes of the engine's files, live and dead (log segments).")
        writer.sample("kvortex_storage_disk_bytes", [], stats.diskBytes)
        writer.family("kvortex_storage_recovery_dropped_bytes", .gauge,
                      help: "Bytes recovery cut from segment ends at the last open (torn or corrupt records).")
        writer.sample("kvortex_storage_recovery_dropped_bytes", [], stats.recoveryDroppedBytes)
        writer.family("kvortex_storage_compactions_total", .counter, help: "Log compactions completed.")
        writer.sample("kvortex_storage_compactions_total", [], stats.compactions)
        writer.family("kvortex_storage_compaction_bytes_total", .counter,
                      help: "Bytes log compaction read and wrote (written / live bytes is its write amplification).")
        writer.sample("kvortex_storage_compaction_bytes_total", [("direction", "read")], stats.compactionBytesRead)
        writer.sample("kvortex_storage_compaction_bytes_total", [("direction", "written")], stats.compactionBytesWritten)
    }
}
