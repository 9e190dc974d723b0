/// How a handler answers: now, or later through its `HTTPDeferredResponder`.
public enum HTTPReply: Sendable {
    case now(HTTPResponse)
    case later
}

/// Completes one deferred request exactly once, from any thread (posts to the owning loop).
public struct HTTPDeferredResponder: Sendable {
    let loop: EventLoop
    let server: HTTPServerCore
    let connectionID: UInt64
    let sequence: UInt64

    /// Answers the request. On the connection's own loop, outside any handler call (a peer's reply,
    /// a timer), the response is written at once; otherwise it goes to the loop as a task (from
    /// another thread, or from inside a handler, whose connection may not have registered the
    /// request as deferred yet).
    public func complete(_ response: HTTPResponse) {
        if EventLoop.current === loop, loop.handlerDepth == 0,
            let connection = server.connection(connectionID, onLoop: loop.index) {
            connection.complete(sequence: sequence, response)
            return
        }
        let server = self.server
        let connectionID = self.connectionID
        let sequence = self.sequence
        loop.execute {
            server.connection(connectionID, onLoop: self.loop.index)?.complete(sequence: sequence, response)
        }
    }
}

/// The application side of the server.
public protocol HTTPHandler: Sendable {
    /// Called on the loop thread that owns the connection. Return `.now` or `.later` after arranging
    /// for `responder.complete(_:)` to be called exactly once.
    func handle(_ request: HTTPRequest, responder: HTTPDeferredResponder) -> HTTPReply
}
