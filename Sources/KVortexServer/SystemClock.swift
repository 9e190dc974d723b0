import Glibc

/// The driver's clocks. The core never reads these; the server passes readings in.
public enum SystemClock {
    /// Wall-clock milliseconds since the Unix epoch (for HLC physical time and TTLs).
    @Sendable public static func wallMs() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }

    /// Monotonic microseconds, for latencies and timeouts.
    @Sendable public static func monotonicMicros() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }
}
