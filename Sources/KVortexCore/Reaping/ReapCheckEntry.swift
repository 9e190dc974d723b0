/// One key a reaper asks a primary about (`PeerMessage.reapCheck`): the key, and the clock and digest
/// of the tombstone it would reap — exactly what the engine listed it as, so the same type.
public typealias ReapCheckEntry = ReapCandidate
