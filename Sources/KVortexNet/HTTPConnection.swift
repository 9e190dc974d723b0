import CEpoll
import Glibc

/// One client connection, owned by one loop: reads, parses, dispatches in order, writes. Touched only
/// on its loop thread (hence `@unchecked Sendable`: it is never shared, only referenced from loop tasks).
///
/// Responses go out strictly in request order (pipelining): a request answered `.later` holds back the
/// ones after it until it completes. Reading pauses while `pipelineDepthMax` responses are pending.
final class HTTPConnection: EventLoopHandler, @unchecked Sendable {
    let id: UInt64
    let fd: Int32
    unowned let loop: EventLoop
    let core: HTTPServerCore
    private var parser: HTTPParser
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    var outputStartIndex: Int { outputStart }
    var outputCount: Int { output.count }
    var closeAfterFlushing: Bool { closeAfterFlush }
    var deferredCount: Int { deferred.count }
    /// Sequence number of the next request parsed, and of the next response to send.
    private var nextSequence: UInt64 = 0
    private var nextToSend: UInt64 = 0
    /// Responses that are ready but wait for an earlier deferred one, by sequence.
    private var waiting: [UInt64: (HTTPResponse, keepAlive: Bool, isHead: Bool)] = [:]
    /// Deferred requests not yet completed: keep-alive and HEAD flags by sequence.
    private var deferred: [UInt64: (keepAlive: Bool, isHead: Bool)] = [:]
    private var closeAfterFlush = false
    private var readingPaused = false
    private var writeInterest = false
    private(set) var isClosed = false
    private var continueSent = false
    /// When the current incomplete request's first byte arrived (for the header/body timeouts).
    private(set) var requestStartedMs: UInt64?
    private(set) var headComplete = false
    private(set) var lastActivityMs: UInt64

    init(id: UInt64, fd: Int32, loop: EventLoop, core: HTTPServerCore, nowMs: UInt64) {
        self.id = id
        self.fd = fd
        self.loop = loop
        self.core = core
        self.parser = HTTPParser(limits: core.configuration.parserLimits)
        self.input = [UInt8](repeating: 0, count: HTTPServerConfiguration.readBufferBytesInitial)
        self.lastActivityMs = nowMs
        output.reserveCapacity(HTTPServerConfiguration.readBufferBytesInitial)
    }

    var pendingResponses: Int { Int(nextSequence - nextToSend) }
    var isIdle: Bool { inputStart == inputEnd && pendingResponses == 0 && outputStart == output.count }

    func handleEvents(_ events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if events & EPOLLIN.rawValue != 0 && !isClosed && !readingPaused { readAvailable() }
    }

    private func readAvailable() {
        if inputEnd == input.count { makeRoom() }
        let count = input.withUnsafeMutableBytes { raw in
            Glibc.read(fd, raw.baseAddress! + inputEnd, raw.count - inputEnd)
        }
        if count > 0 {
            inputEnd += count
            core.counters.add(.bytesRead, UInt64(count))
            lastActivityMs = EventLoop.monotonicMs()
            if requestStartedMs == nil { requestStartedMs = lastActivityMs }
            processInput()
            flush()
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
            close()  // orderly shutdown by the peer, or a reset
        }
    }

    /// Makes room at the end of the input buffer: compact, then grow within the request bounds.
    private func makeRoom() {
        if inputStart > 0 {
            let live = inputEnd - inputStart
            input.withUnsafeMutableBytes { raw in
                _ = memmove(raw.baseAddress!, raw.baseAddress! + inputStart, live)
            }
            inputStart = 0
            inputEnd = live
        }
        if inputEnd == input.count {
            let ceiling = core.configuration.parserLimits.requestBytesMax
            let grown = min(input.count * 2, max(ceiling, input.count))
            if grown > input.count { input.append(contentsOf: repeatElement(0, count: grown - input.count)) }
        }
    }

