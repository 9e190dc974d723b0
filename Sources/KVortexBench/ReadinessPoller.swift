import CEpoll
import CTimedWait
import Glibc

/// The load generator's epoll set: one entry per open connection, keyed by the connection's index,
/// readable always and writable only while a request is partly written. Level-triggered.
///
/// epoll rather than poll: a poll of 64 sockets costs the kernel about 30 µs per call, whatever is
/// ready, which capped the generator near 5 000 requests a second on this host; epoll costs what is ready.
final class ReadinessPoller {
    /// Readiness events taken per wait.
    static let eventsPerWaitMax = 256

    private let epollFD: Int32
    private var events = [epoll_event](repeating: epoll_event(), count: ReadinessPoller.eventsPerWaitMax)

    init() throws(BenchError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .system("epoll_create1", errno) }
    }

    deinit { close(epollFD) }

    /// Watches `fd` (connection `index`) for reading, and for writing too when `writable`.
    /// A closed socket leaves the set by itself.
    func watch(_ fd: Int32, index: Int, writable: Bool, isNew: Bool) throws(BenchError) {
        let writeBits = writable ? EPOLLOUT.rawValue : 0
        var event = epoll_event(events: EPOLLIN.rawValue | writeBits, data: epoll_data_t(u64: UInt64(index)))
        guard epoll_ctl(epollFD, isNew ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0 else {
            throw .system("epoll_ctl", errno)
        }
    }

    /// Waits up to `timeoutNs` and calls `body(index, readable-or-error, writable)` for each ready connection.
    func wait(timeoutNs: UInt64, _ body: (Int, Bool, Bool) -> Void) throws(BenchError) {
        let timeout = Int64(min(timeoutNs, UInt64(Int64.max)))
        let ready = events.withUnsafeMutableBytes {
            kvortex_epoll_wait_ns(epollFD, $0.baseAddress, Int32(Self.eventsPerWaitMax), timeout)
        }
        if ready < 0 {
            guard errno == EINTR else { throw .system("epoll_pwait2", errno) }
            return
        }
        for slot in 0..<Int(ready) {
            let bits = events[slot].events
            body(Int(events[slot].data.u64), bits & ~EPOLLOUT.rawValue != 0, bits & EPOLLOUT.rawValue != 0)
        }
    }
}
