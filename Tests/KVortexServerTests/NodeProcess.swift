import Foundation
import KVortexNet
import Synchronization
import Testing

/// A real `kvortex` process started for one test, on an ephemeral port, stopped by PID.
///
/// `stop()` sends SIGTERM and waits with a deadline, then SIGKILL; `deinit` does the same, so a
/// failing test never leaves a node behind. Never kills by name.
final class NodeProcess: @unchecked Sendable {
    let process: ChildProcess
    private(set) var host = "127.0.0.1"
    private(set) var port = 0
    private(set) var nodeID = ""
    /// Where peers reach it (`peer=` of the ready line).
    private(set) var peerAddress = ""

    /// The binary built next to the tests (`swift build --build-tests` builds it).
    static var binaryURL: URL {
        if let path = ProcessInfo.processInfo.environment["KVORTEX_BIN"] { return URL(fileURLWithPath: path) }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("kvortex")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        // Fall back to the package's debug build folder, found from this file's path.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/kvortex")
    }

    /// Starts `kvortex serve --http 127.0.0.1:0 <arguments>` and waits for its ready line.
    init(_ arguments: [String] = [], readyTimeoutSeconds: Double = 30) throws {
        process = try ChildProcess(Self.binaryURL, ["serve", "--http", "127.0.0.1:0", "--loops", "2"] + arguments)
        let line = try waitFor(timeoutSeconds: readyTimeoutSeconds, "ready line") { try self.readyLine() }
        // kvortex ready http=HOST:PORT peer=HOST:PORT id=ID
        for field in line.split(separator: " ") {
            if field.hasPrefix("http=") {
                let address = field.dropFirst(5)
                let colon = address.lastIndex(of: ":")!
                host = String(address[..<colon])
                port = Int(address[address.index(after: colon)...])!
            } else if field.hasPrefix("peer=") {
                peerAddress = String(field.dropFirst(5))
            } else if field.hasPrefix("id=") {
                nodeID = String(field.dropFirst(3))
            }
        }
    }

    deinit {
        stop()
    }

    var stdoutText: String { process.output.text }
    var stderrText: String { process.errorOutput.text }

    private func readyLine() throws -> String? {
        if !process.isRunning {
            _ = process.waitForOutput(timeoutSeconds: 5)
            throw WaitTimeout(description: "kvortex exited with \(process.terminationStatus.map(String.init) ?? "?") before it was ready: \(stderrText)")
        }
        return stdoutText.split(separator: "\n").first { $0.hasPrefix("kvortex ready ") }.map(String.init)
    }

    func client() throws -> HTTPClient {
        try HTTPClient(host: host, port: port, timeoutMs: 10_000)
    }

    /// SIGKILL, as a crash: no flush, no goodbye. Waits (bounded) for the process to be gone.
    func crash() {
        process.send(SIGKILL)
        process.wait(timeoutSeconds: 10)
    }

    /// SIGTERM, then wait up to `timeoutSeconds`; SIGKILL if it is still running. Returns the exit status
    /// (nil when it had to be killed).
    @discardableResult
    func stop(timeoutSeconds: Double = 15) -> Int32? {
        process.stop(timeoutSeconds: timeoutSeconds)
    }
}

/// Bytes appended from a pipe's reader thread and read by the test.
final class LockedBytes: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    func append(_ more: [UInt8]) {
        bytes.withLock { $0.append(contentsOf: more) }
    }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}

struct WaitTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` until it returns a value or the deadline passes (no fixed sleeps as assertions).
@discardableResult
func waitFor<T>(timeoutSeconds: Double, pollMs: UInt32 = 10, _ what: String = "condition",
                _ condition: () throws -> T?) throws -> T {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
        if let value = try condition() { return value }
        guard Date() < deadline else { throw WaitTimeout(description: "\(what) not met within \(timeoutSeconds) s") }
        usleep(pollMs * 1000)
    }
}

extension HTTPClient {
    /// A request with headers given as a dictionary literal; returns status, headers and body text.
    func call(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: String = "")
        throws -> Reply
    {
        let response = try request(method: method, target: target, headers: headers, body: Array(body.utf8))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }
}

struct Reply {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