    /// Parses and dispatches every complete request in the buffer, in order.
    func processInput() {
        while !isClosed && !closeAfterFlush && inputStart < inputEnd {
            guard pendingResponses < core.configuration.pipelineDepthMax else {
                core.counters.hit(.pipelineDepth)
                pauseReading(true)
                return
            }
            let parsed = input.withUnsafeBytes { raw in
                parser.parse(UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd]))
            }
            switch parsed {
            case .incomplete(let complete, let expectsContinue):
                headComplete = complete
                if expectsContinue && !continueSent {
                    continueSent = true
                    output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
                }
                return
            case .failure(let failure):
                if let limit = failure.limit { core.counters.hit(limit) } else { core.counters.add(.malformed) }
                enqueue(.error(status: failure.status, code: failure.code, message: failure.message),
                        sequence: allocateSequence(), keepAlive: false, isHead: false)
                inputStart = inputEnd
                return
            case .request(let request, let consumed):
                dispatch(request)
                inputStart += consumed
                requestStartedMs = inputStart < inputEnd ? EventLoop.monotonicMs() : nil
                headComplete = false
                continueSent = false
            }
        }
        if inputStart == inputEnd { inputStart = 0; inputEnd = 0 }
    }

    /// One `write` of the buffered output; returns what `write` returned.
    func writeOutput() -> Int {
        let written = output.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress! + outputStart, raw.count - outputStart, Int32(MSG_NOSIGNAL))
        }
        if written > 0 { outputStart += written }
        return written
    }

    func resetOutput() {
        output.removeAll(keepingCapacity: output.capacity <= HTTPServerConfiguration.outputBufferBytesKept)
        outputStart = 0
    }

    func setWriteInterest(_ wanted: Bool) {
        guard wanted != writeInterest, !isClosed else { return }
        writeInterest = wanted
        updateInterest()
    }

    func pauseReading(_ paused: Bool) {
        guard paused != readingPaused, !isClosed else { return }
        readingPaused = paused
        updateInterest()
    }

    private func updateInterest() {
        var events = EPOLLRDHUP.rawValue
        if !readingPaused { events |= EPOLLIN.rawValue }
        if writeInterest { events |= EPOLLOUT.rawValue }
        loop.modify(fd, events: events)
    }

    func markClosed() {
        isClosed = true
        waiting.removeAll()
        deferred.removeAll()
    }

    /// 408 for a request that did not arrive in time, then close.
    func failSlowRequest() {
        inputStart = inputEnd
        requestStartedMs = nil
        let response = HTTPResponse.error(status: 408, code: "request_timeout",
                                          message: headComplete ? "the request body did not arrive in time" : "the request head did not arrive in time")
        enqueue(response, sequence: allocateSequence(), keepAlive: false, isHead: false)
        flush()
    }

    private func allocateSequence() -> UInt64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    private func dispatch(_ parsed: ParsedRequest) {
        core.counters.add(.requests)
        let sequence = allocateSequence()
        let keepAlive = parsed.keepAlive && !core.isStopping
        let isHead = parsed.method == .head
        let responder = HTTPDeferredResponder(loop: loop, server: core, connectionID: id, sequence: sequence)
        loop.handlerDepth += 1
        defer { loop.handlerDepth -= 1 }
        let reply: HTTPReply = parsed.bodyIsDechunked
            ? parser.chunkedBody.withUnsafeBytes { callHandler(parsed, body: $0, keepAlive: keepAlive, responder: responder) }
            : callHandler(parsed, body: nil, keepAlive: keepAlive, responder: responder)
        switch reply {
        case .now(let response): enqueue(response, sequence: sequence, keepAlive: keepAlive, isHead: isHead)
        case .later: deferred[sequence] = (keepAlive, isHead)
        }
    }

    /// Builds the request view over the input buffer and calls the handler. `body` is the de-chunked
    /// body, or nil when the body lies in the input buffer.
    private func callHandler(_ parsed: ParsedRequest, body: UnsafeRawBufferPointer?, keepAlive: Bool,
                             responder: HTTPDeferredResponder) -> HTTPReply {
        input.withUnsafeBytes { raw in
            let base = UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd])
            return parser.headers.withUnsafeBufferPointer { headers in
                func slice(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
                    UnsafeRawBufferPointer(rebasing: base[start..<(start + count)])
                }
                let request = HTTPRequest(
                    method: parsed.method, path: slice(parsed.pathStart, parsed.pathCount),
                    query: slice(parsed.queryStart, parsed.queryCount),
                    body: body ?? slice(parsed.bodyStart, parsed.bodyCount), keepAlive: keepAlive,
                    head: base, headers: headers)
                return core.handler.handle(request, responder: responder)
            }
        }
    }

    /// A deferred response arrives (on the loop thread).
    func complete(sequence: UInt64, _ response: HTTPResponse) {
        guard let flags = deferred.removeValue(forKey: sequence), !isClosed else { return }
        enqueue(response, sequence: sequence, keepAlive: flags.keepAlive, isHead: flags.isHead)
        flush()
        if readingPaused && pendingResponses < core.configuration.pipelineDepthMax {
            pauseReading(false)
            processInput()
            flush()
        }
    }

    private func enqueue(_ response: HTTPResponse, sequence: UInt64, keepAlive: Bool, isHead: Bool) {
        guard sequence == nextToSend else {
            waiting[sequence] = (response, keepAlive, isHead)
            return
        }
        serialize(response, keepAlive: keepAlive, isHead: isHead)
        while let next = waiting.removeValue(forKey: nextToSend) {
            serialize(next.0, keepAlive: next.keepAlive, isHead: next.isHead)
        }
    }

    private func serialize(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool) {
        nextToSend += 1
        guard !closeAfterFlush else { return }
        response.serialize(into: &output, keepAlive: keepAlive, includeBody: !isHead)
        if !keepAlive { closeAfterFlush = true }
    }
}
