import Glibc
@testable import KVortexNet
import Testing

/// The cluster secret in the peer handshake over loopback: holders of the same secret talk, a peer with
/// another secret or none is refused (both ways, at once, with a reason), and forged, reflected or
/// replayed proofs are refused by the acceptor and by the connector, with nothing delivered.
@Suite struct PeerSecretTests {
    typealias Inbox = PeerTransportTests.Inbox
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    static let otherSecret = Array("fedcba9876543210fedcba9876543210".utf8)

    static func frame(_ payload: [UInt8]) -> [UInt8] { PeerTransportTests.frame(payload) }
    static func eventually(_ condition: () -> Bool) -> Bool { PeerTransportTests.eventually(10, condition) }

    /// A started transport of cluster "test". The long I/O timeout makes a refusal that waited for a
    /// timeout miss the tests' deadlines, instead of passing slowly.
    static func transport(_ name: String, secret: [UInt8]?, inbox: Inbox = Inbox()) throws -> PeerTransport {
        let transport = try PeerTransport(
            configuration: PeerTransportConfiguration(nodeID: name, clusterName: "test", clusterSecret: secret, ioTimeoutMs: 30_000,
                                                      reconnectBackoffFirstMs: 20, reconnectBackoffMaxMs: 200),
            receive: inbox.receive)
        try transport.start()
        return transport
    }

    static func failure(of transport: PeerTransport, to port: Int) -> String {
        transport.lastFailure(to: "127.0.0.1:\(port)").map { "\($0)" } ?? ""
    }

    @Test func holdersOfTheSameSecretExchangeFramesBothWays() throws {
        let (inboxA, inboxB) = (Inbox(), Inbox())
        let a = try Self.transport("a", secret: Self.secret, inbox: inboxA)
        let b = try Self.transport("b", secret: Self.secret, inbox: inboxB)
        let stranger = try Self.transport("stranger", secret: Self.otherSecret)
        defer { a.stop(); b.stop(); stranger.stop() }
        let frames = (0..<100).map { Self.frame(Array("message \($0)".utf8)) }
        for frame in frames { #expect(a.send(frame, to: "127.0.0.1:\(b.port)") == .queued) }
        #expect(b.send(Self.frame([1, 2, 3]), to: "127.0.0.1:\(a.port)") == .queued)
        #expect(Self.eventually { inboxB.count == 100 && inboxA.count == 1 })
        #expect(inboxB.frames.withLock { $0.map(\.1) } == frames, "every frame, in order")
        #expect(inboxA.frames.withLock { $0.map(\.0) } == ["b"])
        // The control: on the same listener, a peer with another secret gets nowhere.
        _ = stranger.send(Self.frame([9]), to: "127.0.0.1:\(b.port)")
        #expect(Self.eventually { b.counter(.authenticationFailures) >= 1 })
        #expect(a.counter(.authenticationFailures) == 0 && a.counter(.handshakesRefused) == 0)
        #expect(inboxB.count == 100)
    }

    @Test func aWrongSecretIsRefusedAndCountedOnTheAcceptor() throws {
        let inboxB = Inbox()
        let a = try Self.transport("a", secret: Self.otherSecret)
        let b = try Self.transport("b", secret: Self.secret, inbox: inboxB)
        defer { a.stop(); b.stop() }
        _ = a.send(Self.frame([1]), to: "127.0.0.1:\(b.port)")
        #expect(Self.eventually { b.counter(.authenticationFailures) >= 1 && b.counter(.handshakesRefused) >= 1 })
        #expect(Self.eventually { a.send(Self.frame([2]), to: "127.0.0.1:\(b.port)") == .unreachable })
        #expect(Self.eventually { Self.failure(of: a, to: b.port).contains("did not prove the cluster secret") },
                "\(Self.failure(of: a, to: b.port))")
        #expect(a.counter(.authenticationFailures) >= 1 && a.counter(.connects) == 0)
        #expect(inboxB.count == 0 && b.counter(.framesReceived) == 0)
    }

