/// What a client write carries besides the value.
public struct WriteRequest: Sendable {
    public var payload: Sibling.Payload
    /// What the read this write supersedes saw (`X-Context`), or nil for a blind write.
    public var context: WriteContext?
    public var expiryMs: UInt64?
    public var contentType: String

    public init(
        payload: Sibling.Payload, context: WriteContext? = nil, expiryMs: UInt64? = nil,
        contentType: String = ""
    ) {
        self.payload = payload
        self.context = context
        self.expiryMs = expiryMs
        self.contentType = contentType
    }
}

/// What applying a write or merge changed, for metrics and the simulator's checkers.
public struct ApplyOutcome: Equatable, Sendable {
    /// The dot minted by a write; nil for merges.
    public var dot: Dot?
    /// Siblings dropped because the sibling cap was reached (merged away by LWW).
    public var siblingsCapped: Int = 0
    /// Siblings dropped by last-write-wins in `lww` mode.
    public var siblingsOverwrittenByLWW: Int = 0

    public init(dot: Dot? = nil) {
        self.dot = dot
    }
}

extension VersionedObject {
    /// Applies a client write at this replica as `actor` (the DVV write rule, DESIGN.md "Data model").
    ///
    /// Mints the dot `(actor, max(clock[actor], context[actor]) + 1)`, drops the siblings the context
    /// covers, adds the new sibling and merges the context into the clock. A blind write (no context)
    /// drops nothing, so it becomes a sibling of every existing version. A delete without a context
    /// supersedes everything this replica has seen (as Riak does): "delete the key", not "add a
    /// tombstone beside the values"; versions this replica has not seen still survive it.
    ///
    /// The new sibling's timestamp is `timestamp`, raised past every version the write supersedes
    /// (those dropped here and the context's newest): a version must win LWW and the sibling cap
    /// against what it supersedes, whatever the writer's clock says, or merges stop being
    /// order-independent in `lww` mode (LWWTests).
    public mutating func applyWrite(
        _ write: WriteRequest, actor: ActorID, timestamp: HybridTimestamp, mode: ConflictMode,
        siblingsMax: Int
    ) -> ApplyOutcome {
        let outcome = Self.applyWrite(write, clock: &clock, siblings: &siblings, actor: actor, timestamp: timestamp,
                                      mode: mode, siblingsMax: siblingsMax) { dot, stamp in
            Sibling(dot: dot, payload: write.payload, timestamp: stamp, expiryMs: write.expiryMs,
                    contentType: write.contentType)
        }
        assertInvariants()
        return outcome
    }

    /// The write rule on an object's parts, whatever form its siblings take (decoded, or still in an
    /// encoding: `EncodedObject+Write`): one rule, so the two cannot drift apart. `makeSibling` builds
    /// the new sibling from its dot and timestamp.
    static func applyWrite<S: StampedSibling>(
        _ write: WriteRequest, clock: inout VersionVector, siblings: inout [S], actor: ActorID,
        timestamp: HybridTimestamp, mode: ConflictMode, siblingsMax: Int, makeSibling: (Dot, HybridTimestamp) -> S
    ) -> ApplyOutcome {
        let context = write.context ?? WriteContext(clock: write.payload == .tombstone ? clock : VersionVector())
        let counter = max(clock.counter(for: actor), context.clock.counter(for: actor)) + 1
        let dot = Dot(actor: actor, counter: counter)
        var superseded = context.newest
        siblings.removeAll { sibling in
            guard context.clock.covers(sibling.dot) else { return false }
            superseded = max(superseded, sibling.timestamp)
            return true
        }
        clock.merge(context.clock)
        clock.raise(actor, to: counter)
        let stamp = timestamp > superseded ? timestamp : superseded.successor
        insertSorted(makeSibling(dot, stamp), into: &siblings)
        var outcome = ApplyOutcome(dot: dot)
        enforceBounds(on: &siblings, mode: mode, siblingsMax: siblingsMax, outcome: &outcome)
        return outcome
    }

    /// Inserts keeping the siblings sorted by dot. The dot must be new.
    static func insertSorted<S: StampedSibling>(_ sibling: S, into siblings: inout [S]) {
        let index = siblings.firstIndex { sibling.dot < $0.dot } ?? siblings.endIndex
        precondition(index == 0 || siblings[index - 1].dot != sibling.dot, "dot \(sibling.dot) reused")
        siblings.insert(sibling, at: index)
    }

    /// Applies LWW (in `lww` mode) and the sibling cap. Dropped siblings stay covered by the clock,
    /// so no replica brings them back.
    static func enforceBounds<S: StampedSibling>(on siblings: inout [S], mode: ConflictMode, siblingsMax: Int,
                                                 outcome: inout ApplyOutcome) {
        precondition(siblingsMax >= 1, "siblingsMax \(siblingsMax) must be at least 1")
        let keep = mode == .lww ? 1 : siblingsMax
        guard siblings.count > keep else { return }
        let dropped = siblings.count - keep
        if dropped == 1 {
            // The common case (one write over the cap): drop the single oldest, keeping dot order.
            let oldest = siblings.indices.min { S.lwwPrecedes(siblings[$0], siblings[$1]) }!
            siblings.remove(at: oldest)
        } else {
            let newest = siblings.sorted(by: S.lwwPrecedes).suffix(keep)
            siblings = newest.sorted { $0.dot < $1.dot }
        }
        switch mode {
        case .lww: outcome.siblingsOverwrittenByLWW += dropped
        case .siblings: outcome.siblingsCapped += dropped
        }
    }

    mutating func enforceBounds(mode: ConflictMode, siblingsMax: Int, outcome: inout ApplyOutcome) {
        Self.enforceBounds(on: &siblings, mode: mode, siblingsMax: siblingsMax, outcome: &outcome)
    }
}
