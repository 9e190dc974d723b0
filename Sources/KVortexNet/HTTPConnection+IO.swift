import CEpoll
import Glibc

extension HTTPConnection {
    /// Writes what is buffered; waits for EPOLLOUT when the socket is full; closes when asked to.
    func flush() {
        guard !isClosed else { return }
        while outputStartIndex < outputCount {
            let written = writeOutput()
            if written > 0 {
                core.counters.add(.bytesWritten, UInt64(written))
                continue
            }
            if written < 0 && (errno == EAGAIN || errno == EINTR) {
                setWriteInterest(true)
                return
            }
            close()  // EPIPE, ECONNRESET: the peer is gone
            return
        }
        resetOutput()
        setWriteInterest(false)
        if closeAfterFlushing && deferredCount == 0 { close() }
    }

    func close() {
        guard !isClosed else { return }
        markClosed()
        loop.unregister(fd)
        Glibc.close(fd)
        core.counters.add(.closed)
        core.forget(self, onLoop: loop.index)
    }

    /// Closes an idle connection, or answers 408 to one whose request is too slow; called every tick.
    func checkTimeouts(nowMs: UInt64) {
        let configuration = core.configuration
        if let started = requestStartedMs, pendingResponses == 0 {
            let limitMs = headComplete ? configuration.bodyTimeoutMs : configuration.headerTimeoutMs
            if nowMs >= started + limitMs {
                core.counters.hit(headComplete ? .bodyTimeout : .headerTimeout)
                failSlowRequest()
                return
            }
        }
        if isIdle && nowMs >= lastActivityMs + configuration.idleTimeoutMs { close() }
    }

    /// During a graceful stop: close at once when nothing is in flight.
    func closeIfIdle() {
        if isIdle { close() }
    }
}
