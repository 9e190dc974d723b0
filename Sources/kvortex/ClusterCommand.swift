import KVortexCore
import KVortexNet
import KVortexServer

/// `kvortex cluster status|ring|join SEED|leave`: the cluster as one node sees it, and membership
/// changes asked of that node (API.md "Endpoints", `/cluster/*`).
///
/// Exit status: 0 success; 1 the node answered with an error, answered something unreadable, or
/// could not be reached; 2 bad usage.
enum ClusterCommand {
    static let valueFlags: Set<String> = ["node", "timeout-ms", ClientToken.flag]
    static let switchFlags: Set<String> = ["all"]
    static let nodeDefault = "127.0.0.1:8080"

    /// A failure after the command line was understood: printed as `kvortex cluster SUB: message`.
    struct Failure: Error {
        let message: String
    }

    static func run(_ words: [String]) -> Int32 {
        if Arguments.asksForHelp(words) {
            print(HelpText.cluster)
            return 0
        }
        var subcommand = ""
        do {
            let arguments = try Arguments(words, valueFlags: valueFlags, switchFlags: switchFlags)
            subcommand = arguments.positionals.first ?? ""
            let node = arguments.string("node") ?? nodeDefault
            let (host, port) = try Arguments.hostPort(node, flag: "--node")
            let timeoutMs = try arguments.int("timeout-ms", range: 1...600_000) ?? 10_000
            let request = try parseUsage(arguments)
            let token = try ClientToken.resolve(arguments)
            let client: HTTPClient
            do {
                client = try HTTPClient(host: host, port: port, timeoutMs: timeoutMs)
            } catch {
                let which = arguments.string("node") == nil ? " (the default; name a node with --node HOST:PORT)" : ""
                throw Failure(message: "cannot reach node \(node)\(which): \(error)")
            }
            let session = Session(client: client, node: node, subcommand: subcommand, token: token)
            switch request {
            case .status: try status(session)
            case .ring(let all): try ring(session, all: all)
            case .join(let seed): try join(session, seed: seed)
            case .leave: try leave(session)
            }
            return 0
        } catch let failure as Arguments.Failure {
            Terminal.error("kvortex \(name(subcommand)): \(failure)\n\n\(HelpText.clusterUsage)\nTry: kvortex cluster --help\n")
            return 2
        } catch let failure as Failure {
            Terminal.error("kvortex \(name(subcommand)): \(failure.message)\n")
            return 1
        } catch {
            Terminal.error("kvortex \(name(subcommand)): \(error)\n")
            return 1
        }
    }

    /// "cluster status", or "cluster" before a subcommand is known.
    private static func name(_ subcommand: String) -> String {
        subcommand.isEmpty ? "cluster" : "cluster \(subcommand)"
    }

    enum Request: Equatable {
        case status
        case ring(all: Bool)
        case join(seed: String)
        case leave
    }

    /// Checks the subcommand, its positional words and which flags it accepts.
    static func parseUsage(_ arguments: Arguments) throws(Arguments.Failure) -> Request {
        var positionals = arguments.positionals
        guard !positionals.isEmpty else { throw Arguments.Failure(description: "needs a subcommand: status, ring, join SEED or leave") }
        let subcommand = positionals.removeFirst()
        if arguments.has("all") && subcommand != "ring" {
            throw Arguments.Failure(description: "--all applies to `ring` only")
        }
        switch subcommand {
        case "status", "ring", "leave":
            guard positionals.isEmpty else {
                throw Arguments.Failure(description: "\(subcommand) takes no arguments, got '\(positionals.joined(separator: " "))'")
            }
            if subcommand == "status" { return .status }
            return subcommand == "ring" ? .ring(all: arguments.has("all")) : .leave
        case "join":
            guard positionals.count == 1 else {
                throw Arguments.Failure(description: positionals.isEmpty
                    ? "join needs SEED, the peer address (HOST:PORT) of a node already in the cluster"
                    : "join takes one SEED, got '\(positionals.joined(separator: " "))'")
            }
            _ = try Arguments.hostPort(positionals[0], flag: "SEED")
            return .join(seed: positionals[0])
        default:
            throw Arguments.Failure(description: "unknown subcommand '\(subcommand)' (status, ring, join SEED, leave)")
        }
    }

