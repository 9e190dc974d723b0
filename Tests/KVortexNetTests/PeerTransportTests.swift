import Glibc
@testable import KVortexNet
import Synchronization
import Testing

/// The peer transport over loopback: frames both ways in order and batched, the handshake refuses
/// another cluster, an unreachable peer and a full queue answer at once, a restarted peer is reached again.
@Suite struct PeerTransportTests {
    final class Inbox: Sendable {
        let frames = Mutex<[(String, [UInt8])]>([])
        /// Calls of the receiver: one per read that completed frames, not one per frame.
        let batches = Mutex(0)
        func receive(_ peer: String, _ batch: PeerFrames) {
            batches.withLock { $0 += 1 }
            frames.withLock { frames in for frame in batch { frames.append((peer, Array(frame))) } }
        }
        var count: Int { frames.withLock { $0.count } }
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)] + payload
    }

    static func transport(_ name: String, cluster: String = "test", port: Int = 0, inbox: Inbox,
                          queueFramesMax: Int = 10_000, ioTimeoutMs: Int = 2_000) throws -> PeerTransport {
        let transport = try PeerTransport(
            configuration: PeerTransportConfiguration(port: port, nodeID: name, clusterName: cluster, queueFramesMax: queueFramesMax,
                                                      ioTimeoutMs: ioTimeoutMs, reconnectBackoffFirstMs: 20, reconnectBackoffMaxMs: 200),
            receive: inbox.receive)
        try transport.start()
        return transport
    }

    /// Waits for `condition` up to `seconds`; true when it held.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        var start = timespec(); clock_gettime(CLOCK_MONOTONIC, &start)
        while true {
            if condition() { return true }
            var now = timespec(); clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9 > seconds { return false }
            usleep(2_000)
        }
    }

    @Test func framesFlowBothWaysInOrderAndBatched() throws {
        let (inboxA, inboxB) = (Inbox(), Inbox())
        let a = try Self.transport("a", inbox: inboxA)
        let b = try Self.transport("b", inbox: inboxB)
        defer { a.stop(); b.stop() }
        let toB = "127.0.0.1:\(b.port)"
        let first = Self.frame(Array("hello".utf8))
        #expect(a.send(first, to: toB) == .queued)
        #expect(Self.eventually { inboxB.count == 1 }, "the link connects and delivers")
        // Frames sent during one event-loop iteration leave in one write before the loop waits again.
        let frames = (0..<500).map { Self.frame(Array("message \($0)".utf8)) }
        let writesBefore = a.counter(.writes)
        let results = Mutex<[PeerSendResult]>([])
        a.loops.loops[0].execute {
            for frame in frames { results.withLock { $0.append(a.send(frame, to: toB)) } }
        }
        #expect(Self.eventually { inboxB.count == 501 })
        #expect(results.withLock { $0 } == Array(repeating: .queued, count: 500))
        #expect(inboxB.frames.withLock { $0.map(\.1) } == [first] + frames, "every frame, in order")
        #expect(inboxB.frames.withLock { $0.allSatisfy { $0.0 == "a" } }, "from the node ID of the handshake")
        #expect(inboxB.batches.withLock { $0 } < 100, "frames that arrive together are handed over together")
        // The sender counts a write after its `send` returns, which can be after the frames arrived.
        #expect(Self.eventually { a.counter(.writes) - writesBefore >= 1 })
        #expect(a.counter(.writes) - writesBefore == 1, "500 frames of one loop iteration in \(a.counter(.writes) - writesBefore) writes")
        #expect(b.send(Self.frame([1, 2, 3]), to: "127.0.0.1:\(a.port)") == .queued)
        #expect(Self.eventually { inboxA.count == 1 })
        #expect(b.counter(.framesReceived) == 501 && a.counter(.framesSent) == 501)
    }

    /// Frames far larger than a socket's buffer, from a thread of its own (written at once when the
    /// link is idle) and from an event loop (gathered): partial writes put the rest back first in
    /// line, emptied buffers are reused, and every frame arrives whole and in order.
    @Test func largeFramesArriveWholeAndInOrderUnderBackpressure() throws {
        let (inboxA, inboxB) = (Inbox(), Inbox())
        let a = try Self.transport("a", inbox: inboxA)
        let b = try Self.transport("b", inbox: inboxB)
        defer { a.stop(); b.stop() }
        let toB = "127.0.0.1:\(b.port)"
        let channel = try #require(a.channel(to: toB))
        #expect(Self.eventually { channel.send(Self.frame([0])) == .queued }, "the link connects")
        let frames = (1...40).map { index in Self.frame([UInt8](repeating: UInt8(index), count: index * 6_001)) }
        for frame in frames.prefix(20) {
            #expect(channel.send { $0.append(contentsOf: frame) } == .queued)
        }
        let done = Atomic<Bool>(false)
        a.loops.loops[0].execute {
            for frame in frames.suffix(20) { _ = channel.send { $0.append(contentsOf: frame) } }
            done.store(true, ordering: .relaxed)
        }
        #expect(Self.eventually(30) { done.load(ordering: .relaxed) && inboxB.count == 41 })
        #expect(inboxB.frames.withLock { $0.dropFirst().map(\.1) } == frames, "every frame whole, in order")
        #expect(a.counter(.framesSent) == 41, "frames counted once each, also across partial writes")
    }

    /// A partial write counts the frames that left whole and says how much of the cut frame is left,
    /// at every cut point, also when the batch starts with the rest of a frame cut before.
    @Test func aPartialWriteCountsTheFramesThatLeftWhole() {
        let frames = [3, 0, 10, 1].map { Self.frame(Array(repeating: 7, count: $0)) }
        let bytes = frames.flatMap { $0 }
        let ends = frames.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) }
        for headPartial in [0, 2] {
            let batch = PeerLink.Batch(bytes: Array(repeating: 0, count: headPartial) + bytes, frames: frames.count + (headPartial > 0 ? 1 : 0),
                                       headPartial: headPartial)
            for sent in 0...batch.bytes.count {
                let boundaries = (headPartial > 0 ? [headPartial] : []) + ends.map { $0 + headPartial }
                let ended = boundaries.filter { $0 <= sent }.count
                // A cut at a boundary (or before anything) leaves whole frames: no rest of one.
                let atBoundary = (sent == 0 && headPartial == 0) || boundaries.contains(sent)
                let rest = atBoundary ? 0 : boundaries.first { $0 > sent }.map { $0 - sent } ?? 0
                let result = batch.framesEnded(within: sent)
                #expect(result.frames == ended && result.restPartial == rest, "head \(headPartial), sent \(sent)")
            }
        }
    }

    /// After a failed connection the queue starts on a frame boundary: the rest of a frame cut by the
    /// failed connection is dropped (and counted out), whole frames behind it stay, in order.
    @Test func aFrameCutByAFailedConnectionIsNotSentOnTheNextOne() {
        let whole = [Self.frame([1, 2]), Self.frame([3])]
        var state = PeerLink.State()
        state.phase = .backingOff
        state.pending = [9, 9, 9] + whole[0] + whole[1]
        state.pendingFrames = 3
        state.pendingHeadPartial = 3
        state.dropCutFrame()
        #expect(state.pending == whole[0] + whole[1] && state.pendingFrames == 2 && state.pendingHeadPartial == 0)
        state.dropCutFrame()
        #expect(state.pending == whole[0] + whole[1] && state.pendingFrames == 2, "nothing cut: nothing dropped")
    }

    @Test func anotherClusterIsRefusedAtTheHandshake() throws {
        let (inboxA, inboxB) = (Inbox(), Inbox())
        let a = try Self.transport("a", cluster: "blue", inbox: inboxA)
        let b = try Self.transport("b", cluster: "green", inbox: inboxB)
        defer { a.stop(); b.stop() }
        _ = a.send(Self.frame([1]), to: "127.0.0.1:\(b.port)")
        #expect(Self.eventually { b.counter(.handshakesRefused) >= 1 })
        #expect(Self.eventually { a.send(Self.frame([2]), to: "127.0.0.1:\(b.port)") == .unreachable })
        #expect(inboxB.count == 0)
    }

    @Test func aPeerNobodyListensOnIsUnreachable() throws {
        let a = try Self.transport("a", inbox: Inbox())
        defer { a.stop() }
        let closed = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        close(closed.fd)  // a port that was just free: connecting is refused
        _ = a.send(Self.frame([1]), to: "127.0.0.1:\(closed.port)")
        #expect(Self.eventually { a.send(Self.frame([2]), to: "127.0.0.1:\(closed.port)") == .unreachable })
        #expect(a.counter(.connectFailures) >= 1)
        #expect(a.send(Self.frame([3]), to: "no-port") == .unreachable)
    }

    /// A peer that accepts TCP but never answers the handshake: frames wait, up to the bound.
    @Test func aFullQueueFailsFast() throws {
        let a = try Self.transport("a", inbox: Inbox(), queueFramesMax: 3, ioTimeoutMs: 5_000)
        defer { a.stop() }
        let silent = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        defer { close(silent.fd) }
        let results = (0..<5).map { a.send(Self.frame([UInt8($0)]), to: "127.0.0.1:\(silent.port)") }
        #expect(results == [.queued, .queued, .queued, .queueFull, .queueFull])
        #expect(a.counter(.queueFull) == 2)
    }

    @Test func aRestartedPeerIsReachedAgain() throws {
        let inboxB = Inbox()
        let a = try Self.transport("a", inbox: Inbox())
        defer { a.stop() }
        var b = try Self.transport("b", inbox: inboxB)
        let port = b.port
        _ = a.send(Self.frame([1]), to: "127.0.0.1:\(port)")
        #expect(Self.eventually { inboxB.count == 1 })
        b.stop()
        #expect(Self.eventually { a.send(Self.frame([2]), to: "127.0.0.1:\(port)") == .unreachable })
        // The old listener closes within its accept timeout; bind again once the port is free.
        let inboxRestarted = Inbox()
        var restarted: PeerTransport?
        #expect(Self.eventually {
            restarted = try? Self.transport("b", port: port, inbox: inboxRestarted)
            return restarted != nil
        })
        b = try #require(restarted)
        defer { b.stop() }
        #expect(Self.eventually {
            _ = a.send(Self.frame([3]), to: "127.0.0.1:\(port)")
            return inboxRestarted.frames.withLock { $0.contains { $0.1 == Self.frame([3]) } }
        })
        #expect(!inboxB.frames.withLock { $0.contains { $0.1 == Self.frame([3]) } }, "nothing reached the stopped node")
    }
}

/// The handshake frame: what it accepts and why it refuses.
@Suite struct PeerHandshakeTests {
    @Test func roundTripAndRefusals() {
        let hello = PeerHandshake(clusterName: "prod", nodeID: "10.0.0.1:9080").encode()
        #expect(PeerHandshake.decode(hello, clusterName: "prod") == .success(PeerHandshake(clusterName: "prod", nodeID: "10.0.0.1:9080")))
        #expect(PeerHandshake.decode(hello, clusterName: "test") == .failure(.wrongCluster))
        var newer = hello
        newer[8] = PeerHandshake.version + 1
        #expect(PeerHandshake.decode(newer, clusterName: "prod") == .failure(.wrongVersion))
        for cut in 0..<hello.count {
            #expect(PeerHandshake.decode(Array(hello[..<cut]), clusterName: "prod") == .failure(.malformed), "cut at \(cut)")
        }
        #expect(PeerHandshake.decode(hello + [0], clusterName: "prod") == .failure(.malformed), "trailing byte")
        #expect(PeerHandshake.decode(PeerHandshake(clusterName: "prod", nodeID: "").encode(), clusterName: "prod") == .failure(.malformed))
    }
}
