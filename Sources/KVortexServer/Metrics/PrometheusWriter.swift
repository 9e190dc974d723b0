/// Writes the Prometheus text exposition format (version 0.0.4).
public struct PrometheusWriter {
    public private(set) var text = ""

    public init() {
        text.reserveCapacity(16 * 1024)
    }

    public enum Kind: String { case counter, gauge, histogram }

    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " "
        text += value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        text += "\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        sample(name, labels, Double(value))
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// A family with one unlabelled sample: the common case of a gauge or counter.
    public mutating func single(_ name: String, _ kind: Kind, _ value: Int, help: String) {
        family(name, kind, help: help)
        sample(name, [], value)
    }

    /// A histogram family's samples from a `LatencyHistogram`, in seconds.
    public mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: LatencyHistogram) {
        let (cumulative, sumMicros) = histogram.snapshot()
        for (index, bound) in LatencyHistogram.boundsMicros.enumerated() {
            sample(name + "_bucket", labels + [("le", String(Double(bound) / 1_000_000))], cumulative[index])
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], cumulative.last ?? 0)
        sample(name + "_sum", labels, Double(sumMicros) / 1_000_000)
        sample(name + "_count", labels, cumulative.last ?? 0)
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for char in value {
            switch char {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(char)
            }
        }
        return out
    }
}
