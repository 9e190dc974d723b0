import CEpoll
import Glibc

/// A small blocking HTTP/1.1 client over one keep-alive connection, for the CLI, the benchmark
/// preloader and tests. Not thread-safe: one client per thread. Reconnects once when a kept-alive
/// connection turns out closed.
public final class HTTPClient {
    public let host: String
    public let port: Int
    public let timeoutMs: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// Largest response accepted.
    public static let responseBytesMax = 64 << 20

    public init(host: String, port: Int, timeoutMs: Int = 10_000) throws(NetError) {
        self.host = host
        self.port = port
        self.timeoutMs = timeoutMs
        try connect()
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public typealias Response = (status: Int, headers: [(String, String)], body: [UInt8])

    public func request(method: HTTPMethod, target: String, headers: [(String, String)], body: [UInt8]) throws(NetError) -> Response {
        var head = "\(method.token) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == .post || method == .put { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let message = Array(head.utf8) + body
        do {
            try send(message)
            return try readResponse(isHead: method == .head)
        } catch .closed {
            // The server closed the kept-alive connection (idle timeout, Connection: close): retry once.
            try reconnect()
            try send(message)
            return try readResponse(isHead: method == .head)
        }
    }

    private func connect() throws(NetError) {
        fd = try BlockingSocket.connect(host: host, port: port, timeoutMs: timeoutMs)
    }

    private func reconnect() throws(NetError) {
        if fd >= 0 { close(fd); fd = -1 }
        buffer.removeAll()
        try connect()
    }

    private func send(_ bytes: [UInt8]) throws(NetError) {
        try BlockingSocket.send(fd, bytes)
    }

    var bufferCount: Int { buffer.count }

    func bufferPrefix(_ count: Int) -> [UInt8] { Array(buffer[0..<count]) }

    func consume(_ count: Int) { buffer.removeFirst(count) }

    func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where buffer[index] == pattern[0] {
            if buffer[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
        }
        return nil
    }

    /// Reads more bytes into the buffer; throws `.closed` at end of stream.
    func fillMore() throws(NetError) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                guard buffer.count <= Self.responseBytesMax else { throw .protocolError("response larger than \(Self.responseBytesMax) bytes") }
                return
            }
            if count == 0 || errno == ECONNRESET { throw .closed }
            if errno == EINTR { continue }
            throw errno == EAGAIN || errno == EWOULDBLOCK ? .timeout("waiting for the response") : .system("recv", errno)
        }
    }
}
