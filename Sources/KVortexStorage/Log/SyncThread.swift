import Dispatch
import Glibc
import KVortexCore

/// The log engine's group commit without blocking callers: writers register a callback for the log
/// position of their record; this thread fsyncs once for everything appended so far and has every
/// callback that fsync covered called, in order, on `replies`, while it goes on to the next fsync
/// (the callbacks answer clients; the disk need not wait for that). Writes appended during an fsync
/// share the next one.
final class SyncThread: @unchecked Sendable {
    typealias Callback = @Sendable (StorageError?) -> Void
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var waiting: [(position: UInt64, callback: Callback)] = []
    /// Runs the callbacks of each fsync, one group after the other.
    private let replies = DispatchQueue(label: "kvortex.log.replies")
    private var stopping = false
    private var thread: pthread_t?
    /// Fsyncs the active segment; returns the log position it covered.
    private let sync: () -> Result<UInt64, StorageError>
    private(set) var fsyncCount: UInt64 = 0

    init(sync: @escaping () -> Result<UInt64, StorageError>) {
        self.sync = sync
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        pthread_create(&handle, nil, { raw in
            Unmanaged<SyncThread>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box.toOpaque())
        thread = handle
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func enqueue(position: UInt64, _ callback: @escaping Callback) {
        pthread_mutex_lock(mutex)
        waiting.append((position, callback))
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Finishes the waiting writes (one last fsync) and joins the thread.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
        if let thread { pthread_join(thread, nil) }
        thread = nil
        replies.sync {}  // the last group's callbacks have run
    }

    private func run() {
        while true {
            pthread_mutex_lock(mutex)
            while waiting.isEmpty && !stopping { pthread_cond_wait(condition, mutex) }
            if waiting.isEmpty && stopping {
                pthread_mutex_unlock(mutex)
                return
            }
            pthread_mutex_unlock(mutex)
            let result = sync()
            fsyncCount += 1
            // Failure: every waiting write gets the error (none can be known durable).
            let covered: UInt64 = if case .success(let position) = result { position } else { .max }
            pthread_mutex_lock(mutex)
            var ready: [(position: UInt64, callback: Callback)] = []
            swap(&ready, &waiting)  // the usual case: the fsync covered every waiting write
            if ready.contains(where: { $0.position > covered }) {
                waiting = ready.filter { $0.position > covered }
                ready.removeAll { $0.position > covered }
            }
            pthread_mutex_unlock(mutex)
            let error: StorageError? = if case .failure(let failure) = result { failure } else { nil }
            replies.async { [ready] in
                for entry in ready { entry.callback(error) }
            }
        }
    }
}
