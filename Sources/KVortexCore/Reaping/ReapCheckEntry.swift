/// One key a reaper asks a primary about (`PeerMessage.reapCheck`): the key, and the clock and digest
/// of the tombstone it would reap.
public struct ReapCheckEntry: Hashable, Sendable {
    public var key: [UInt8]
    public var clock: VersionVector
    public var digest: ObjectDigest

    public init(key: [UInt8], clock: VersionVector, digest: ObjectDigest) {
        self.key = key
        self.clock = clock
        self.digest = digest
    }

    init(_ candidate: ReapCandidate) {
        self.init(key: candidate.key, clock: candidate.clock, digest: candidate.digest)
    }
}
