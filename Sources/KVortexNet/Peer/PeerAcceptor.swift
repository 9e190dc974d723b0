import Glibc
import Synchronization

/// Accepts peers' connections on the `--peer` address, one thread accepting and one reading each
/// connection: checks the handshake, then hands every frame to the transport's receiver.
final class PeerAcceptor: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let configuration: PeerTransportConfiguration
    private let counters: CounterArray
    private let receive: @Sendable (String, [UInt8]) -> Void
    private let stopping = Atomic<Bool>(false)
    /// Open peer connections, shut down on `stop` so their reader threads end at once.
    private let clients = Mutex<Set<Int32>>([])

    init(configuration: PeerTransportConfiguration, counters: CounterArray,
         receive: @escaping @Sendable (String, [UInt8]) -> Void) throws(NetError) {
        (fd, port) = try HTTPListener.bind(host: configuration.host, port: configuration.port)
        // The listening socket is blocking for this thread; accept wakes every second to see a stop.
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        BlockingSocket.setTimeouts(fd, ms: 1_000)
        self.configuration = configuration
        self.counters = counters
        self.receive = receive
    }

    func start() {
        spawn { $0.acceptLoop() }
    }

    /// Stops accepting and ends every peer connection (readers see end of stream and exit).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(fd, Int32(SHUT_RDWR))
        clients.withLock { clients in
            for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
        }
    }

    private func spawn(_ body: @escaping @Sendable (PeerAcceptor) -> Void) {
        final class Job: @unchecked Sendable {
            let acceptor: PeerAcceptor
            let body: @Sendable (PeerAcceptor) -> Void
            init(_ acceptor: PeerAcceptor, _ body: @escaping @Sendable (PeerAcceptor) -> Void) { self.acceptor = acceptor; self.body = body }
        }
        var handle = pthread_t()
        pthread_create(&handle, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.body(job.acceptor)
            return nil
        }, Unmanaged.passRetained(Job(self, body)).toOpaque())
        pthread_detach(handle)
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .relaxed) {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }  // timeout (to check for a stop) or a transient error
            let admitted = clients.withLock { clients in
                guard !stopping.load(ordering: .relaxed) else { return false }
                clients.insert(client)
                return true
            }
            guard admitted else { close(client); break }
            BlockingSocket.setTimeouts(client, ms: configuration.ioTimeoutMs)
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            spawn { $0.serve(client) }
        }
        close(fd)
    }

    /// Reads the handshake, answers it, then reads frames until the peer closes or misbehaves.
    private func serve(_ client: Int32) {
        defer {
            clients.withLock { _ = $0.remove(client) }
            close(client)
        }
        let peer: String
        do throws(NetError) {
            let hello = try BlockingSocket.readFrame(client, frameBytesMax: 64 << 10)
            switch PeerHandshake.decode(hello, clusterName: configuration.clusterName) {
            case .failure(let answer):
                counters.add(1, at: PeerCounter.handshakesRefused.rawValue)
                try? BlockingSocket.send(client, [answer.rawValue])
                return
            case .success(let handshake):
                peer = handshake.nodeID
                try BlockingSocket.send(client, [PeerHandshake.Answer.accepted.rawValue])
            }
        } catch {
            counters.add(1, at: PeerCounter.handshakesRefused.rawValue)
            return
        }
        // Frames may be far apart: a peer with nothing to say is not an error.
        BlockingSocket.setTimeouts(client, ms: 0)
        while !stopping.load(ordering: .relaxed) {
            do throws(NetError) {
                let frame = try BlockingSocket.readFrame(client, frameBytesMax: configuration.frameBytesMax)
                counters.add(1, at: PeerCounter.framesReceived.rawValue)
                counters.add(UInt64(frame.count), at: PeerCounter.bytesReceived.rawValue)
                receive(peer, frame)
            } catch .protocolError {
                counters.add(1, at: PeerCounter.protocolErrors.rawValue)
                return
            } catch {
                return
            }
        }
    }
}
