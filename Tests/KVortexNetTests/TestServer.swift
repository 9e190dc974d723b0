import Glibc
import KVortexNet
import Synchronization
@testable import KVortexNet

/// A handler for socket tests: echoes method, path, query and body; `/later?ms=N` answers from another
/// thread after N ms, so responses can complete out of order; `/inside` answers deferred but from
/// inside the handler call; `/onloop` answers later from the connection's own loop, outside a handler.
final class EchoHandler: HTTPHandler {
    func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
        let path = Array(request.path)
        let query = String(decoding: request.query, as: UTF8.self)
        let body = Array(request.body)
        if path == Array("/later".utf8) {
            let delayMs = UInt32(query.split(separator: "=").last.flatMap { UInt32($0) } ?? 0)
            let thread = PosixThread {
                usleep(delayMs * 1000)
                responder.complete(HTTPResponse(status: 200, body: Array("later \(query)".utf8)))
            }
            thread.start()
            return .later
        }
        if path == Array("/inside".utf8) {
            responder.complete(HTTPResponse(status: 200, body: Array("inside".utf8)))
            return .later
        }
        if path == Array("/onloop".utf8) {
            EventLoop.current!.execute { responder.complete(HTTPResponse(status: 200, body: Array("onloop".utf8))) }
            return .later
        }
        var response = HTTPResponse(status: 200, body: Array("\(request.method) \(String(decoding: path, as: UTF8.self)) \(query) ".utf8) + body)
        response.addHeader("X-Echo", "yes")
        return .now(response)
    }
}

/// A detached pthread running a closure (tests only).
final class PosixThread: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    func start() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let me = Unmanaged<PosixThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
    }
}

/// A server on an ephemeral port, stopped when the test ends.
final class RunningServer {
    let server: HTTPServer
    let port: Int

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 2
        configure(&configuration)
        server = HTTPServer(configuration: configuration, handler: EchoHandler())
        port = try server.start().port
    }

    deinit {
        server.stop(gracePeriodMs: 1_000)
    }
}

/// A raw client socket for sending arbitrary bytes.
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw NetError.system("connect", errno) }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes or the 5 s receive timeout passes.
    func readToEnd() -> String {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            all += chunk[0..<count]
        }
        return String(decoding: all, as: UTF8.self)
    }

    /// Reads until `count` responses (by status line) have arrived, or the timeout.
    func readResponses(_ count: Int) -> String {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while String(decoding: all, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count - 1 < count {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if received <= 0 { break }
            all += chunk[0..<received]
        }
        return String(decoding: all, as: UTF8.self)
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

/// Polls until `condition` holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = EventLoop.monotonicMs() + UInt64(seconds * 1000)
    while EventLoop.monotonicMs() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
