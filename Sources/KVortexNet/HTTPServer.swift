import CEpoll
import Glibc
import Synchronization

/// The HTTP/1.1 server: one event loop per core, each with its own `SO_REUSEPORT` listener.
///
/// The loops are the server's own, or a group it shares (with the peer transport): then whoever made
/// the group starts it after `start` and stops it after `stop`.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let core: HTTPServerCore
    /// Loops given by the caller, or nil when the server makes and runs its own.
    private let sharedLoops: EventLoopGroup?
    private let state = Mutex<(loops: [EventLoop], listeners: [HTTPListener], started: Bool)>(([], [], false))

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, loops: EventLoopGroup? = nil) {
        self.configuration = configuration
        sharedLoops = loops
        core = HTTPServerCore(configuration: configuration, handler: handler,
                              loopCount: loops?.loops.count ?? configuration.resolvedLoopCount)
    }

    public var stats: HTTPServerStats { core.counters.snapshot }

    /// Binds all listeners and starts the loops (a shared group must not have started yet: its
    /// owner starts it next); returns the bound address.
    public func start() throws(NetError) -> (host: String, port: Int) {
        precondition(!(sharedLoops?.isStarted ?? false), "listeners are registered before the shared loops start")
        var loops = sharedLoops?.loops ?? []
        if sharedLoops == nil {
            for index in 0..<configuration.resolvedLoopCount { loops.append(try EventLoop(index: index)) }
        }
        var listeners: [HTTPListener] = []
        var port = configuration.port
        do {
            for loop in loops {
                let (fd, bound) = try HTTPListener.bind(host: configuration.host, port: port)
                port = bound  // later loops bind the port the first one got
                let listener = HTTPListener(fd: fd, loop: loop, core: core)
                try loop.register(fd, events: UInt32(EPOLLIN.rawValue), handler: listener)
                let core = self.core
                loop.scheduleRepeating(everyMs: configuration.timeoutCheckIntervalMs) { [unowned loop] nowMs in
                    for connection in core.connections(onLoop: loop.index) { connection.checkTimeouts(nowMs: nowMs) }
                }
                listeners.append(listener)
            }
        } catch {
            for listener in listeners { close(listener.fd) }
            throw error
        }
        if sharedLoops == nil {
            for loop in loops { try loop.start() }
        }
        state.withLock { $0 = (loops, listeners, true) }
        return (configuration.host, port)
    }

    /// Stops accepting, lets in-flight requests finish for up to `gracePeriodMs`, closes every
    /// connection and joins the loop threads.
    public func stop(gracePeriodMs: Int) {
        let (loops, listeners) = state.withLock { state -> ([EventLoop], [HTTPListener]) in
            defer { state = ([], [], false) }
            return (state.loops, state.listeners)
        }
        guard !loops.isEmpty else { return }
        core.beginStopping()
        for (loop, listener) in zip(loops, listeners) {
            loop.execute {
                loop.unregister(listener.fd)
                close(listener.fd)
            }
        }
        let deadline = EventLoop.monotonicMs() + UInt64(max(0, gracePeriodMs))
        while EventLoop.monotonicMs() < deadline {
            closeIdle(loops)
            guard core.openConnections.load(ordering: .relaxed) > 0 else { break }
            usleep(10_000)
        }
        for loop in loops {
            let core = self.core
            loop.execute { for connection in core.connections(onLoop: loop.index) { connection.close() } }
        }
        if sharedLoops == nil {
            for loop in loops { loop.stop() }
        }
    }

    private func closeIdle(_ loops: [EventLoop]) {
        for loop in loops {
            let core = self.core
            loop.execute { for connection in core.connections(onLoop: loop.index) { connection.closeIfIdle() } }
        }
    }
}
