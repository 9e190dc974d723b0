import KVortexCore

/// Confirmed tombstone reaps on `/metrics` (docs/anti-entropy.md §5): reaps by result, the reap checks
/// this node answered, the reaped memory, and the stale objects it dropped. Backstop reaps (engines
/// reaping unconfirmed tombstones after `reapBackstopMs`) are the storage's `reaped` count.
enum ReapMetrics {
    static func write(_ node: Node, to writer: inout PrometheusWriter) {
        let counters = node.counters
        writer.family("kvortex_reaps_total", .counter,
                      help: "Tombstone reaps asked of the other primaries, by result (deferred_unreachable: a primary was down; deferred_unanswered: one did not answer; refused: one holds something else; changed: written meanwhile).")
        let results: [(String, UInt64)] = [
            ("confirmed", counters.reapsConfirmed), ("refused", counters.reapsRefused),
            ("deferred_unreachable", counters.reapsDeferredUnreachable),
            ("deferred_unanswered", counters.reapsDeferredUnanswered), ("changed", counters.reapsChanged),
        ]
        for (result, value) in results {
            writer.sample("kvortex_reaps_total", [("result", result)], value)
        }
        writer.family("kvortex_reap_checks_answered_total", .counter, help: "Keys other primaries asked this node about before reaping, by answer.")
        writer.sample("kvortex_reap_checks_answered_total", [("answer", "yes")], counters.reapChecksAnsweredYes)
        writer.sample("kvortex_reap_checks_answered_total", [("answer", "no")], counters.reapChecksAnswered - counters.reapChecksAnsweredYes)
        writer.family("kvortex_reaped_memory_entries", .gauge, help: "Reaped tombstones remembered (bounded), so stale copies are dropped.")
        writer.sample("kvortex_reaped_memory_entries", [], node.reaping.memory.count)
        writer.family("kvortex_reaped_memory_value_bytes", .gauge,
                      help: "Value bytes of the expired siblings the reaped memory keeps (bounded; tombstones carry none).")
        writer.sample("kvortex_reaped_memory_value_bytes", [], node.reaping.memory.valueBytes)
        writer.family("kvortex_reaped_memory_total", .counter,
                      help: "Reaped memory events: evicted (forgotten early at the bound), dropped_stale (incoming objects the remembered tombstone descends).")
        writer.sample("kvortex_reaped_memory_total", [("event", "evicted")], node.reaping.memory.evictions)
        writer.sample("kvortex_reaped_memory_total", [("event", "dropped_stale")], counters.staleObjectsDropped)
    }
}
