import Dispatch
import KVortexBench
import KVortexNet
import Synchronization
import Testing

/// Answers every request at once, except the first, which it holds for `stallMs` (a server that stalls).
final class StallingHandler: HTTPHandler {
    let stallMs: Int
    private let seen = Atomic<Int>(0)

    init(stallMs: Int) { self.stallMs = stallMs }

    func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply {
        let response = HTTPResponse(status: 200, body: Array("value".utf8))
        guard seen.wrappingAdd(1, ordering: .relaxed).oldValue == 0 else { return .now(response) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(stallMs)) { responder.complete(response) }
        return .later
    }
}

/// The open-loop load against an in-process server on an ephemeral port (stopped when the test ends).
@Suite(.serialized) struct OpenLoopLoadTests {
    /// Runs `schedule` against a fresh server whose first response waits `stallMs`; returns the report
    /// and the requests the server saw.
    static func run(_ schedule: RateSchedule, operation: BenchOperation, keyCount: Int, valueBytes: Int,
                    stallMs: Int) throws -> (OpenLoopReport, UInt64) {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
                                handler: StallingHandler(stallMs: stallMs))
        let port = try server.start().port
        defer { server.stop(gracePeriodMs: 1_000) }
        let load = OpenLoopLoad(targets: [BenchTarget(host: "127.0.0.1", port: port)], operation: operation,
                                keyCount: keyCount, valueBytes: valueBytes, schedule: schedule)
        let report = try load.run()
        return (report, server.stats.requests)
    }

    /// One connection at 100/s for 1 s, the first response held 200 ms: the ~19 requests due during the
    /// stall go out late, and each counts from its due time, so at least 19 latencies are 10 ms or more.
    /// Measured from the send (coordinated omission), only the first would be. Only lower bounds are
    /// asserted: the stall guarantees them however slow the machine is.
    @Test func aStalledServerShowsInThePercentiles() throws {
        let (report, _) = try Self.run(RateSchedule(ratePerSecond: 100, connectionCount: 1, durationSeconds: 1),
                                       operation: .get, keyCount: 10, valueBytes: 0, stallMs: 200)
        #expect(report.tally.answeredCount == 100, "\(report.line)")
        #expect(report.tally.latenciesNs.maxValue >= 200_000_000, "\(report.line)")
        #expect(report.tally.latenciesNs.count(atLeast: 10_000_000) >= 19, "\(report.line)")
        #expect(report.tally.lateBusyCount >= 19, "\(report.line)")
        #expect(report.tally.latenciesNs.value(atPercentile: 90) >= 10_000_000, "\(report.line)")
    }

    /// Four connections, SETs with a body: every scheduled request is sent and answered once.
    @Test func everyScheduledRequestIsSentOnce() throws {
        let (report, served) = try Self.run(RateSchedule(ratePerSecond: 300, connectionCount: 4, durationSeconds: 1),
                                            operation: .set, keyCount: 1_000, valueBytes: 100, stallMs: 0)
        #expect(report.tally.sentCount == 300, "\(report.line)")
        #expect(report.tally.answeredCount == 300, "\(report.line)")
        #expect(report.tally.failedCount == 0 && report.unsentCount == 0, "\(report.line)")
        #expect(served == 300, "the server saw each request once")
    }

    /// A port held (bound, not listening) for the test refuses connections: the run does not start.
    @Test func aTargetThatRefusesConnectionsIsAnError() throws {
        let reservation = try PortReservation(host: "127.0.0.1", port: 0)
        defer { reservation.release() }
        let load = OpenLoopLoad(targets: [BenchTarget(host: "127.0.0.1", port: reservation.port)], operation: .get, keyCount: 1,
                                valueBytes: 0, schedule: RateSchedule(ratePerSecond: 1, connectionCount: 1, durationSeconds: 1))
        #expect(throws: BenchError.unreachable(address: "127.0.0.1:\(reservation.port)", reason: "Connection refused")) { try load.run() }
    }
}