    /// Both directions of a secret on one side only, refused at once with the reason (not by a timeout:
    /// the I/O timeout is 30 s and the deadline 10 s).
    @Test(arguments: [(true, "secretRequired"), (false, "secretUnexpected")])
    func aSecretOnOneSideOnlyIsRefused(acceptorHasSecret: Bool, reason: String) throws {
        let inboxB = Inbox()
        let a = try Self.transport("a", secret: acceptorHasSecret ? nil : Self.secret)
        let b = try Self.transport("b", secret: acceptorHasSecret ? Self.secret : nil, inbox: inboxB)
        defer { a.stop(); b.stop() }
        _ = a.send(Self.frame([1]), to: "127.0.0.1:\(b.port)")
        #expect(Self.eventually { Self.failure(of: a, to: b.port).contains(reason) }, "\(Self.failure(of: a, to: b.port))")
        #expect(b.counter(.authenticationFailures) >= 1 && b.counter(.handshakesRefused) >= 1)
        #expect(a.counter(.authenticationFailures) >= 1 && a.counter(.connects) == 0)
        #expect(inboxB.count == 0 && b.counter(.framesReceived) == 0)
    }
}

/// The acceptor against a hand-driven connector, which forges its answer to the challenge.
@Suite struct PeerAcceptorSecretTests {
    typealias Inbox = PeerTransportTests.Inbox

    enum Forgery: CaseIterable {
        /// The proof of an earlier, genuine exchange (another acceptor nonce).
        case replayed
        /// The right proof with one bit flipped.
        case tampered
        /// The acceptor's own proof sent back.
        case reflected
        /// A proof made with another secret.
        case otherSecret
        /// The right proof, one byte short.
        case truncated
        /// No proof: the connector hangs up.
        case silent
    }

    /// Opens a connection to `port`, sends `hello` and reads the challenge that must follow.
    static func challenged(port: Int, hello: PeerHandshake) throws -> (fd: Int32, exchange: PeerAuthentication, challenge: PeerChallenge) {
        let fd = try BlockingSocket.connect(host: "127.0.0.1", port: port, timeoutMs: 10_000)
        try BlockingSocket.send(fd, hello.encode())
        #expect(try BlockingSocket.read(fd, count: 1) == [PeerHandshake.Answer.challenge.rawValue])
        let challenge = try #require(PeerChallenge.decode(try BlockingSocket.readFrame(fd, frameBytesMax: 1 << 16)))
        let exchange = PeerAuthentication(hello: hello, acceptorNodeID: challenge.nodeID, acceptorNonce: challenge.nonce)
        #expect(exchange.verifies(challenge.proof, by: .acceptor, secret: PeerSecretTests.secret), "the acceptor proves the secret")
        return (fd, exchange, challenge)
    }

    /// The forged response, after a genuine exchange when the forgery needs one to replay.
    static func response(_ forgery: Forgery, port: Int, hello: PeerHandshake,
                         exchange: PeerAuthentication, challenge: PeerChallenge) throws -> [UInt8] {
        let secret = PeerSecretTests.secret
        var proof = exchange.proof(by: .connector, secret: secret)
        switch forgery {
        case .replayed:
            let earlier = try challenged(port: port, hello: hello)
            defer { close(earlier.fd) }
            #expect(earlier.challenge.nonce != challenge.nonce, "a fresh nonce per connection")
            proof = earlier.exchange.proof(by: .connector, secret: secret)
            try BlockingSocket.send(earlier.fd, PeerChallenge.encodeResponse(proof: proof))
            #expect(try BlockingSocket.read(earlier.fd, count: 1) == [PeerHandshake.Answer.accepted.rawValue], "the genuine exchange")
        case .tampered: proof[17] ^= 0x04
        case .reflected: proof = challenge.proof
        case .otherSecret: proof = exchange.proof(by: .connector, secret: PeerSecretTests.otherSecret)
        case .truncated: return HandshakeBytes.framed(Array(proof.dropLast()))
        case .silent: return []
        }
        return PeerChallenge.encodeResponse(proof: proof)
    }

