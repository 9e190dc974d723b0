import CTimedWait

/// The event loop of one open-loop run: advances a cursor through the schedule as time passes, sends
/// each due request on its connection (or, if that connection still awaits a response, as soon as the
/// response arrives), and feeds sends and answers to an `OpenLoopTally`.
///
/// Every request is due once: the cursor sends request `n` if its connection is free when `n` falls
/// due; otherwise the connection sends it, late, when it becomes free (`sendDue`).
final class OpenLoopDriver {
    /// How often in-flight requests are checked against the response timeout.
    static let timeoutCheckIntervalNs: UInt64 = 10_000_000
    /// The timer slack asked for while waiting: how late the kernel may wake us (default 50 µs).
    static let timerSlackNs: UInt = 1_000

    private let load: OpenLoopLoad
    private let schedule: RateSchedule
    private let connections: [OpenLoopConnection]
    private let writers: [RequestWriter]
    private let poller: ReadinessPoller
    private var tally = OpenLoopTally()
    /// Requests `0..<cursor` are due.
    private var cursor = 0
    private var inFlightCount = 0
    private var startNs: UInt64 = 0

    init(load: OpenLoopLoad) throws(BenchError) {
        self.load = load
        schedule = load.schedule
        connections = (0..<load.schedule.connectionCount).map { index in
            OpenLoopConnection(target: load.targets[index % load.targets.count],
                               picker: KeyPicker(connection: index, operation: load.operation, keyCount: load.keyCount))
        }
        writers = load.targets.map { RequestWriter(host: $0.host, port: $0.port, valueBytes: load.valueBytes, headers: load.headers) }
        poller = try ReadinessPoller()
    }

    func run() throws(BenchError) -> OpenLoopReport {
        for index in connections.indices { try open(index) }
        _ = kvortex_set_timer_slack_ns(Self.timerSlackNs)
        startNs = MonotonicClock.nowNs()
        let startCPUNs = MonotonicClock.threadCPUNs()
        for connection in connections { connection.becomeIdle(nowNs: startNs) }
        let durationNs = UInt64(schedule.durationSeconds) * 1_000_000_000
        let giveUpNs = startNs + durationNs + UInt64(load.drainMsMax) * 1_000_000
        var nextTimeoutCheckNs = startNs + Self.timeoutCheckIntervalNs
        while true {
            let nowNs = MonotonicClock.nowNs()
            advanceCursor(nowNs: nowNs)
            if nowNs >= nextTimeoutCheckNs {
                expireTimeouts(nowNs: nowNs)
                nextTimeoutCheckNs = nowNs + Self.timeoutCheckIntervalNs
            }
            let finished = tally.sentCount == schedule.requestCount && inFlightCount == 0
            if finished || nowNs >= giveUpNs { break }
            var wakeNs = min(giveUpNs, nextTimeoutCheckNs)
            if cursor < schedule.requestCount { wakeNs = min(wakeNs, dueNs(request: cursor)) }
            try poller.wait(timeoutNs: wakeNs > nowNs ? wakeNs - nowNs : 0) { index, readable, writable in
                handle(index, readable: readable, writable: writable)
            }
        }
        for connection in connections where !connection.isIdle { tally.recordFailure() }
        for connection in connections { connection.close() }
        let answeredNs = tally.lastAnswerNs > startNs ? tally.lastAnswerNs - startNs : 0
        return OpenLoopReport(schedule: schedule, tally: tally, elapsedNs: max(durationNs, answeredNs),
                              generatorCPUNs: MonotonicClock.threadCPUNs() - startCPUNs)
    }

    private func dueNs(request: Int) -> UInt64 {
        startNs + schedule.dueOffsetNs(request: request)
    }

    private func open(_ index: Int) throws(BenchError) {
        let connection = connections[index]
        try connection.open(timeoutMs: load.responseTimeoutMs)
        try poller.watch(connection.fd, index: index, writable: false, isNew: true)
    }

    /// Every request due by `nowNs` whose connection is free goes out now.
    private func advanceCursor(nowNs: UInt64) {
        while cursor < schedule.requestCount && dueNs(request: cursor) <= nowNs {
            let index = schedule.connection(ofRequest: cursor)
            cursor += 1
            if connections[index].isIdle { sendDue(index) }
        }
    }

    /// Sends connection `index`'s next request while it is free and that request is due; reopens a
    /// closed connection first.
    private func sendDue(_ index: Int) {
        let connection = connections[index]
        while case .idle(let freeSinceNs) = connection.state {
            let request = schedule.request(connection: index, turn: connection.nextTurn)
            guard request < cursor else { return }
            connection.nextTurn += 1
            let (key, isSet) = connection.picker.next()
            writers[index % writers.count].write(isSet: isSet, key: key, into: &connection.requestBytes)
            let sendNs = MonotonicClock.nowNs()
            tally.recordSend(dueNs: dueNs(request: request), sendNs: sendNs, freeSinceNs: freeSinceNs)
            inFlightCount += 1  // from the attempt on: `fail` takes it back
            do throws(BenchError) {
                if !connection.isOpen { try open(index) }
                try connection.send(dueNs: dueNs(request: request), sendNs: sendNs)
                try watchWrites(index)
            } catch {
                fail(index)
            }
        }
    }

    /// Watches for writability exactly while part of the request is still unwritten.
    private func watchWrites(_ index: Int) throws(BenchError) {
        let connection = connections[index]
        guard connection.isOpen, connection.wantsWrite != connection.isWatchingWrite else { return }
        try poller.watch(connection.fd, index: index, writable: connection.wantsWrite, isNew: false)
        connection.isWatchingWrite = connection.wantsWrite
    }

    /// Counts the connection's request as failed, closes it (the next send reopens it) and frees it.
    private func fail(_ index: Int) {
        let connection = connections[index]
        tally.recordFailure()
        inFlightCount -= 1
        connection.close()
        connection.becomeIdle(nowNs: MonotonicClock.nowNs())
    }

    private func expireTimeouts(nowNs: UInt64) {
        let timeoutNs = UInt64(load.responseTimeoutMs) * 1_000_000
        for index in connections.indices {
            guard case .inFlight(_, let sendNs) = connections[index].state, nowNs > sendNs + timeoutNs else { continue }
            fail(index)
            sendDue(index)
        }
    }

    private func handle(_ index: Int, readable: Bool, writable: Bool) {
        let connection = connections[index]
        guard connection.isOpen else { return }
        do throws(BenchError) {
            if writable {
                try connection.flush()
                try watchWrites(index)
            }
            guard readable, let head = try connection.readResponse() else { return }
            guard case .inFlight(let dueNs, _) = connection.state else { return }
            let nowNs = MonotonicClock.nowNs()
            tally.recordResponse(dueNs: dueNs, nowNs: nowNs, status: head.status)
            inFlightCount -= 1
            if head.closesConnection { connection.close() }
            connection.becomeIdle(nowNs: nowNs)
        } catch {
            if connection.isIdle {
                connection.close()  // an idle keep-alive connection the server closed: reopened on the next send
            } else {
                fail(index)
            }
        }
        sendDue(index)
    }
}
