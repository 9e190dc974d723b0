import KVortexNet

/// A parsed command line: positional words and `--flag value` / `--flag=value` / `--switch` options.
///
/// Only flags a command declares are accepted; anything else is an error that names it, so a typo
/// never silently falls back to a default. `--` ends the options (POSIX): every word after it is
/// positional, even one that starts with `-`.
struct Arguments {
    /// The end-of-options marker.
    static let endOfOptions = "--"

    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The word refused as an unknown option, so a command can say how to pass it as a word.
        var unknownOption: String?
    }

    /// Whether `--help` or `-h` comes before the end of options; after it they are words like any other.
    static func asksForHelp(_ words: [String]) -> Bool {
        words.prefix { $0 != endOfOptions }.contains { $0 == "--help" || $0 == "-h" }
    }

    /// `valueFlags` take a value; `switchFlags` do not. Names are given without the leading dashes.
    init(_ words: [String], valueFlags: Set<String>, switchFlags: Set<String> = []) throws(Failure) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word == Self.endOfOptions {
                positionals += words[index...]
                break
            }
            guard word.hasPrefix("--") else {
                positionals.append(word)
                continue
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if switchFlags.contains(name) {
                guard inlineValue == nil else { throw Failure(description: "--\(name) takes no value") }
                switches.insert(name)
            } else if valueFlags.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index < words.count else { throw Failure(description: "--\(name) needs a value") }
                    values[name] = words[index]
                    index += 1
                }
            } else {
                throw Failure(description: "unknown option --\(name)", unknownOption: word)
            }
        }
    }

    func has(_ name: String) -> Bool { switches.contains(name) }

    func string(_ name: String) -> String? { values[name] }

    func int(_ name: String, range: ClosedRange<Int>) throws(Failure) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Failure(description: "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// One of `choices`, whatever its case (the node reads `X-Consistency: ALL` as `all`); returned as
    /// spelled in `choices`. The failure lists the valid values.
    func choice(_ name: String, among choices: [String]) throws(Failure) -> String? {
        guard let text = values[name] else { return nil }
        guard let found = choices.first(where: { $0 == text.lowercased() }) else {
            let listed = choices.count < 2 ? choices.joined() : choices.dropLast().joined(separator: ", ") + " or " + choices.last!
            throw Failure(description: "--\(name) must be \(listed), got '\(text)'")
        }
        return found
    }

    /// A byte count: a plain integer or one with a K, M or G suffix (powers of 1024).
    func bytes(_ name: String) throws(Failure) -> Int? {
        guard let text = values[name] else { return nil }
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text)
        var multiplier = 1
        if let last = digits.last?.uppercased().first, let found = multipliers[last] {
            multiplier = found
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / multiplier else {
            throw Failure(description: "--\(name) must be a positive byte count like 268435456 or 256M, got '\(text)'")
        }
        return value * multiplier
    }

    /// Splits `HOST:PORT`.
    static func hostPort(_ text: String, flag: String) throws(Failure) -> (host: String, port: Int) {
        guard let address = HostPort.split(text) else { throw Failure(description: "\(flag) must be HOST:PORT, got '\(text)'") }
        return address
    }
}
