import Dispatch
import Glibc
import KVortexCore
import KVortexNet
import KVortexServer
import KVortexStorage
import Synchronization
import Testing

/// Three real `NodeDriver`s in one process, talking over loopback TCP through the peer transport:
/// the core's coordination end to end on real sockets and timers (issue 6, before the HTTP wiring).
@Suite(.serialized) struct NodeDriverTests {
    struct Cluster {
        let ids: [NodeID]
        let drivers: [NodeDriver]
        let storages: [any StorageEngine]

        func stop() { drivers.forEach { $0.stop() } }
    }

    /// Ports that were free a moment ago (the node ID is the peer address, so it must be known first).
    static func freePorts(_ count: Int) -> [Int] {
        let sockets = (0..<count).map { _ in socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        defer { sockets.forEach { close($0) } }
        return sockets.map { fd in
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    /// Three nodes whose IDs are not their addresses (n1, n2, n3): each knows only the others' peer
    /// addresses as seeds, so they find each other, and route, by what gossip carries. Returns once
    /// every node routes by a ring of all three.
    static func cluster(storages given: [any StorageEngine]? = nil) throws -> Cluster {
        let ports = freePorts(3)
        let ids = ports.indices.map { NodeID("n\($0 + 1)") }
        let addresses = ports.map { "127.0.0.1:\($0)" }
        let storages = given ?? ids.map { _ in MemoryEngine() }
        let drivers = try ids.indices.map { index in
            var settings = NodeSettings(nodeID: ids[index], replicaCount: 3,
                                        failureDetector: FailureDetectorSettings(heartbeatIntervalMs: 50),
                                        peerRequestTimeoutMs: 500)
            settings.peerAddress = addresses[index]
            return try NodeDriver(settings: settings, epoch: UInt64(index + 1), storage: storages[index], hints: MemoryHintStore(),
                                  seeds: addresses.filter { $0 != addresses[index] },
                                  transport: PeerTransportConfiguration(port: ports[index], nodeID: ids[index].rawValue,
                                                                        reconnectBackoffFirstMs: 20, reconnectBackoffMaxMs: 200),
                                  randomSeed: UInt64(index), clockMs: SystemClock.wallMs)
        }
        try drivers.forEach { try $0.start() }
        let cluster = Cluster(ids: ids, drivers: drivers, storages: storages)
        try waitUntil("every node knows all three") { drivers.allSatisfy { $0.clusterSize == 3 && $0.hasJoined } }
        return cluster
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// Polls `condition` until it holds, or fails after `seconds`.
    static func waitUntil(_ what: String, seconds: Double = 10, _ condition: () -> Bool) throws {
        let deadline = DispatchTime.now() + .milliseconds(Int(seconds * 1000))
        while !condition() {
            guard DispatchTime.now() < deadline else { throw Timeout(description: "timed out waiting until \(what)") }
            usleep(10_000)
        }
    }

    /// Runs an asynchronous operation and waits for its answer (the driver always answers by the deadline).
    static func wait<T: Sendable>(_ start: (@escaping @Sendable (T) -> Void) -> Void) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        start { value in box.withLock { $0 = value }; done.signal() }
        done.wait()
        return box.withLock { $0 }!
    }

    static func put(_ driver: NodeDriver, _ key: String, _ value: String, w: Int, context: WriteContext? = nil) -> Result<WriteOutcome, KVError> {
        wait { done in
            driver.write(Array(key.utf8), ClientWrite(payload: .value(Array(value.utf8)), context: context),
                         options: QuorumOptions(readQuorum: 2, writeQuorum: w, timeoutMs: 2_000), completion: done)
        }
    }

    static func get(_ driver: NodeDriver, _ key: String, r: Int) -> Result<ReadOutcome, KVError> {
        wait { done in driver.read(Array(key.utf8), options: QuorumOptions(readQuorum: r, writeQuorum: 2, timeoutMs: 2_000), completion: done) }
    }

    @Test func aWriteThroughOneNodeReachesEveryReplicaAndReadsFromAnother() throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let written = try Self.put(cluster.drivers[0], "cart", "apples", w: 3).get()
        #expect(written.replicasAcked == 3 && written.replicasAsked == 3)
        let read = try Self.get(cluster.drivers[2], "cart", r: 3).get()
        #expect(read.object?.siblings.compactMap(\.value) == [Array("apples".utf8)])
        for (id, storage) in zip(cluster.ids, cluster.storages) {
            #expect(try storage.get(Array("cart".utf8), nowMs: SystemClock.wallMs()) != nil, "replica on \(id)")
        }
        // Concurrent writes through two nodes become siblings; a write with the read's context resolves them.
        _ = try Self.put(cluster.drivers[1], "cart", "pears", w: 2).get()
        let both = try Self.get(cluster.drivers[0], "cart", r: 3).get()
        #expect(both.object?.siblings.count == 2)
        _ = try Self.put(cluster.drivers[2], "cart", "apples+pears", w: 3, context: both.object.map(WriteContext.init(of:))).get()
        #expect(try Self.get(cluster.drivers[1], "cart", r: 3).get().object?.siblings.compactMap(\.value) == [Array("apples+pears".utf8)])
    }

    @Test func aStoppedNodeFailsWAllButNotASloppyQuorum() throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        _ = try Self.put(cluster.drivers[0], "k", "before", w: 3).get()
        cluster.drivers[1].stop()
        let sloppy = try Self.put(cluster.drivers[0], "k", "during", w: 2).get()
        #expect(sloppy.replicasAcked >= 2)
        switch Self.put(cluster.drivers[2], "k", "all", w: 3) {
        case .failure(.quorumUnmet(needed: 3, let acked, _)), .failure(.timeout(needed: 3, let acked, _)):
            #expect(acked < 3)
        case let other:
            Issue.record("W=3 with a replica down answered \(other)")
        }
    }

    /// Isolating a node (fault injection) makes its messages fail at once: W=3 is refused, W=2 goes
    /// through with a hint for the isolated node, and healing delivers the hint to it.
    @Test func anIsolatedNodeGetsItsHintAfterHealing() throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let isolated: Set<NodeID> = [cluster.ids[2]]
        cluster.drivers[0].routing.isolate(isolated)
        cluster.drivers[1].routing.isolate(isolated)
        cluster.drivers[2].routing.isolate([cluster.ids[0], cluster.ids[1]])
        guard case .failure = Self.put(cluster.drivers[0], "h", "x", w: 3) else {
            Issue.record("W=3 succeeded with a replica isolated")
            return
        }
        _ = try Self.put(cluster.drivers[0], "h", "y", w: 2).get()
        #expect(cluster.drivers[0].routing.isolatedFrames.load(ordering: .relaxed) > 0)
        let key = Array("h".utf8)
        #expect(try cluster.storages[2].get(key, nowMs: SystemClock.wallMs()) == nil, "nothing crossed the partition")
        cluster.drivers.forEach { $0.routing.isolate([]) }
        try Self.waitUntil("the isolated node holds the write") {
            (try? cluster.storages[2].get(key, nowMs: SystemClock.wallMs()))??.siblings.contains { $0.value == Array("y".utf8) } ?? false
        }
    }
}

extension NodeDriverTests {
    /// Stopping a node answers the operations it was still coordinating, and refuses new ones.
    @Test func stoppingAnswersWhatIsStillWaiting() throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        cluster.drivers[1].stop()
        cluster.drivers[2].stop()
        // W=3 with two replicas gone waits for its deadline (2 s) unless the stop answers it.
        let answer = Mutex<Result<WriteOutcome, KVError>?>(nil)
        cluster.drivers[0].write(Array("k".utf8), ClientWrite(payload: .value([1])),
                                 options: QuorumOptions(readQuorum: 1, writeQuorum: 3, sloppy: false, timeoutMs: 60_000)) { result in
            answer.withLock { $0 = result }
        }
        cluster.drivers[0].stop()
        #expect(answer.withLock { $0 } != nil, "answered by the stop, not after the 60 s deadline")
        if case .success = answer.withLock({ $0 }) { Issue.record("W=3 cannot succeed with two replicas stopped") }
        #expect(Self.put(cluster.drivers[0], "k", "late", w: 1) == .failure(.overloaded(reason: "the node is stopping")))
    }
}
