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
    /// Per loop: its connections. The array itself never changes after `init`: each loop thread
    /// mutates only its own registry object, so no thread writes memory another one reads (a shared
    /// `[[UInt64: HTTPConnection]]` would be a data race: a write to one loop's element is a write to
    /// the outer array, which may copy it under the other loop's feet).
    private let registries: [LoopRegistry]

    /// One loop's connections, touched only on that loop's thread.
    private final class LoopRegistry {
        var connections: [UInt64: HTTPConnection] = [:]
        var nextID: UInt64 = 1
    }

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, loopCount: Int) {
        self.configuration = configuration
        self.handler = handler
        registries = (0..<loopCount).map { _ in LoopRegistry() }
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func beginStopping() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Called on loop `index`.
    func adopt(fd: Int32, loop: EventLoop) -> HTTPConnection {
        let registry = registries[loop.index]
        let id = registry.nextID
        registry.nextID += 1
        let connection = HTTPConnection(id: id, fd: fd, loop: loop, core: self, nowMs: EventLoop.monotonicMs())
        registry.connections[id] = connection
        return connection
    }

    /// Called on loop `index`.
    func connection(_ id: UInt64, onLoop index: Int) -> HTTPConnection? {
        registries[index].connections[id]
    }

    /// Called on loop `index` when a connection closes.
    func forget(_ connection: HTTPConnection, onLoop index: Int) {
        registries[index].connections[connection.id] = nil
        openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Called on loop `index`: every connection of that loop.
    func connections(onLoop index: Int) -> [HTTPConnection] {
        Array(registries[index].connections.values)
    }
}
