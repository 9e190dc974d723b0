import KVortexServer

/// Renders the siblings envelope and error bodies for people reading a terminal.
enum SiblingsPrinter {
    /// The siblings one per line, then the context; with several siblings also the command that
    /// resolves them, `resolveCommand(context)`.
    static func text(envelope body: [UInt8], resolveCommand: (String) -> String) -> String {
        guard let document = try? JSONParser.parse(body), let siblings = document["siblings"]?.arrayValue else {
            return String(decoding: body, as: UTF8.self)
        }
        var lines: [String] = []
        if siblings.count > 1 { lines.append("\(siblings.count) siblings (concurrent values):") }
        for (index, sibling) in siblings.enumerated() {
            let value = sibling["value"]?.stringValue ?? ""
            let encoding = sibling["encoding"]?.stringValue ?? "utf8"
            let type = sibling["contentType"]?.stringValue ?? ""
            var stamp = ""
            if case .number(let ms) = sibling["timestamp"] { stamp = ", written at \(UInt64(ms)) ms" }
            lines.append("  [\(index + 1)] \(value)\(encoding == "base64" ? " (base64)" : "")   (\(type)\(stamp))")
        }
        if let context = document["context"]?.stringValue {
            lines.append("context: \(context)")
            if siblings.count > 1 {
                lines.append("resolve by writing the merged value with that context:")
                lines.append("  \(resolveCommand(context))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func errorMessage(_ body: [UInt8]) -> String? {
        (try? JSONParser.parse(body))?["message"]?.stringValue
    }
}
