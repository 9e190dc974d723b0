import Dispatch
import KVortexCore
import Synchronization

/// How a graceful leave ended.
public enum LeaveEnd: Equatable, Sendable {
    /// Every partition transfer was acknowledged by its new owner.
    case handedOff(objects: UInt64)
    /// `LeaveWatcher.timeoutMs` passed with transfers unacknowledged (new owners unreachable).
    case timedOut(transfersPending: Int)

    /// Why the node stops, for the serve command's "kvortex: <reason>, stopping" line. The node stops
    /// itself after a leave through the same path as SIGTERM; said as "signal 15", that read as if
    /// someone had killed it.
    public var stopReason: String {
        switch self {
        case .handedOff: "its leave is complete"
        case .timedOut: "its leave timed out"
        }
    }

    /// The line the node logs when the leave ends; `timeoutMs` is the bound it waited for.
    func logLine(timeoutMs: Int) -> String {
        switch self {
        case .handedOff(let objects):
            "left the cluster: \(Counted(objects, "object")) handed off; the leave is complete, so the node stops now"
        case .timedOut(let pending):
            "leave timed out after \(timeoutMs) ms with \(Counted(pending, "partition transfer")) unacknowledged "
                + "(is a new owner unreachable?); stopping anyway: those objects stay only on the other replicas that held them"
        }
    }
}

/// Watches a graceful leave (`POST /cluster/leave`) until the node has handed every partition off or
/// the bound passed, logs the outcome, then calls the action the process registered (the serve command
/// stops the node exactly as SIGTERM does). Polls the driver; never blocks a loop.
final class LeaveWatcher: Sendable {
    /// How long a leave may take before the node stops anyway (logged, exit status 1).
    static let timeoutMsDefault = 300_000
    static let pollIntervalMs = 50

    private struct State {
        var isStarted = false
        var end: LeaveEnd?
        var action: (@Sendable (LeaveEnd) -> Void)?
    }

    let timeoutMs: Int
    private let driver: NodeDriver
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "kvortex.leave")

    init(driver: NodeDriver, timeoutMs: Int = LeaveWatcher.timeoutMsDefault) {
        precondition(timeoutMs > 0, "leave timeout \(timeoutMs) ms must be positive")
        self.driver = driver
        self.timeoutMs = timeoutMs
    }

    /// Starts watching; later calls do nothing.
    func start() {
        let isFirst = state.withLock { state in
            defer { state.isStarted = true }
            return !state.isStarted
        }
        guard isFirst else { return }
        let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
        queue.async { [self] in poll(until: deadline) }
    }

    /// The outcome, once the leave ended.
    var end: LeaveEnd? { state.withLock { $0.end } }

    /// Calls `action` when the leave ends (at once if it already has).
    func onEnd(_ action: @escaping @Sendable (LeaveEnd) -> Void) {
        let ended = state.withLock { state in
            state.action = action
            return state.end
        }
        if let ended { action(ended) }
    }

    private func poll(until deadline: DispatchTime) {
        switch driver.leaveProgress {
        case .handedOff(let objects):
            finish(.handedOff(objects: objects))
        case .handingOff(let pending) where DispatchTime.now() >= deadline:
            finish(.timedOut(transfersPending: pending))
        case .handingOff, .member:
            queue.asyncAfter(deadline: .now() + .milliseconds(Self.pollIntervalMs)) { [self] in poll(until: deadline) }
        }
    }

    private func finish(_ end: LeaveEnd) {
        Log.line(end.logLine(timeoutMs: timeoutMs))
        let action = state.withLock { state in
            state.end = end
            return state.action
        }
        action?(end)
    }
}
