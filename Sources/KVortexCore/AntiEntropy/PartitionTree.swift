/// One partition's anti-entropy tree and whether it can be trusted (docs/anti-entropy.md §2,
/// "States and rebuild"): `ready` (kept current change by change), `unbuilt` (changes ignored, never
/// exchanged) or `building` (a rebuild's pass over the partition's keys is under way).
///
/// A rebuild may run while keys change. Each key must count once, as it is at the end: a visited key
/// (`visit`) adds its leaf, a later change of it applies its delta; a change of a key the pass has not
/// visited yet adds its new leaf and marks it, so the pass's later visit of it adds nothing. The
/// engine calls both under the key's lock, which orders them.
public struct PartitionTree: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case unbuilt, building, ready
    }

    public let shape: TreeShape
    public private(set) var state: State
    /// `ready`: the tree, nil until the partition's first key (an empty partition costs no segments);
    /// `building`: the tree so far; `unbuilt`: nil.
    private var tree: SegmentTree?
    /// `building`: the key hashes already counted in `tree`; empty otherwise.
    private var visited: Set<UInt64> = []

    /// A partition known empty (a memory engine, a durable one opened without data) is `ready` at once;
    /// one opened with data is `unbuilt` until rebuilt.
    public init(shape: TreeShape, knownEmpty: Bool) {
        self.shape = shape
        state = knownEmpty ? .ready : .unbuilt
    }

    /// The tree to exchange: only a ready one (an empty partition gives an empty tree).
    public var readyTree: SegmentTree? {
        guard state == .ready else { return nil }
        return tree ?? SegmentTree(shape: shape)
    }

    /// Key hashes counted so far by a rebuild under way (its memory cost); 0 otherwise.
    public var visitedCount: Int { visited.count }

    /// The key whose stable hash is `keyHash` went from `old` to `new` in storage.
    ///
    /// Stored properties rather than an enum with payloads: taking the tree out of an enum and putting
    /// it back cost ~500 instructions per change in outlined copies and destroys (callgrind, cluster
    /// SET); `tree!.apply` changes the segments in place.
    public mutating func replaced(keyHash: UInt64, old: ObjectDigest?, new: ObjectDigest?) {
        switch state {
        case .unbuilt:
            return
        case .ready:
            if tree == nil { tree = SegmentTree(shape: shape) }
            tree!.apply(keyHash: keyHash, from: old, to: new)
        case .building:
            // Not counted yet: the pass will not count it again, so its state now is its leaf.
            let counted = !visited.insert(keyHash).inserted
            tree!.apply(keyHash: keyHash, from: counted ? old : nil, to: new)
        }
    }

    /// Starts a rebuild from an empty tree, whatever the state (a rebuild started again starts over).
    public mutating func startRebuild() {
        state = .building
        tree = SegmentTree(shape: shape)
        visited = []
    }

    /// The rebuild's pass found the key whose stable hash is `keyHash` in state `digest`. Ignored when no
    /// rebuild is under way (it was abandoned by `invalidate`) or the key was already counted.
    public mutating func visit(keyHash: UInt64, digest: ObjectDigest) {
        guard state == .building, visited.insert(keyHash).inserted else { return }
        tree!.apply(keyHash: keyHash, from: nil, to: digest)
    }

    /// Ends a rebuild whose pass visited every key present throughout it: the tree is ready, the
    /// visited set freed. Returns false, changing nothing, when no rebuild was under way.
    @discardableResult
    public mutating func finishRebuild() -> Bool {
        guard state == .building else { return false }
        state = .ready
        visited = []
        if tree!.isEmpty { tree = nil }
        return true
    }

    /// What this tree holds is no longer known to match storage: unbuilt until rebuilt.
    public mutating func invalidate() {
        state = .unbuilt
        tree = nil
        visited = []
    }
}
