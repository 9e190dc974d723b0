import Glibc
import KVortexNet
import KVortexServer

/// `kvortex get|set|delete`: one request to a running node, output fit for people and scripts.
enum KeyCommand {
    static let nodeDefault = "127.0.0.1:8080"
    /// The values of `--consistency`, as the node reads `X-Consistency` (API.md).
    static let consistencyLevels = ["one", "two", "quorum", "all"]

    /// The value flags each command accepts; any other is refused, as the help lists them.
    static func valueFlags(of command: String) -> Set<String> {
        switch command {
        case "get": ["node", "consistency", "timeout-ms", ClientToken.flag]
        case "set": ["node", "consistency", "timeout-ms", "context", "ttl", "content-type", ClientToken.flag]
        default: ["node", "consistency", "timeout-ms", "context", ClientToken.flag]
        }
    }

    static func run(_ command: String, _ words: [String]) -> Int32 {
        if Arguments.asksForHelp(words) {
            print(HelpText.keyCommands)
            return 0
        }
        do {
            let arguments = try Arguments(words, valueFlags: valueFlags(of: command), switchFlags: command == "get" ? ["json"] : [])
            let expected = command == "set" ? 2 : 1
            guard arguments.positionals.count == expected else {
                throw Arguments.Failure(description: command == "set" ? "set needs KEY and VALUE (or - for standard input)" : "\(command) needs exactly one KEY")
            }
            try checkHeaderValues(arguments)
            let request = Request(command: command, arguments: arguments, token: try ClientToken.resolve(arguments))
            let (host, port) = try Arguments.hostPort(arguments.string("node") ?? nodeDefault, flag: "--node")
            let client = try HTTPClient(host: host, port: port, timeoutMs: 10_000)
            let key = arguments.positionals[0]
            let target = "/kv/" + percentEncode(key)
            switch command {
            case "get": return try get(client, target: target, key: key, request)
            case "set": return try write(client, method: .put, target: target, body: value(arguments.positionals[1]), request)
            default: return try write(client, method: .delete, target: target, body: [], request)
            }
        } catch let failure as Arguments.Failure {
            // An unknown option may be a key that starts with "-": say how to give one.
            let keyHint = failure.unknownOption.map {
                "A KEY that starts with - goes after --, the end of options: kvortex \(command) -- \(ShellWord.quoted($0))\n"
            } ?? ""
            Terminal.error("kvortex \(command): \(failure)\n\(keyHint)Try: kvortex \(command) --help\n")
            return 2
        } catch {
            Terminal.error("kvortex \(command): \(error)\n")
            return 2
        }
    }

    /// Refuses, as bad usage, the flag values the node would refuse with 400: the mistake is on this
    /// command line, so it exits 2 and names the valid values instead of reporting the node's answer.
    static func checkHeaderValues(_ arguments: Arguments) throws(Arguments.Failure) {
        _ = try arguments.choice("consistency", among: consistencyLevels)
        _ = try arguments.int("timeout-ms", range: 1...QuorumDefaults.timeoutMsMax)
        _ = try arguments.int("ttl", range: 1...Int(QuorumDefaults.ttlSecondsMax))
    }

    /// What every request of one command needs besides its target: the command's name for messages,
    /// its flags and the token (`ClientToken`).
    struct Request {
        let command: String
        let arguments: Arguments
        let token: ClientToken?
    }

    private static func headers(_ request: Request) -> [(String, String)] {
        let arguments = request.arguments
        var headers = ClientToken.headers(request.token)
        if let level = arguments.string("consistency") { headers.append(("X-Consistency", level)) }
        if let token = arguments.string("context") { headers.append(("X-Context", token)) }
        if let ttl = arguments.string("ttl") { headers.append(("X-TTL", ttl)) }
        if let type = arguments.string("content-type") { headers.append(("Content-Type", type)) }
        if let timeout = arguments.string("timeout-ms") { headers.append(("X-Timeout-Ms", timeout)) }
        return headers
    }

    private static func get(_ client: HTTPClient, target: String, key: String, _ request: Request) throws -> Int32 {
        let arguments = request.arguments
        var headers = headers(request)
        if arguments.has("json") { headers.append(("Accept", "application/json")) }
        let response = try client.request(method: .get, target: target, headers: headers, body: [])
        let context = response.headers.first { $0.0.lowercased() == "x-context" }?.1
        switch response.status {
        case 200 where !arguments.has("json"):
            Terminal.output(bytes: response.body)
            if isatty(1) != 0 && response.body.last != UInt8(ascii: "\n") { print("") }
            if let context { Terminal.error("context: \(context)\n") }
            return 0
        case 200, 300:
            if arguments.has("json") {
                print(String(decoding: response.body, as: UTF8.self))
            } else {
                print(SiblingsPrinter.text(envelope: response.body, resolveCommand: resolveCommand(key: key, arguments: arguments)))
            }
            return 0
        default:
            return reportFailure(response, request)
        }
    }

    /// `kvortex set KEY MERGED_VALUE --context TOKEN [--node HOST:PORT]` for `token`, ready to paste:
    /// the program as it was invoked (`.build/release/kvortex` when run so), the real key, shell-quoted
    /// where needed, and the --node this command was given unless it is the default. MERGED_VALUE is
    /// the one word left for the user to fill in. A key that starts with `-` goes after `--`, the end
    /// of options, so the options come first: `kvortex set --context TOKEN -- -KEY MERGED_VALUE`.
    static func resolveCommand(key: String, arguments: Arguments) -> (String) -> String {
        let program = CommandLine.arguments.first ?? "kvortex"
        var node: [String] = []
        if let address = arguments.string("node"), address != nodeDefault { node = ["--node", address] }
        return { token in
            let words = key.hasPrefix("-")
                ? [program, "set", "--context", token] + node + [Arguments.endOfOptions, key, "MERGED_VALUE"]
                : [program, "set", key, "MERGED_VALUE", "--context", token] + node
            return words.map(ShellWord.quoted).joined(separator: " ")
        }
    }

    private static func write(_ client: HTTPClient, method: HTTPMethod, target: String, body: [UInt8],
                              _ request: Request) throws -> Int32 {
        let response = try client.request(method: method, target: target, headers: headers(request), body: body)
        guard response.status == 204 || response.status == 200 else { return reportFailure(response, request) }
        if let context = response.headers.first(where: { $0.0.lowercased() == "x-context" })?.1 { print(context) }
        return 0
    }

    /// Prints the node's refusal and returns 1; a refused token says how to give one.
    private static func reportFailure(_ response: (status: Int, headers: [(String, String)], body: [UInt8]), _ request: Request) -> Int32 {
        if let refusal = ClientToken.refusal(status: response.status, body: response.body, token: request.token) {
            Terminal.error("kvortex \(request.command): \(refusal)\n")
            return 1
        }
        let message = SiblingsPrinter.errorMessage(response.body) ?? String(decoding: response.body, as: UTF8.self)
        Terminal.error("kvortex: \(response.status == 404 ? "not found" : "HTTP \(response.status): \(message)")\n")
        return 1
    }

    /// The value argument, or standard input for `-`.
    private static func value(_ argument: String) -> [UInt8] {
        argument == "-" ? Terminal.readStandardInput() : Array(argument.utf8)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
