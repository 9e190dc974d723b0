import Glibc
import Synchronization

/// Accepts peers' connections on the `--peer` address: one thread accepts, a short-lived thread per
/// connection checks its handshake (blocking, with timeouts), then the connection is read on an event
/// loop (`PeerConnection`), which hands every frame to the transport's receiver.
final class PeerAcceptor: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let configuration: PeerTransportConfiguration
    private let counters: CounterArray
    private let loops: EventLoopGroup
    private let receive: @Sendable (String, PeerFrames) -> Void
    private let stopping = Atomic<Bool>(false)
    /// Whether `fd` is still open: the accept thread closes it when it sees a stop, possibly before
    /// `stop` shuts it down, and a shutdown after the close could hit a descriptor reused meanwhile.
    private let listening = Mutex(true)
    /// Open peer connections by socket: nil while the handshake runs. Shut down on `stop`.
    private let clients = Mutex<[Int32: PeerConnection?]>([:])

    init(configuration: PeerTransportConfiguration, counters: CounterArray, loops: EventLoopGroup,
         receive: @escaping @Sendable (String, PeerFrames) -> Void) throws(NetError) {
        (fd, port) = try HTTPListener.bind(host: configuration.host, port: configuration.port)
        // The listening socket is blocking for this thread; accept wakes every second to see a stop.
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        BlockingSocket.setTimeouts(fd, ms: 1_000)
        self.configuration = configuration
        self.counters = counters
        self.loops = loops
        self.receive = receive
    }

    func start() {
        startDetachedThread { self.acceptLoop() }
    }

    /// Stops accepting and ends every peer connection: handshakes fail, and the loops close the
    /// connections they read.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        listening.withLock { open in if open { shutdown(fd, Int32(SHUT_RDWR)) } }
        clients.withLock { clients in
            for (client, connection) in clients {
                shutdown(client, Int32(SHUT_RDWR))
                if let connection { connection.loop.execute { connection.close() } }
            }
        }
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .relaxed) {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }  // timeout (to check for a stop) or a transient error
            let admitted = clients.withLock { clients in
                guard !stopping.load(ordering: .relaxed) else { return false }
                clients[client] = .some(nil)
                return true
            }
            guard admitted else { close(client); break }
            BlockingSocket.setTimeouts(client, ms: configuration.ioTimeoutMs)
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            startDetachedThread { self.handOver(client) }
        }
        listening.withLock { open in
            open = false
            close(fd)
        }
    }

    /// Runs the handshake, then hands the connection to a loop; closes it when refused or stopping.
    private func handOver(_ client: Int32) {
        guard let peer = admit(client) else { return forget(client, closing: true) }
        // Frames may be far apart: a peer with nothing to say is not an error.
        BlockingSocket.setTimeouts(client, ms: 0)
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        let loop = loops.next()
        let connection = PeerConnection(fd: client, peer: peer, loop: loop, frameBytesMax: configuration.frameBytesMax,
                                        counters: counters, receive: receive) { [weak self] closed in
            self?.forget(closed.fd, closing: false)
        }
        let adopted = clients.withLock { clients in
            guard !stopping.load(ordering: .relaxed) else { return false }
            clients[client] = connection
            // Posted under the lock: a `stop` after this posts its close behind the registration.
            loop.execute { connection.register() }
            return true
        }
        if !adopted { forget(client, closing: true) }
    }

    /// Drops `client` from the open connections (before its socket is closed, so `stop` never
    /// shuts down a number already reused), closing it when `closing`.
    private func forget(_ client: Int32, closing: Bool) {
        clients.withLock { _ = $0.removeValue(forKey: client) }
        if closing { close(client) }
    }

    /// Runs the handshake on `client`, with the secret exchange when this node has a cluster secret:
    /// the peer's node ID once it is accepted, nil once it is refused (answered and counted). Nothing
    /// the peer sends is delivered before this returns its node ID.
    private func admit(_ client: Int32) -> String? {
        var challenged = false
        do throws(NetError) {
            let frame = try BlockingSocket.readFrame(client, frameBytesMax: PeerHandshake.frameBytesMax)
            let hello: PeerHandshake
            switch PeerHandshake.decode(frame, clusterName: configuration.clusterName,
                                        requiresSecret: configuration.clusterSecret != nil) {
            case .failure(let answer): return refuse(client, answer)
            case .success(let handshake): hello = handshake
            }
            if let secret = configuration.clusterSecret {
                challenged = true
                guard try provesSecret(client, hello, secret: secret) else { return refuse(client, .unauthenticated) }
            }
            try BlockingSocket.send(client, [PeerHandshake.Answer.accepted.rawValue])
            return hello.nodeID
        } catch {
            // Closed, timed out or oversized: once challenged, the peer did not prove the secret.
            return refuse(client, challenged ? .unauthenticated : .malformed)
        }
    }

    /// Sends the challenge (a fresh nonce and this node's proof of `secret`) and reads the connector's
    /// proof: whether it holds for this exchange.
    private func provesSecret(_ client: Int32, _ hello: PeerHandshake, secret: [UInt8]) throws(NetError) -> Bool {
        let exchange = PeerAuthentication(hello: hello, acceptorNodeID: configuration.nodeID,
                                          acceptorNonce: PeerAuthentication.freshNonce())
        let challenge = PeerChallenge(nonce: exchange.acceptorNonce, nodeID: exchange.acceptorNodeID,
                                      proof: exchange.proof(by: .acceptor, secret: secret))
        try BlockingSocket.send(client, [PeerHandshake.Answer.challenge.rawValue] + challenge.encode())
        let response = try BlockingSocket.readFrame(client, frameBytesMax: PeerHandshake.frameBytesMax)
        guard let proof = PeerChallenge.decodeResponse(response) else { return false }
        return exchange.verifies(proof, by: .connector, secret: secret)
    }

    /// Counts the refusal and answers it, when the peer still listens; nil, for `admit` to return.
    private func refuse(_ client: Int32, _ answer: PeerHandshake.Answer) -> String? {
        counters.add(1, at: PeerCounter.handshakesRefused.rawValue)
        if answer.isAboutSecret { counters.add(1, at: PeerCounter.authenticationFailures.rawValue) }
        try? BlockingSocket.send(client, [answer.rawValue])
        return nil
    }
}