    // MARK: - Subcommands

    private static func status(_ session: Session) throws {
        let members = try ClusterView.members(from: session.json(.get, "/cluster/members"))
        let ring = try ClusterView.ring(from: session.json(.get, "/cluster/ring"))
        let ready = try session.readiness()
        print(ClusterView.statusText(members: members, ring: ring, ready: ready, node: session.node))
    }

    private static func ring(_ session: Session, all: Bool) throws {
        let ring = try ClusterView.ring(from: session.json(.get, "/cluster/ring"))
        let program = CommandLine.arguments.first ?? "kvortex"
        let nodeFlag = session.node == nodeDefault ? "" : " --node \(session.node)"
        print(ClusterView.ringText(ring, all: all, node: session.node, allCommand: "\(program) cluster ring --all" + nodeFlag))
    }

    private static func join(_ session: Session, seed: String) throws {
        let target = "/cluster/join?seed=" + KeyCommand.percentEncode(seed)
        let response = try session.expectSuccess(.post, target)
        print("node \(session.node) accepted the request to join the cluster through seed \(seed) (\(response.status))"
            + serverNote(try? JSONParser.parse(response.body)))
        print("Follow it with: kvortex cluster status --node \(session.node)")
    }

    private static func leave(_ session: Session) throws {
        let response = try session.expectSuccess(.post, "/cluster/leave")
        let body = try? JSONParser.parse(response.body)
        if body?["alreadyLeaving"] == .bool(true) {
            print("node \(session.node) is already leaving the cluster (\(response.status))" + serverNote(body))
        } else {
            print("node \(session.node) accepted the request to leave the cluster (\(response.status)); "
                + "it hands its partitions to the others before it goes" + serverNote(body))
        }
        print("Follow it with: kvortex cluster status --node <another node>")
    }

    /// The `message` of a parsed JSON answer body, as a trailing sentence; empty when there is none.
    private static func serverNote(_ body: JSONValue?) -> String {
        guard let message = body?["message"]?.stringValue, !message.isEmpty else { return "" }
        return ": \(message)"
    }

    /// One node, one connection: the requests of one subcommand.
    struct Session {
        let client: HTTPClient
        let node: String
        let subcommand: String
        /// Sent as `Authorization: Bearer` on every request (`ClientToken`).
        let token: ClientToken?

        /// Sends the request; a non-2xx answer is a `Failure` carrying the status and the server's
        /// message, or, for a refused token, how to give one.
        func expectSuccess(_ method: HTTPMethod, _ target: String) throws -> HTTPClient.Response {
            let response = try send(method, target)
            guard (200...299).contains(response.status) else {
                if let refusal = ClientToken.refusal(status: response.status, body: response.body, token: token) {
                    throw Failure(message: refusal)
                }
                let message = SiblingsPrinter.errorMessage(response.body) ?? String(decoding: response.body, as: UTF8.self)
                throw Failure(message: "\(response.status) \(message)")
            }
            return response
        }

        func json(_ method: HTTPMethod, _ target: String) throws -> JSONValue {
            let response = try expectSuccess(method, target)
            do {
                return try JSONParser.parse(response.body)
            } catch {
                throw Failure(message: "node \(node) answered \(target) with JSON that does not parse: \(error.reason) at byte \(error.offset)")
            }
        }

        /// `GET /ready`: 200 is ready, 503 is not; anything else is reported as unknown.
        func readiness() throws -> ClusterView.Readiness {
            let response = try send(.get, "/ready")
            switch response.status {
            case 200: return .ready
            case 503: return .notReady(SiblingsPrinter.errorMessage(response.body))
            default: return .unknown(status: response.status)
            }
        }

        private func send(_ method: HTTPMethod, _ target: String) throws -> HTTPClient.Response {
            do {
                return try client.request(method: method, target: target, headers: ClientToken.headers(token), body: [])
            } catch {
                throw Failure(message: "no answer from node \(node) to \(method) \(target): \(error)")
            }
        }
    }
}

/// The pure half of `kvortex cluster`: reading the `/cluster/*` documents and laying out tables.
/// No I/O; every order is fixed (members as the node lists them, nodes sorted by ID).
enum ClusterView {
    struct Member: Equatable {
        let id: String
        let state: String
        let http: String
        /// Absent from a single-node build's answer; printed as "-".
        let peer: String?
    }

