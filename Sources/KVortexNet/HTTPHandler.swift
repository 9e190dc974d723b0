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

    public func complete(_ response: HTTPResponse) {
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
