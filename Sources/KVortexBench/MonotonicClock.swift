import Glibc

/// The monotonic clock in nanoseconds (CLOCK_MONOTONIC: never steps back, unaffected by time changes).
enum MonotonicClock {
    static func nowNs() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
