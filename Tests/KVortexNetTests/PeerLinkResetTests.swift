import Glibc
@testable import KVortexNet
import Testing

/// A connection reset in the middle of a stream of large frames: the next connection to the same peer
/// starts on a frame boundary, so the peer reads whole frames, never the tail of one taken for a
/// length. The peer here is a bare socket that speaks the handshake, reads a little, then resets.
///
/// What the reset cuts is lost with the failed write. The narrower race `PeerLink.State.dropCutFrame`
/// closes (a loop's write cutting a frame between the link thread's failed write and its backing off)
/// is not reached this way: `PeerTransportTests.aFrameCutByAFailedConnectionIsNotSentOnTheNextOne`
/// tests that drop on the state alone.
@Suite struct PeerLinkResetTests {
    static let frameCount = 30
    static let payloadBytes = 1 << 20

    /// Frame `index`: a length, then `payloadBytes` bytes all equal to `index + 1`.
    static func frame(_ index: Int) -> [UInt8] {
        PeerTransportTests.frame([UInt8](repeating: UInt8(index + 1), count: payloadBytes))
    }

    /// Accepts one connection on the non-blocking listener `fd` within `timeoutMs`, as a blocking socket
    /// with a receive timeout.
    static func accept(_ fd: Int32, timeoutMs: Int32 = 10_000) throws -> Int32 {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMs) == 1 else { throw NetError.timeout("accept") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw NetError.system("accept", errno) }
        BlockingSocket.setTimeouts(client, ms: 10_000)
        return client
    }

    /// Reads the connector's hello and lets it in (no cluster secret on either side).
    static func admit(_ client: Int32) throws {
        _ = try BlockingSocket.readFrame(client, frameBytesMax: PeerHandshake.frameBytesMax)
        try BlockingSocket.send(client, [PeerHandshake.Answer.accepted.rawValue])
    }

    @Test func afterAResetTheNextConnectionCarriesWholeFrames() throws {
        let peer = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        defer { close(peer.fd) }
        let a = try PeerTransportTests.transport("a", inbox: PeerTransportTests.Inbox())
        defer { a.stop() }
        let channel = try #require(a.channel(to: "127.0.0.1:\(peer.port)"))

        // First connection, established by a small frame.
        #expect(channel.send(PeerTransportTests.frame([0])) == .queued)
        let first = try Self.accept(peer.fd)
        try Self.admit(first)
        _ = try BlockingSocket.readFrame(first, frameBytesMax: 16)
        // Large frames sent from the event loop go out by the loop's own writes, which a full socket
        // buffer cuts in the middle of a frame; the peer reads a little and resets the connection.
        a.loops.loops[0].execute {
            for index in 0..<Self.frameCount { _ = channel.send(Self.frame(index)) }
        }
        _ = try BlockingSocket.read(first, count: 100_000)
        var reset = linger(l_onoff: 1, l_linger: 0)
        setsockopt(first, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        close(first)

        // Second connection: what is left of the queue, then three more frames; the peer reads every
        // frame whole (the rest of a cut frame would be read as a length, and refused or misread).
        let second = try Self.accept(peer.fd)
        defer { close(second) }
        try Self.admit(second)
        let last = Self.frameCount + 2
        for index in Self.frameCount...last {
            #expect(PeerTransportTests.eventually { channel.send(Self.frame(index)) == .queued })
        }
        var indices: [Int] = []
        while indices.last != last {
            let frame = try BlockingSocket.readFrame(second, frameBytesMax: Self.payloadBytes + 4)
            let value = frame[4]
            try #require(frame.count == Self.payloadBytes + 4 && frame.dropFirst(4).allSatisfy { $0 == value },
                         "a frame of \(frame.count) bytes that is not one sent whole, after frames \(indices)")
            indices.append(Int(value) - 1)
        }
        #expect(indices == indices.sorted() && Set(indices).count == indices.count, "frames \(indices)")
        #expect(Array(indices.suffix(3)) == Array(Self.frameCount...last), "frames \(indices)")
    }
}
