/// A replica's answer to a peer's read (`StorageEngine.getForPeer(_:nowMs:unlessClock:)`).
public enum PeerRead: Equatable, Sendable {
    /// The replica's object has the clock the coordinator sent: the coordinator already holds it.
    case unchanged
    /// The replica's object (nil: none), to send back.
    case object(MessageObject?)
}
