import CEpoll
import Glibc

/// A peer's accepted connection after its handshake, read on an event loop: every readiness event
/// takes one `recv` and hands the whole frames it completed to the transport's receiver on the loop
/// thread, together and in place in the read buffer (the receiver copies what it keeps).
/// Loop-confined, like an HTTP connection.
final class PeerConnection: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    let peer: String
    unowned let loop: EventLoop
    private var reader: PeerFrameReader
    private let counters: CounterArray
    private let receive: @Sendable (String, PeerFrames) -> Void
    /// Told once, when the connection closes (to forget it).
    private let closed: @Sendable (PeerConnection) -> Void
    private var isClosed = false
    /// The frames of the current read (kept for its capacity).
    private var taken: [Range<Int>] = []

    init(fd: Int32, peer: String, loop: EventLoop, frameBytesMax: Int, counters: CounterArray,
         receive: @escaping @Sendable (String, PeerFrames) -> Void, closed: @escaping @Sendable (PeerConnection) -> Void) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
        reader = PeerFrameReader(fd: fd, frameBytesMax: frameBytesMax)
        self.counters = counters
        self.receive = receive
        self.closed = closed
    }

    /// Starts reading on the loop; called on the loop thread. Closes the socket if it cannot.
    func register() {
        do {
            try loop.register(fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: self)
        } catch {
            close()
        }
    }

    func handleEvents(_ events: UInt32) {
        guard !isClosed else { return }
        var failure: NetError?
        taken.removeAll(keepingCapacity: true)
        do throws(NetError) {
            guard try reader.fill() else { return }
            while let frame = try reader.take() {
                counters.add(1, at: PeerCounter.framesReceived.rawValue)
                counters.add(UInt64(frame.count), at: PeerCounter.bytesReceived.rawValue)
                taken.append(frame)
            }
        } catch {
            failure = error
        }
        // The whole frames before a failure still count: handed over before the connection closes.
        if !taken.isEmpty { reader.withFrames(taken) { receive(peer, $0) } }
        guard let failure else { return }
        if case .protocolError = failure { counters.add(1, at: PeerCounter.protocolErrors.rawValue) }
        close()  // a protocol error, the peer closed, or the socket failed
    }

    /// Stops reading and closes the socket; on the loop thread, once.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        closed(self)
        loop.unregister(fd)
        Glibc.close(fd)
    }
}
