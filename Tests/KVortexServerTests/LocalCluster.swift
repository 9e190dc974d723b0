import Foundation
import KVortexNet
import Testing

/// Real `kvortex` processes forming one cluster on loopback, for process tests: node i is `n<i>`,
/// the first starts alone and the others name it as their seed, so every node is found by gossip.
/// Every node is stopped by PID when the cluster goes away, even when a test fails.
final class LocalCluster {
    private(set) var ids: [String]
    let extraArguments: [String]
    private(set) var nodes: [NodeProcess?]
    /// Per node, data directories for durable engines (removed with the cluster).
    private(set) var directories: [String]
    /// Sent with every request of `call` (`Authorization: Bearer` when the nodes need a token).
    let defaultHeaders: [(String, String)]

    /// `bearerToken`: for nodes started with `--auth-token-file` (in `arguments`), the token every
    /// `call` carries, the calls that wait for the cluster to form included.
    init(size: Int = 3, arguments: [String] = [], durable engine: String? = nil, bearerToken: String? = nil) throws {
        defaultHeaders = bearerToken.map { [("Authorization", "Bearer \($0)")] } ?? []
        ids = (1...size).map { "n\($0)" }
        let base = NSTemporaryDirectory() + "kvortex-cluster-\(UUID().uuidString)"
        directories = ids.map { "\(base)/\($0)" }
        extraArguments = arguments
        nodes = Array(repeating: nil, count: size)
        for index in 0..<size { try start(index, engine: engine) }
        try waitUntilFormed()
    }

    deinit {
        nodes.forEach { $0?.stop() }
        if let base = directories.first.map({ ($0 as NSString).deletingLastPathComponent }) {
            try? FileManager.default.removeItem(atPath: base)
        }
    }

    private var engine: String?

    /// Starts (or restarts) node `index` with its ID and data directory; seeds it with a running node.
    func start(_ index: Int, engine: String? = nil) throws {
        if let engine { self.engine = engine }
        var arguments = ["--node-id", ids[index]] + extraArguments
        if let engine = self.engine {
            arguments += ["--storage", engine, "--data-dir", directories[index], "--fsync", "batch"]
        }
        let seeds = nodes.indices.filter { $0 != index }.compactMap { nodes[$0] }.filter { $0.process.isRunning }.map(\.peerAddress)
        if !seeds.isEmpty { arguments += ["--seeds", seeds.joined(separator: ",")] }
        nodes[index] = try NodeProcess(arguments)
    }

    func node(_ index: Int) -> NodeProcess { nodes[index]! }

    /// Starts one more node, `n<size + 1>`, seeded with the running ones; returns its index. Does not
    /// wait for the others to see it (`waitUntilFormed`).
    func addNode() throws -> Int {
        let index = ids.count
        ids.append("n\(index + 1)")
        directories.append((directories[0] as NSString).deletingLastPathComponent + "/n\(index + 1)")
        nodes.append(nil)
        try start(index)
        return index
    }

    /// The preference list of `key` as node `index` routes it.
    func preferenceList(_ key: String, at index: Int = 0) throws -> [String] {
        try call(index, .get, "/cluster/locate?key=\(key)").json?["preferenceList"] as? [String] ?? []
    }

    /// One request to node `index` on a fresh connection (a node may have been killed since the last),
    /// with `defaultHeaders` before `headers`.
    func call(_ index: Int, _ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: String = "") throws -> Reply {
        try node(index).client().call(method, target, headers: defaultHeaders + headers, body: body)
    }

    /// Waits until every running node is ready and sees every member up.
    func waitUntilFormed(timeoutSeconds: Double = 30) throws {
        let running = nodes.indices.filter { nodes[$0]?.process.isRunning == true }
        try waitFor(timeoutSeconds: timeoutSeconds, pollMs: 50, "the cluster formed") { () -> Bool? in
            for index in running {
                guard try call(index, .get, "/ready").status == 200 else { return nil }
                let members = try call(index, .get, "/cluster/members").json?["members"] as? [[String: Any]] ?? []
                let up = members.filter { $0["state"] as? String == "up" }.compactMap { $0["id"] as? String }
                guard Set(up) == Set(ids) else { return nil }
            }
            return true
        }
    }

    /// A metric's value on node `index` (the first sample whose line starts with `series`).
    func metric(_ index: Int, _ series: String) throws -> Double? {
        let text = try call(index, .get, "/metrics").text
        return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }
}

/// Per-request consistency headers, as API.md spells them.
enum Consistency {
    static func write(_ w: Int) -> [(String, String)] { [("X-Write-Quorum", "\(w)")] }
    static let all: [(String, String)] = [("X-Consistency", "all")]
    /// R=1 from primaries only: what this node's own replica holds when it is a primary.
    static let localPrimary: [(String, String)] = [("X-Read-Quorum", "1"), ("X-Sloppy-Quorum", "false")]
}
