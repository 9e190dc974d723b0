extension VersionedObject {
    /// Merges another replica's object into this one (read repair, handoff, anti-entropy).
    ///
    /// A sibling survives if both sides hold it, or if the other side's clock has not seen its dot;
    /// the clocks merge by pointwise maximum. Commutative, associative and idempotent (property-tested),
    /// so replicas converge whatever order merges arrive in. The sibling cap is not applied here (see
    /// below), so a merged object may briefly hold more than `siblingsMax` until its next write.
    public mutating func merge(
        _ other: VersionedObject, mode: ConflictMode, siblingsMax: Int
    ) -> ApplyOutcome {
        var merged: [Sibling] = []
        merged.reserveCapacity(siblings.count + other.siblings.count)
        var left = 0
        var right = 0
        while left < siblings.count || right < other.siblings.count {
            let mine = left < siblings.count ? siblings[left] : nil
            let theirs = right < other.siblings.count ? other.siblings[right] : nil
            if let mine, let theirs, mine.dot == theirs.dot {
                merged.append(mine); left += 1; right += 1
            } else if let mine, theirs == nil || mine.dot < theirs!.dot {
                if !other.clock.covers(mine.dot) { merged.append(mine) }
                left += 1
            } else if let theirs {
                if !clock.covers(theirs.dot) { merged.append(theirs) }
                right += 1
            }
        }
        siblings = merged
        clock.merge(other.clock)
        var outcome = ApplyOutcome()
        // The sibling cap applies at write time only: capping inside a merge is not associative and
        // can empty a key that was never deleted (a cap drops a sibling because of newer ones a later
        // merge removes; found by MergeAlgebra/SiblingCap property tests). In LWW mode one version is
        // kept, as in writes.
        if mode == .lww { enforceBounds(mode: mode, siblingsMax: siblingsMax, outcome: &outcome) }
        assertInvariants()
        return outcome
    }

    public func merging(_ other: VersionedObject, mode: ConflictMode, siblingsMax: Int) -> VersionedObject {
        var copy = self
        _ = copy.merge(other, mode: mode, siblingsMax: siblingsMax)
        return copy
    }
}
