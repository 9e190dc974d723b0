import Synchronization

/// The parts of a server that its loops share: configuration, handler, counters, and one registry of
/// connections per loop (each touched only on its own loop's thread).
final class HTTPServerCore: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let counters = HTTPServerCounters()
    /// Open connections across loops, for `connectionsMax`.
    let openConnections = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Per loop: connection ID → connection. Loop-confined; never read from another thread.
    private var registries: [[UInt64: HTTPConnection]]
    private var nextIDs: [UInt64]

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, loopCount: Int) {
        self.configuration = configuration
        self.handler = handler
        registries = Array(repeating: [:], count: loopCount)
        nextIDs = Array(repeating: 1, count: loopCount)
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func beginStopping() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Called on loop `index`.
    func adopt(fd: Int32, loop: EventLoop) -> HTTPConnection {
        let id = nextIDs[loop.index]
        nextIDs[loop.index] += 1
        let connection = HTTPConnection(id: id, fd: fd, loop: loop, core: self, nowMs: EventLoop.monotonicMs())
        registries[loop.index][id] = connection
        return connection
    }

    /// Called on loop `index`.
    func connection(_ id: UInt64, onLoop index: Int) -> HTTPConnection? {
        registries[index][id]
    }

    /// Called on loop `index` when a connection closes.
    func forget(_ connection: HTTPConnection, onLoop index: Int) {
        registries[index][connection.id] = nil
        openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Called on loop `index`: every connection of that loop.
    func connections(onLoop index: Int) -> [HTTPConnection] {
        Array(registries[index].values)
    }
}
