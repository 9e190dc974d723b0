import Glibc

/// Group commit: writers wait until the log is fsynced past their record; the first waiter runs one
/// fsync for everyone who appended before it started, the others wait for it (leader/follower, no
/// extra thread). A condition variable, because waiting must not spin on a loop thread's core.
final class GroupCommit: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Log position (bytes appended across segments) known to be durable; guarded by `mutex`.
    private var syncedPosition: UInt64 = 0
    private var syncing = false
    private(set) var fsyncCount: UInt64 = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Returns once everything up to `position` is durable. `sync` fsyncs the active segment and
    /// returns the position it covered; it runs without the lock held.
    func waitUntilDurable(_ position: UInt64, sync: () -> UInt64) {
        pthread_mutex_lock(mutex)
        while syncedPosition < position {
            if syncing {
                pthread_cond_wait(condition, mutex)
                continue
            }
            syncing = true
            pthread_mutex_unlock(mutex)
            let covered = sync()
            pthread_mutex_lock(mutex)
            syncing = false
            fsyncCount += 1
            syncedPosition = max(syncedPosition, covered)
            pthread_cond_broadcast(condition)
        }
        pthread_mutex_unlock(mutex)
    }
}
