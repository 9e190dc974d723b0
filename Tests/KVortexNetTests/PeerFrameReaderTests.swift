@testable import KVortexNet
import Foundation
import Glibc
import Testing

/// The buffered frame reader: many frames in one read, a frame split over several, and a length out of
/// bounds refused. Sockets are blocking here, so `fill` waits for bytes.
@Suite struct PeerFrameReaderTests {
    static func frame(_ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count)
        return [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
                UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)] + body
    }

    /// The next frame, receiving until it is whole.
    static func next(_ reader: inout PeerFrameReader) throws(NetError) -> [UInt8] {
        while true {
            if let frame = try reader.take() { return reader.withFrames([frame]) { $0.map(Array.init)[0] } }
            _ = try reader.fill()
        }
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    @Test func framesTogetherAndSplitComeOutWhole() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let bodies: [[UInt8]] = [[1], [2, 2], Array(repeating: 3, count: 100_000), [4, 4, 4, 4]]
        // The first two in one write; the big one in three pieces, the last with the header of the fourth.
        Self.write(fds[1], Self.frame(bodies[0]) + Self.frame(bodies[1]))
        let big = Self.frame(bodies[2])
        Self.write(fds[1], Array(big[0..<3]))
        Self.write(fds[1], Array(big[3..<70_000]))
        Self.write(fds[1], Array(big[70_000...]) + Array(Self.frame(bodies[3])[0..<2]))
        Self.write(fds[1], Array(Self.frame(bodies[3])[2...]))
        var reader = PeerFrameReader(fd: fds[0], frameBytesMax: 1 << 20)
        for body in bodies {
            #expect(try Self.next(&reader) == Self.frame(body))
        }
        // A frame longer than four reads grows the buffer; taken, it is still whole where it lies (the
        // buffer is given back at the next read, not when the frame is taken).
        let long = Self.frame((0..<(5 * PeerFrameReader.readBytes)).map { UInt8(truncatingIfNeeded: $0) })
        let fd = fds[1]
        let writer = Thread { Self.write(fd, long + Self.frame([5])) }
        writer.start()
        #expect(try Self.next(&reader) == long)
        #expect(try Self.next(&reader) == Self.frame([5]))
        // End of stream without closing: the `defer` closes each descriptor once (closing one twice
        // could close a descriptor another test's thread has just been given).
        shutdown(fds[1], Int32(SHUT_WR))
        #expect(throws: NetError.closed) { try Self.next(&reader) }
    }

    @Test func anOversizedLengthIsAProtocolError() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        Self.write(fds[1], [0xFF, 0xFF, 0xFF, 0x7F, 1])
        var reader = PeerFrameReader(fd: fds[0], frameBytesMax: 1 << 20)
        do {
            _ = try Self.next(&reader)
            Issue.record("a 2 GiB length was accepted")
        } catch .protocolError {
        } catch {
            Issue.record("expected a protocol error, got \(error)")
        }
    }
}
