import Glibc

/// Runs `body(thread)` on `count` threads at once and returns when all have finished (tests only).
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let thread: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ thread: Int) { self.body = body; self.thread = thread }
    }
    var handles: [pthread_t] = []
    for thread in 0..<count {
        let job = Unmanaged.passRetained(Job(body, thread))
        var handle = pthread_t()
        pthread_create(&handle, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.body(job.thread)
            return nil
        }, job.toOpaque())
        handles.append(handle)
    }
    for handle in handles { pthread_join(handle, nil) }
}
