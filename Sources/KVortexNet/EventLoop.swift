import CEpoll
import Glibc
import Synchronization

/// Something registered on an event loop for readiness events of one file descriptor.
/// Called only on the loop's thread.
public protocol EventLoopHandler: AnyObject {
    func handleEvents(_ events: UInt32)
}

/// Output gathered while a loop handles its events, written once before the loop waits again
/// (`EventLoop.flushBeforeWaiting`): many peer frames in one `send` instead of one each.
protocol EventLoopFlushable: AnyObject {
    func flushGathered()
}

/// The loop running on the calling thread (set for the life of its `run`).
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create")
    return key
}()

/// One thread running epoll: owns its sockets and runs their handlers, tasks posted from other threads
/// (woken by an eventfd) and a periodic tick. Level-triggered: one `read` per readiness event.
///
/// Everything but `execute` and `stop` must be called on the loop's own thread.
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    let epollFD: Int32
    let wakeFD: Int32
    private let tasks = Mutex<[@Sendable () -> Void]>([])
    /// The tasks `runTasks` is running; loop thread only.
    private var runningTasks: [@Sendable () -> Void] = []
    private var handlers: [Int32: EventLoopHandler] = [:]
    private var tickers: [(intervalMs: UInt64, nextMs: UInt64, body: (UInt64) -> Void)] = []
    private var thread: pthread_t?
    private let running = Atomic<Bool>(false)
    /// Flushed once each iteration has handled its events, tasks and ticks; loop thread only.
    private var gathered: [EventLoopFlushable] = []
    /// HTTP handler calls in progress on this loop (loop thread only): a deferred response completed
    /// while one runs is queued as a task, since its connection may be the one still dispatching.
    var handlerDepth = 0
    /// Readiness events taken per `epoll_wait`.
    static let eventsPerWaitMax = 256

    init(index: Int) throws(NetError) {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .system("epoll_create1", errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { close(epollFD); throw .system("eventfd", errno) }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFD))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// Runs `task` on the loop thread soon; callable from any thread. From the loop thread itself the
    /// task runs after the events at hand, without waking the loop through its eventfd.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        // Only a task that finds the queue empty wakes the loop: the loop takes the whole queue at
        // once, so a task behind a waiting one runs with it (one eventfd write for a group commit's
        // replies instead of one each). A non-empty queue was posted from another thread, which
        // writes the eventfd, or from the loop thread, which looks again before it waits.
        let wasEmpty = tasks.withLock { queue in
            queue.append(task)
            return queue.count == 1
        }
        guard wasEmpty, !inLoopThread else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Whether the caller runs on this loop's thread.
    var inLoopThread: Bool { Self.current === self }

    /// The loop whose thread calls this, or nil on any other thread.
    static var current: EventLoop? {
        pthread_getspecific(currentLoopKey).map { Unmanaged<EventLoop>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Has `output.flushGathered()` called once before this loop waits for events again (however
    /// often this is asked in one iteration). Loop thread only.
    func flushBeforeWaiting(_ output: EventLoopFlushable) {
        guard !gathered.contains(where: { $0 === output }) else { return }
        gathered.append(output)
    }

    /// Calls `body(nowMs)` about every `intervalMs` on the loop thread (monotonic ms).
    public func scheduleRepeating(everyMs intervalMs: UInt64, _ body: @escaping (UInt64) -> Void) {
        tickers.append((intervalMs, Self.monotonicMs() + intervalMs, body))
    }

    public func register(_ fd: Int32, events: UInt32, handler: EventLoopHandler) throws(NetError) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else { throw .system("epoll_ctl add", errno) }
        handlers[fd] = handler
    }

    public func modify(_ fd: Int32, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`; the caller closes it.
    public func unregister(_ fd: Int32) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers[fd] = nil
    }

    func start() throws(NetError) {
        running.store(true, ordering: .releasing)
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { raw in
            let loop = Unmanaged<EventLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        guard result == 0 else { box.release(); throw .system("pthread_create", result) }
        thread = handle
    }

    /// Asks the loop to finish its current iteration and exit, then joins its thread.
    func stop() {
        running.store(false, ordering: .releasing)
        execute {}
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func run() {
        pthread_setspecific(currentLoopKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentLoopKey, nil) }
        var events = [epoll_event](repeating: epoll_event(), count: Self.eventsPerWaitMax)
        while running.load(ordering: .acquiring) {
            // A task posted from this thread did not write the eventfd: look again at once.
            let waitMs = tasks.withLock { $0.isEmpty } ? nextTickWaitMs() : 0
            let count = epoll_wait(epollFD, &events, Int32(events.count), waitMs)
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let fd = events[index].data.fd
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                handlers[fd]?.handleEvents(events[index].events)
            }
            runTasks()
            runTickers()
            flushGathered()
        }
        // Stopping: what was posted still runs (closing connections, answering callers), including
        // what those tasks post in turn.
        while !tasks.withLock({ $0.isEmpty }) { runTasks() }
        flushGathered()
    }

    private func flushGathered() {
        guard !gathered.isEmpty else { return }
        let outputs = gathered
        gathered.removeAll(keepingCapacity: true)
        for output in outputs { output.flushGathered() }
    }

    /// Runs what was posted. The posted tasks and `running` swap arrays, so neither is reallocated
    /// once both have grown to the usual number of tasks per iteration.
    private func runTasks() {
        tasks.withLock { swap(&$0, &runningTasks) }
        for task in runningTasks { task() }
        runningTasks.removeAll(keepingCapacity: true)
    }

    private func nextTickWaitMs() -> Int32 {
        guard let next = tickers.lazy.map(\.nextMs).min() else { return 1000 }
        let now = Self.monotonicMs()
        return next <= now ? 0 : Int32(min(next - now, 1000))
    }

    private func runTickers() {
        guard !tickers.isEmpty else { return }
        let now = Self.monotonicMs()
        for index in tickers.indices where tickers[index].nextMs <= now {
            tickers[index].nextMs = now + tickers[index].intervalMs
            tickers[index].body(now)
        }
    }

    static func monotonicMs() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }
}

/// Why a socket or loop operation failed: the call and its errno.
public enum NetError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(String, Int32)
    case invalidAddress(String)
    case timeout(String)
    case closed
    case protocolError(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidAddress(let address): "invalid address \(address)"
        case .timeout(let what): "timed out: \(what)"
        case .closed: "connection closed"
        case .protocolError(let message): "protocol error: \(message)"
        }
    }
}
