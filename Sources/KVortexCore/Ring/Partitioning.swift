/// Maps keys to one of Q equal partitions by the top bits of their stable hash (DESIGN.md "Placement").
public struct Partitioning: Hashable, Sendable {
    /// Q, a power of two.
    public let partitionCount: Int
    private let shift: UInt64

    public static let partitionCountDefault = 256

    public init(partitionCount: Int = Partitioning.partitionCountDefault) {
        precondition(partitionCount > 0, "partition count \(partitionCount) must be positive")
        precondition(partitionCount & (partitionCount - 1) == 0, "partition count \(partitionCount) must be a power of two")
        self.partitionCount = partitionCount
        self.shift = UInt64(64 - partitionCount.trailingZeroBitCount)
    }

    /// The partition of a key whose stable hash is `keyHash`.
    public func partition(ofHash keyHash: UInt64) -> Int {
        partitionCount == 1 ? 0 : Int(keyHash >> shift)
    }

    public func partition(of key: [UInt8]) -> Int {
        partition(ofHash: StableHash.hash64(key))
    }
}