    struct Ring: Equatable {
        let partitionCount: Int
        let replicaCount: Int
        /// Preference lists indexed by partition; nil where the node listed none.
        let lists: [[String]?]
    }

    struct Ownership: Equatable {
        /// Partitions where the node is at each place of the preference list: `[0]` first (the
        /// primary), `[1]` second, and so on up to the longest list.
        var placeCounts: [Int]
        /// Partitions where the node is anywhere in the preference list.
        var replicaCount = 0

        init(placeCount: Int) {
            placeCounts = Array(repeating: 0, count: placeCount)
        }

        /// Partitions where the node is first in the preference list.
        var primaryCount: Int { placeCounts.first ?? 0 }
    }

    enum Readiness: Equatable {
        case ready
        case notReady(String?)
        case unknown(status: Int)
    }

    /// The states of API.md, in the order the summary counts them.
    static let states = ["up", "suspect", "down", "leaving"]
    /// Largest partition count accepted from a node, so a bad answer cannot make us allocate without bound.
    static let partitionCountMax = 1 << 20

    // MARK: Reading

    static func members(from document: JSONValue) throws(ClusterCommand.Failure) -> [Member] {
        guard let entries = document["members"]?.arrayValue else { throw malformed("/cluster/members", "no \"members\" array") }
        var members: [Member] = []
        for entry in entries {
            guard let id = entry["id"]?.stringValue, let state = entry["state"]?.stringValue else {
                throw malformed("/cluster/members", "a member without \"id\" or \"state\"")
            }
            members.append(Member(id: id, state: state, http: entry["http"]?.stringValue ?? "-", peer: entry["peer"]?.stringValue))
        }
        return members
    }

    static func ring(from document: JSONValue) throws(ClusterCommand.Failure) -> Ring {
        guard case .number(let partitions) = document["partitions"], let partitionCount = Int(exactly: partitions),
            (1...partitionCountMax).contains(partitionCount)
        else { throw malformed("/cluster/ring", "\"partitions\" is not a count in 1...\(partitionCountMax)") }
        guard let entries = document["ring"]?.arrayValue else { throw malformed("/cluster/ring", "no \"ring\" array") }
        var replicaCount = 0
        if case .number(let replicas) = document["replicas"] { replicaCount = Int(exactly: replicas) ?? 0 }
        var lists = [[String]?](repeating: nil, count: partitionCount)
        for entry in entries {
            guard case .number(let number) = entry["partition"], let partition = Int(exactly: number),
                lists.indices.contains(partition), let names = entry["preferenceList"]?.arrayValue
            else { throw malformed("/cluster/ring", "an entry without a partition in 0..<\(partitionCount) or a preference list") }
            lists[partition] = names.map { $0.stringValue ?? "?" }
        }
        return Ring(partitionCount: partitionCount, replicaCount: replicaCount, lists: lists)
    }

    private static func malformed(_ path: String, _ what: String) -> ClusterCommand.Failure {
        ClusterCommand.Failure(message: "unexpected answer to \(path): \(what)")
    }

    // MARK: Counting

    /// Partition counts of every node the ring names, by place in the preference list and in all,
    /// sorted by node ID. Every node has one place count per place of the longest list.
    static func ownership(_ lists: [[String]?]) -> [(node: String, ownership: Ownership)] {
        let placeCount = lists.map { $0?.count ?? 0 }.max() ?? 0
        var counts: [String: Ownership] = [:]
        for list in lists {
            guard let list else { continue }
            for (place, node) in list.enumerated() { counts[node, default: Ownership(placeCount: placeCount)].placeCounts[place] += 1 }
            for node in Set(list) { counts[node, default: Ownership(placeCount: placeCount)].replicaCount += 1 }
        }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }

    // MARK: Rendering

