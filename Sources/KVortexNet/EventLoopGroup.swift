import Synchronization

/// The event loops of one process, shared by the HTTP server and the peer transport (DESIGN.md
/// "Runtime": a peer frame is read on a loop, so the reply it completes is written by that loop
/// without a hand-off to another thread).
///
/// Whoever creates the group starts it after registering what must be there from the first event
/// (listeners, tickers) and stops it after everything on it has been closed.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)
    private let started = Atomic<Bool>(false)

    /// `count` loops; 0 means one per online core.
    public init(count: Int) throws(NetError) {
        let resolved = count > 0 ? count : HTTPServerConfiguration.onlineCores
        var loops: [EventLoop] = []
        for index in 0..<resolved { loops.append(try EventLoop(index: index)) }
        self.loops = loops
    }

    public var isStarted: Bool { started.load(ordering: .acquiring) }

    /// The loop for a new connection: round robin.
    public func next() -> EventLoop {
        loops[nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    public func start() throws(NetError) {
        precondition(!isStarted, "event loop group started twice")
        for loop in loops { try loop.start() }
        started.store(true, ordering: .releasing)
    }

    /// Finishes each loop's current iteration and the tasks posted to it, then joins the threads.
    public func stop() {
        guard started.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for loop in loops { loop.stop() }
    }
}
