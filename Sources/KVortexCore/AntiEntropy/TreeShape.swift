/// The shape of the anti-entropy trees of a cluster (docs/anti-entropy.md §1): S segments, each a
/// contiguous range of key hashes within a partition, grouped in √S branches of √S segments.
///
/// S must be the same on every node (trees are compared segment by segment), so it is a cluster
/// setting, like the partition count the segment bits follow.
public struct TreeShape: Hashable, Sendable {
    /// S: a power of four, so that branches and segments per branch are both √S.
    public let segmentCount: Int
    /// √S.
    public let branchCount: Int
    /// Q, the partition count whose bits come first in a key hash.
    public let partitionCount: Int
    private let segmentShift: UInt64

    /// Segments per partition unless configured: 8 KiB of segments per partition (docs/anti-entropy.md
    /// "Sizes"), a handful of keys per segment at a million keys per node.
    public static let segmentCountDefault = 1024
    /// The shapes allowed: bounded so that a tree stays small (at most 32 KiB a partition) and a
    /// branch's segments fit one message.
    public static let segmentCountsAllowed = [256, 1024, 4096]

    public init(segmentCount: Int = TreeShape.segmentCountDefault, partitionCount: Int = Partitioning.partitionCountDefault) {
        precondition(Self.segmentCountsAllowed.contains(segmentCount),
                     "segment count \(segmentCount) is not one of \(Self.segmentCountsAllowed)")
        precondition(partitionCount > 0 && partitionCount & (partitionCount - 1) == 0,
                     "partition count \(partitionCount) must be a power of two")
        let partitionBits = partitionCount.trailingZeroBitCount
        let segmentBits = segmentCount.trailingZeroBitCount
        precondition(partitionBits + segmentBits <= 64, "\(partitionBits) partition and \(segmentBits) segment bits exceed 64")
        self.segmentCount = segmentCount
        self.branchCount = 1 << (segmentBits / 2)
        self.partitionCount = partitionCount
        self.segmentShift = UInt64(64 - partitionBits - segmentBits)
    }

    /// The segment of a key whose stable hash is `keyHash`: the log₂S bits after the partition's.
    public func segment(ofHash keyHash: UInt64) -> Int {
        Int((keyHash >> segmentShift) & UInt64(segmentCount - 1))
    }

    /// The branch that holds `segment`.
    public func branch(ofSegment segment: Int) -> Int {
        segment / branchCount
    }

    /// The segments of `branch`, in order.
    public func segments(ofBranch branch: Int) -> Range<Int> {
        branch * branchCount..<(branch + 1) * branchCount
    }
}
