/// The stored form of a key: a dotted causal container (DESIGN.md "Data model").
///
/// `clock` summarises every update this replica has seen for the key; `siblings` are the versions
/// no seen update has superseded, sorted by dot. Every sibling's dot is covered by `clock`.
/// Writes and merges are in `VersionedObject+Write.swift` and `VersionedObject+Merge.swift`.
public struct VersionedObject: Hashable, Sendable {
    public internal(set) var clock: VersionVector
    /// Sorted by dot; dots are distinct.
    public internal(set) var siblings: [Sibling]

    public init() {
        clock = VersionVector()
        siblings = []
    }

    /// Builds an object from parts, e.g. after decoding. Sorts the siblings; returns nil when the
    /// parts break the invariants (a duplicate dot, or a dot the clock does not cover).
    public init?(clock: VersionVector, siblings: [Sibling]) {
        let sorted = siblings.sorted { $0.dot < $1.dot }
        for (index, sibling) in sorted.enumerated() {
            guard clock.covers(sibling.dot) else { return nil }
            if index > 0 && sorted[index - 1].dot == sibling.dot { return nil }
        }
        self.clock = clock
        self.siblings = sorted
    }

    /// The siblings a read at `nowMs` returns: values that are neither tombstones nor expired.
    public func liveSiblings(atMs nowMs: UInt64) -> [Sibling] {
        siblings.filter { $0.isLive(atMs: nowMs) }
    }

    /// True when a read at `nowMs` finds nothing (absent, deleted or expired) while the object still
    /// carries causal history worth keeping.
    public func isEmptyForReads(atMs nowMs: UInt64) -> Bool {
        !siblings.contains { $0.isLive(atMs: nowMs) }
    }

    /// True when a sibling is a tombstone or has an expiry, so the object may become reapable in time:
    /// what engines flag so their sweeps look only at such objects.
    public var mayBecomeReapable: Bool {
        siblings.contains { $0.isTombstone || $0.expiryMs != nil }
    }

    /// True when every sibling has been a tombstone, or expired, for at least `graceMs` at `nowMs`.
    ///
    /// Only then may a replica forget the object: within the grace a lagging replica's older version
    /// could otherwise come back through a merge. DESIGN.md also asks that all primaries hold it first:
    /// with N > 1 the core asks them (`Node+Reap.swift`) and the engines' own grace is the backstop
    /// (`ReapSettings`; docs/decisions.md, "Expired values and tombstones share one reaping rule").
    public func isReapable(atMs nowMs: UInt64, graceMs: UInt64) -> Bool {
        // Saturating sums: a far-future expiry or a "never" grace must not wrap round into the past.
        func passed(_ startMs: UInt64) -> Bool {
            let (endMs, overflow) = startMs.addingReportingOverflow(graceMs)
            return !overflow && endMs <= nowMs
        }
        return siblings.allSatisfy { sibling in
            switch sibling.payload {
            case .tombstone: passed(sibling.timestamp.physicalMs)
            case .value: sibling.expiryMs.map(passed) ?? false
            }
        }
    }

    /// Bytes this object adds to memory accounting.
    public var approximateBytes: Int {
        siblings.reduce(clock.entries.count * 16 + 16) { $0 + $1.approximateBytes }
    }

    /// Checks the container's invariants in debug builds; a failure is a bug in this module, never bad
    /// input. Debug-only: a search of the clock per sibling after every write and merge was about 1 % of
    /// a simulation run (4 M instructions of majority-partition, seeds 1-5); the tests, built for debug,
    /// run every write and merge with it on.
    func assertInvariants() {
        assert(invariantsHold())
    }

    /// Traps with the broken invariant's values; true otherwise (for `assert`).
    private func invariantsHold() -> Bool {
        for (index, sibling) in siblings.enumerated() {
            precondition(clock.covers(sibling.dot), "sibling \(sibling.dot) not covered by clock \(clock)")
            if index > 0 {
                precondition(siblings[index - 1].dot < sibling.dot, "siblings unsorted at \(sibling.dot)")
            }
        }
        return true
    }
}
