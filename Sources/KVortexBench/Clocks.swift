import Glibc

/// The monotonic clock in nanoseconds (CLOCK_MONOTONIC: never steps back, unaffected by time changes).
enum MonotonicClock {
    static func nowNs() -> UInt64 {
        read(CLOCK_MONOTONIC)
    }

    /// The CPU time the calling thread has used, in nanoseconds (CLOCK_THREAD_CPUTIME_ID).
    static func threadCPUNs() -> UInt64 {
        read(CLOCK_THREAD_CPUTIME_ID)
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