    @Test(arguments: Forgery.allCases)
    func aForgedProofIsRefused(forgery: Forgery) throws {
        let inbox = Inbox()
        let b = try PeerSecretTests.transport("b", secret: PeerSecretTests.secret, inbox: inbox)
        defer { b.stop() }
        let hello = PeerHandshake(clusterName: "test", nodeID: "forger", nonce: PeerAuthentication.freshNonce())
        let (fd, exchange, challenge) = try Self.challenged(port: b.port, hello: hello)
        defer { close(fd) }
        let forged = try Self.response(forgery, port: b.port, hello: hello, exchange: exchange, challenge: challenge)
        if forgery == .silent {
            shutdown(fd, Int32(SHUT_WR))
        } else {
            // A frame right behind the proof: the acceptor must not deliver it.
            try BlockingSocket.send(fd, forged + PeerSecretTests.frame([42]))
        }
        #expect(try BlockingSocket.read(fd, count: 1) == [PeerHandshake.Answer.unauthenticated.rawValue], "\(forgery)")
        #expect(PeerSecretTests.eventually { b.counter(.authenticationFailures) == 1 && b.counter(.handshakesRefused) == 1 },
                "\(forgery): \(b.counter(.authenticationFailures)) failures")
        #expect(inbox.count == 0 && b.counter(.framesReceived) == 0, "\(forgery)")
    }

    /// The genuine response, so the forgeries above are refused for their forgery and nothing else.
    @Test func theGenuineProofIsAccepted() throws {
        let inbox = Inbox()
        let b = try PeerSecretTests.transport("b", secret: PeerSecretTests.secret, inbox: inbox)
        defer { b.stop() }
        let hello = PeerHandshake(clusterName: "test", nodeID: "honest", nonce: PeerAuthentication.freshNonce())
        let (fd, exchange, _) = try Self.challenged(port: b.port, hello: hello)
        defer { close(fd) }
        let proof = exchange.proof(by: .connector, secret: PeerSecretTests.secret)
        try BlockingSocket.send(fd, PeerChallenge.encodeResponse(proof: proof) + PeerSecretTests.frame([42]))
        #expect(try BlockingSocket.read(fd, count: 1) == [PeerHandshake.Answer.accepted.rawValue])
        #expect(PeerSecretTests.eventually { inbox.count == 1 })
        #expect(inbox.frames.withLock { $0.map(\.0) } == ["honest"])
        #expect(b.counter(.authenticationFailures) == 0)
    }
}

/// The connector against a hand-driven acceptor, which replays a recorded challenge.
@Suite struct PeerLinkSecretTests {
    static func listen() throws -> (fd: Int32, port: Int) {
        let (fd, port) = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        BlockingSocket.setTimeouts(fd, ms: 10_000)
        return (fd, port)
    }

    /// Accepts the connector's next connection and reads its hello.
    static func acceptHello(_ listener: Int32) throws -> (fd: Int32, hello: PeerHandshake) {
        let fd = accept(listener, nil, nil)
        try #require(fd >= 0, "no connection: errno \(errno)")
        BlockingSocket.setTimeouts(fd, ms: 10_000)
        let frame = try BlockingSocket.readFrame(fd, frameBytesMax: 1 << 16)
        let hello = try PeerHandshake.decode(frame, clusterName: "test", requiresSecret: true).get()
        return (fd, hello)
    }

    static func challenge(_ exchange: PeerAuthentication) -> [UInt8] {
        let proof = exchange.proof(by: .acceptor, secret: PeerSecretTests.secret)
        return [PeerHandshake.Answer.challenge.rawValue]
            + PeerChallenge(nonce: exchange.acceptorNonce, nodeID: exchange.acceptorNodeID, proof: proof).encode()
    }

