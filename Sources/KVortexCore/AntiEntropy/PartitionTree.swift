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

    private enum Phase: Sendable {
        case unbuilt
        /// The tree so far and the key hashes already counted in it.
        case building(SegmentTree, visited: Set<UInt64>)
        /// nil until the partition's first key, so that an empty partition costs no segments.
        case ready(SegmentTree?)
    }

    public let shape: TreeShape
    private var phase: Phase

    /// A partition known empty (a memory engine, a durable one opened without data) is `ready` at once;
    /// one opened with data is `unbuilt` until rebuilt.
    public init(shape: TreeShape, knownEmpty: Bool) {
        self.shape = shape
        phase = knownEmpty ? .ready(nil) : .unbuilt
    }

    public var state: State {
        switch phase {
        case .unbuilt: .unbuilt
        case .building: .building
        case .ready: .ready
        }
    }

    /// The tree to exchange: only a ready one (an empty partition gives an empty tree).
    public var readyTree: SegmentTree? {
        guard case .ready(let tree) = phase else { return nil }
        return tree ?? SegmentTree(shape: shape)
    }

    /// Key hashes counted so far by a rebuild under way (its memory cost); 0 otherwise.
    public var visitedCount: Int {
        guard case .building(_, let visited) = phase else { return 0 }
        return visited.count
    }

    /// The key whose stable hash is `keyHash` went from `old` to `new` in storage.
    public mutating func replaced(keyHash: UInt64, old: ObjectDigest?, new: ObjectDigest?) {
        switch takePhase() {
        case .unbuilt:
            return
        case .ready(var tree):
            if tree == nil { tree = SegmentTree(shape: shape) }
            tree!.apply(keyHash: keyHash, from: old, to: new)
            phase = .ready(tree)
        case .building(var tree, var visited):
            if visited.insert(keyHash).inserted {
                // Not counted yet: the pass will not count it again, so its state now is its leaf.
                tree.apply(keyHash: keyHash, from: nil, to: new)
            } else {
                tree.apply(keyHash: keyHash, from: old, to: new)
            }
            phase = .building(tree, visited: visited)
        }
    }

    /// Starts a rebuild from an empty tree, whatever the state (a rebuild started again starts over).
    public mutating func startRebuild() {
        phase = .building(SegmentTree(shape: shape), visited: [])
    }

    /// The rebuild's pass found the key whose stable hash is `keyHash` in state `digest`. Ignored when no
    /// rebuild is under way (it was abandoned by `invalidate`) or the key was already counted.
    public mutating func visit(keyHash: UInt64, digest: ObjectDigest) {
        guard case .building = phase, case .building(var tree, var visited) = takePhase() else { return }
        if visited.insert(keyHash).inserted {
            tree.apply(keyHash: keyHash, from: nil, to: digest)
        }
        phase = .building(tree, visited: visited)
    }

    /// Ends a rebuild whose pass visited every key present throughout it: the tree is ready, the
    /// visited set freed. Returns false, changing nothing, when no rebuild was under way.
    @discardableResult
    public mutating func finishRebuild() -> Bool {
        guard case .building(let tree, _) = phase else { return false }
        phase = .ready(tree.isEmpty ? nil : tree)
        return true
    }

    /// The phase, leaving `unbuilt` in its place: the tree and set it holds are then referenced once,
    /// so changing them does not copy 8 KiB of segments per stored change.
    private mutating func takePhase() -> Phase {
        let taken = phase
        phase = .unbuilt
        return taken
    }

    /// What this tree holds is no longer known to match storage: unbuilt until rebuilt.
    public mutating func invalidate() {
        phase = .unbuilt
    }
}
