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
        let superseded = removeCovered(by: context, from: &siblings)
        clock.merge(context.clock)
        clock.raise(actor, to: counter)
        let stamp = timestamp > superseded ? timestamp : superseded.successor
        insertSorted(makeSibling(dot, stamp), into: &siblings)
        var outcome = ApplyOutcome(dot: dot)
        enforceBounds(on: &siblings, mode: mode, siblingsMax: siblingsMax, outcome: &outcome)
        return outcome
    }

    /// Drops the siblings `context` covers and returns the newest timestamp among them and the
    /// context's. Leaves the order of the others unchanged.
    ///
    /// A write's context usually covers no sibling (a blind write) or all of them (a write after a read
    /// of the latest version): those take no `removeAll(where:)`, whose closure cost about 500
    /// instructions a write.
    static func removeCovered<S: StampedSibling>(by context: WriteContext, from siblings: inout [S]) -> HybridTimestamp {
        var superseded = context.newest
        guard !context.clock.isEmpty else { return superseded }
        var covered = 0
        for index in siblings.indices where context.clock.covers(siblings[index].dot) {
            covered += 1
            superseded = max(superseded, siblings[index].timestamp)
        }
        if covered == siblings.count {
            siblings.removeAll(keepingCapacity: true)
        } else if covered > 0 {
            siblings.removeAll { context.clock.covers($0.dot) }
        }
        return superseded
    }

    /// Inserts keeping the siblings sorted by dot. The dot must be new. A dot after every other (the
    /// first sibling, or the actor with the highest ID) is appended: `insert(_:at:)` went through the
    /// generic `replaceSubrange`, about 400 instructions.
    static func insertSorted<S: StampedSibling>(_ sibling: S, into siblings: inout [S]) {
        if siblings.isEmpty || siblings[siblings.count - 1].dot < sibling.dot {
            siblings.append(sibling)
            return
        }
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
