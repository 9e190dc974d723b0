import Glibc

/// The lock around the driver's `Node`: a plain pthread mutex, which sleeps at once when taken.
///
/// `Synchronization.Mutex` spins before it sleeps; with three nodes, their HTTP loops, peer readers and
/// timer threads sharing one core (the cluster benchmark), the spinning was 8 % of all CPU spent
/// waiting for a holder that could not run.
final class NodeLock<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