    @Test func aConnectorRefusesAReplayedChallengeAndAnswersAFreshOne() throws {
        let a = try PeerSecretTests.transport("a", secret: PeerSecretTests.secret)
        defer { a.stop() }
        let listener = try Self.listen()
        defer { close(listener.fd) }
        #expect(a.send(PeerSecretTests.frame([7]), to: "127.0.0.1:\(listener.port)") == .queued)

        // A challenge recorded from an earlier exchange: right secret, another connector nonce.
        let first = try Self.acceptHello(listener.fd)
        defer { close(first.fd) }
        let earlierHello = PeerHandshake(clusterName: "test", nodeID: "a", nonce: PeerAuthentication.freshNonce())
        let recorded = PeerAuthentication(hello: earlierHello, acceptorNodeID: "b", acceptorNonce: PeerAuthentication.freshNonce())
        try BlockingSocket.send(first.fd, Self.challenge(recorded))
        #expect(throws: NetError.self, "the connector hangs up without a proof") {
            try BlockingSocket.readFrame(first.fd, frameBytesMax: 1 << 16)
        }
        #expect(PeerSecretTests.eventually { PeerSecretTests.failure(of: a, to: listener.port).contains("replayed challenge") })
        #expect(a.counter(.authenticationFailures) == 1 && a.counter(.connects) == 0)

        // The reconnection, challenged over its own nonce, is answered with a valid proof.
        let second = try Self.acceptHello(listener.fd)
        defer { close(second.fd) }
        #expect(second.hello.nonce != first.hello.nonce, "a fresh nonce per connection")
        let exchange = PeerAuthentication(hello: second.hello, acceptorNodeID: "b", acceptorNonce: PeerAuthentication.freshNonce())
        try BlockingSocket.send(second.fd, Self.challenge(exchange))
        let proof = try #require(PeerChallenge.decodeResponse(try BlockingSocket.readFrame(second.fd, frameBytesMax: 1 << 16)))
        #expect(exchange.verifies(proof, by: .connector, secret: PeerSecretTests.secret))
        try BlockingSocket.send(second.fd, [PeerHandshake.Answer.accepted.rawValue])
        #expect(try BlockingSocket.readFrame(second.fd, frameBytesMax: 1 << 16) == PeerSecretTests.frame([7]))
        #expect(PeerSecretTests.eventually { a.counter(.connects) == 1 })
    }
}

/// The handshake's codecs and proofs, without sockets.
@Suite struct PeerAuthenticationTests {
    static let hello = PeerHandshake(clusterName: "prod", nodeID: "10.0.0.1:9080", nonce: [UInt8](repeating: 7, count: 32))
    static let exchange = PeerAuthentication(hello: hello, acceptorNodeID: "10.0.0.2:9080", acceptorNonce: [UInt8](repeating: 9, count: 32))
    static let secret = PeerSecretTests.secret

