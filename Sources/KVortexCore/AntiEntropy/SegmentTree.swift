/// One partition's anti-entropy tree (docs/anti-entropy.md §1): a two-level XOR ("TicTac") tree.
/// Each stored key contributes a leaf, `leaf(keyHash, digest)`, XORed into its segment; a branch is
/// the XOR of its segments, the root the XOR of the branches.
///
/// Why XOR: a change of one key is `leaf(old) ^ leaf(new)` folded into one segment and one branch,
/// O(1) with nothing rehashed, and the result does not depend on the order of changes, so a tree kept
/// change by change equals one built by a scan of the end state. Two replicas compare roots, then the
/// branches that differ, then their segments; only the keys of differing segments are listed.
public struct SegmentTree: Hashable, Sendable {
    public let shape: TreeShape
    public private(set) var segments: [UInt64]
    public private(set) var branches: [UInt64]
    public private(set) var root: UInt64 = 0

    /// An empty tree: no key stored.
    public init(shape: TreeShape) {
        self.shape = shape
        segments = Array(repeating: 0, count: shape.segmentCount)
        branches = Array(repeating: 0, count: shape.branchCount)
    }

    /// The leaf of a key in state `digest`. Key and digest are mixed by a hash, not XORed: with XOR two
    /// keys that swap states would cancel out.
    public static func leaf(keyHash: UInt64, digest: ObjectDigest) -> UInt64 {
        // The 16 bytes hashed in place: no array per change.
        withUnsafeBytes(of: (keyHash.littleEndian, digest.value.littleEndian)) { StableHash.hash64($0) }
    }

    /// Records that the key whose stable hash is `keyHash` went from `old` to `new` (nil: absent,
    /// before it was first stored or after it was reaped).
    public mutating func apply(keyHash: UInt64, from old: ObjectDigest?, to new: ObjectDigest?) {
        guard old != new else { return }
        var change: UInt64 = 0
        if let old { change ^= Self.leaf(keyHash: keyHash, digest: old) }
        if let new { change ^= Self.leaf(keyHash: keyHash, digest: new) }
        let segment = shape.segment(ofHash: keyHash)
        segments[segment] ^= change
        branches[shape.branch(ofSegment: segment)] ^= change
        root ^= change
    }

    /// Whether nothing is stored (or every change was undone): every segment is 0.
    public var isEmpty: Bool { root == 0 && !segments.contains { $0 != 0 } }

    /// The branches whose hashes differ from `branches` of the same shape, ascending.
    public func branchesDiffering(from branches: [UInt64]) -> [Int] {
        precondition(branches.count == shape.branchCount, "\(branches.count) branches compared with \(shape.branchCount)")
        return self.branches.indices.filter { self.branches[$0] != branches[$0] }
    }

    /// The segments of `branch` whose hashes differ from `segments` (that branch's, in order), ascending.
    public func segmentsDiffering(inBranch branch: Int, from segments: [UInt64]) -> [Int] {
        let range = shape.segments(ofBranch: branch)
        precondition(segments.count == range.count, "\(segments.count) segments compared with a branch of \(range.count)")
        return range.filter { self.segments[$0] != segments[$0 - range.lowerBound] }
    }
}
