import KVortexBench
import KVortexCore

/// `kvortex bench --rate R`: the open-loop mode (see `BenchCommand.help`).
extension BenchCommand {
    /// Runs the open-loop load and prints its line, then a WARNING line for each verdict other than ok.
    /// Returns 0 whatever the verdict (the line says it) unless no request was answered: then 1, with a
    /// line on standard error. Throws when a connection cannot be opened (`BenchError.unreachable`).
    static func runOpenLoop(_ arguments: Arguments, rate: Int, targets: [BenchTarget], operation: BenchOperation,
                            keys: Int, valueSize: Int, token: ClientToken?) throws -> Int32 {
        let connections = try arguments.int("connections", range: 1...4096) ?? 16
        let durationSeconds = try arguments.int("duration", range: 1...RateSchedule.durationSecondsMax) ?? 10
        let schedule = RateSchedule(ratePerSecond: rate, connectionCount: connections, durationSeconds: durationSeconds)
        var load = OpenLoopLoad(targets: targets, operation: operation, keyCount: keys, valueBytes: valueSize, schedule: schedule)
        load.headers = ClientToken.headers(token)
        let report = try load.run()
        print("open-loop \(operation.rawValue) \(Counted(targets.count, "node")) \(durationSeconds)s: \(report.line)")
        for warning in report.warnings { print(warning) }
        guard report.tally.answeredCount > 0 else {
            Terminal.error("kvortex bench: no request succeeded: \(Counted(report.tally.failedCount, "request")) failed "
                + "(5xx, timeout or connection error), \(report.unsentCount) never sent\n")
            return 1
        }
        return 0
    }

    /// `--node A,B,C`: one or more HOST:PORT, comma-separated.
    static func targets(_ text: String) throws(Arguments.Failure) -> [BenchTarget] {
        var targets: [BenchTarget] = []
        for address in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (host, port) = try Arguments.hostPort(String(address), flag: "--node")
            targets.append(BenchTarget(host: host, port: port))
        }
        return targets
    }
}
