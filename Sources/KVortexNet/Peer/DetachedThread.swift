import Glibc

/// Runs `body` on a new detached thread: the peer transport's link writers and connection readers,
/// which block in socket calls and end on their own (nobody joins them).
func startDetachedThread(_ body: @escaping @Sendable () -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var handle = pthread_t()
    pthread_create(&handle, nil, { raw in
        Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(Job(body)).toOpaque())
    pthread_detach(handle)
}