    @Test func helloCarriesTheNonceAndTheSecretModeMustMatch() {
        let frame = Self.hello.encode()
        #expect(PeerHandshake.decode(frame, clusterName: "prod", requiresSecret: true) == .success(Self.hello))
        #expect(PeerHandshake.decode(frame, clusterName: "prod", requiresSecret: false) == .failure(.secretUnexpected))
        let plain = PeerHandshake(clusterName: "prod", nodeID: "n").encode()
        #expect(PeerHandshake.decode(plain, clusterName: "prod", requiresSecret: true) == .failure(.secretRequired))
        #expect(PeerHandshake.decode(plain, clusterName: "other", requiresSecret: true) == .failure(.wrongCluster),
                "the cluster is checked first")
        for cut in 4..<frame.count {
            let short = HandshakeBytes.framed(Array(frame[4..<cut]))
            #expect(PeerHandshake.decode(short, clusterName: "prod", requiresSecret: true) == .failure(.malformed), "cut at \(cut)")
        }
        var oddNonce = Array(frame.dropLast())
        oddNonce[oddNonce.count - 31] = 31
        #expect(PeerHandshake.decode(HandshakeBytes.framed(Array(oddNonce[4...])), clusterName: "prod", requiresSecret: true)
                == .failure(.malformed), "a nonce of 31 bytes")
    }

    @Test func challengeAndResponseRoundTrip() {
        let challenge = PeerChallenge(nonce: Self.exchange.acceptorNonce, nodeID: "10.0.0.2:9080",
                                      proof: Self.exchange.proof(by: .acceptor, secret: Self.secret))
        let frame = challenge.encode()
        #expect(PeerChallenge.decode(frame) == challenge)
        for cut in 4..<frame.count { #expect(PeerChallenge.decode(HandshakeBytes.framed(Array(frame[4..<cut]))) == nil, "cut at \(cut)") }
        #expect(PeerChallenge.decode(HandshakeBytes.framed(Array(frame[4...]) + [0])) == nil, "trailing byte")
        let response = PeerChallenge.encodeResponse(proof: challenge.proof)
        #expect(PeerChallenge.decodeResponse(response) == challenge.proof)
        #expect(PeerChallenge.decodeResponse(HandshakeBytes.framed(Array(challenge.proof.dropLast()))) == nil)
    }

    @Test func eachRoleProvesOnlyItself() {
        let acceptorProof = Self.exchange.proof(by: .acceptor, secret: Self.secret)
        let connectorProof = Self.exchange.proof(by: .connector, secret: Self.secret)
        #expect(Self.exchange.verifies(acceptorProof, by: .acceptor, secret: Self.secret))
        #expect(Self.exchange.verifies(connectorProof, by: .connector, secret: Self.secret))
        #expect(!Self.exchange.verifies(acceptorProof, by: .connector, secret: Self.secret), "reflected")
        #expect(!Self.exchange.verifies(connectorProof, by: .acceptor, secret: Self.secret), "reflected")
        #expect(!Self.exchange.verifies(connectorProof, by: .connector, secret: PeerSecretTests.otherSecret), "another secret")
        for bit in 0..<(connectorProof.count * 8) {
            var tampered = connectorProof
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!Self.exchange.verifies(tampered, by: .connector, secret: Self.secret), "bit \(bit) flipped")
        }
    }

    /// A proof binds every field of the exchange: changed in any, it is another exchange's proof
    /// (a replay) and does not verify.
    @Test func aProofBindsEveryField() {
        let proof = Self.exchange.proof(by: .connector, secret: Self.secret)
        let changes: [(String, (inout PeerAuthentication) -> Void)] = [
            ("cluster", { $0.clusterName += "x" }),
            ("connector node", { $0.connectorNodeID += "x" }),
            ("acceptor node", { $0.acceptorNodeID += "x" }),
            ("connector nonce", { $0.connectorNonce[0] ^= 1 }),
            ("acceptor nonce", { $0.acceptorNonce[31] ^= 1 }),
            // Length prefixes keep a byte moved from one field to the next from reading the same.
            ("field boundary", { $0.clusterName += "1"; $0.connectorNodeID = String($0.connectorNodeID.dropFirst()) }),
        ]
        for (field, change) in changes {
            var other = Self.exchange
            change(&other)
            #expect(!other.verifies(proof, by: .connector, secret: Self.secret), "\(field) changed")
        }
    }

    @Test func freshNoncesDiffer() {
        let nonces = (0..<16).map { _ in PeerAuthentication.freshNonce() }
        #expect(nonces.allSatisfy { $0.count == PeerAuthentication.nonceBytes })
        #expect(Set(nonces).count == nonces.count)
    }
}