    static func statusText(members: [Member], ring: Ring, ready: Readiness, node: String) -> String {
        let owned = Dictionary(uniqueKeysWithValues: ownership(ring.lists).map { ($0.node, $0.ownership) })
        var rows = [["ID", "STATE", "HTTP", "PEER", "PRIMARY", "REPLICA"]]
        for member in members {
            let counts = owned[member.id] ?? Ownership(placeCount: 0)
            rows.append([member.id, member.state, member.http, member.peer ?? "-", "\(counts.primaryCount)", "\(counts.replicaCount)"])
        }
        var lines = table(rows, rightAligned: [4, 5])
        let stateCounts = states.map { state in "\(members.filter { $0.state == state }.count) \(state)" }
        let others = members.filter { !states.contains($0.state) }.count
        var summary = "\(Counted(members.count, "member")): " + stateCounts.joined(separator: ", ")
        if others > 0 { summary += ", \(others) in another state" }
        lines.append("")
        lines.append(summary + "; ready: " + readinessText(ready))
        lines.append(ringSummary(ring, node: node))
        let strangers = owned.keys.filter { id in !members.contains { $0.id == id } }.sorted()
        if !strangers.isEmpty {
            lines.append("the ring also names nodes that are not members: " + strangers.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The ring as `kvortex cluster ring` prints it: by default how many partitions each node holds at
    /// each place of the preference lists (a few lines, whatever the partition count), then how to see
    /// every list (`allCommand`); with `all`, first the preference list of every partition, one row each.
    static func ringText(_ ring: Ring, all: Bool, node: String, allCommand: String) -> String {
        var lines = [ringSummary(ring, node: node), ""]
        if all {
            var rows = [["PARTITION", "PREFERENCE LIST"]]
            for (partition, list) in ring.lists.enumerated() {
                rows.append(["\(partition)", list.map { $0.joined(separator: ", ") } ?? "(none listed)"])
            }
            lines += table(rows, rightAligned: [])
            lines.append("")
        }
        let owners = ownership(ring.lists)
        let placeCount = owners.first?.ownership.placeCounts.count ?? 0
        let places = (0..<placeCount).map { $0 == 0 ? "PRIMARY" : ordinal($0 + 1) }
        var rows = [["NODE"] + places + ["REPLICA"]]
        for (name, counts) in owners {
            rows.append([name] + counts.placeCounts.map { "\($0)" } + ["\(counts.replicaCount)"])
        }
        lines += table(rows, rightAligned: Set(1...(placeCount + 1)))
        lines.append("")
        lines.append(placeCount > 1
            ? "\(places.joined(separator: ", ")): partitions whose preference list has the node in that place; REPLICA: anywhere in it"
            : "PRIMARY: partitions whose preference list starts with the node; REPLICA: anywhere in it")
        if !all { lines.append("The preference list of every partition: \(allCommand)") }
        return lines.joined(separator: "\n")
    }

    /// "2ND", "3RD", "11TH", "21ST": the column title of a place in the preference list.
    static func ordinal(_ number: Int) -> String {
        let suffix: String
        switch (number % 10, number % 100) {
        case (_, 11...13): suffix = "TH"
        case (1, _): suffix = "ST"
        case (2, _): suffix = "ND"
        case (3, _): suffix = "RD"
        case (_, _): suffix = "TH"
        }
        return "\(number)\(suffix)"
    }

    /// "256 partitions, 3 replicas each, as 127.0.0.1:8080 sees it", plus any partition without a list.
    static func ringSummary(_ ring: Ring, node: String) -> String {
        var text = "\(Counted(ring.partitionCount, "partition")), \(Counted(ring.replicaCount, "replica")) each, as node \(node) sees it"
        let unlisted = ring.lists.filter { $0 == nil }.count
        if unlisted > 0 { text += "; no preference list for \(Counted(unlisted, "partition"))" }
        return text
    }

    static func readinessText(_ ready: Readiness) -> String {
        switch ready {
        case .ready: "yes"
        case .notReady(let message): message.map { "no (\($0))" } ?? "no"
        case .unknown(let status): "unknown (/ready answered \(status))"
        }
    }

    /// Left-aligned columns two spaces apart (the `rightAligned` ones right-aligned); no trailing blanks.
    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let columnCount = rows.map(\.count).max() ?? 0
        let widths = (0..<columnCount).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column > 0 { line += "  " }
                line += rightAligned.contains(column) ? padding + cell : cell + (column == row.count - 1 ? "" : padding)
            }
            return line
        }
    }
}
