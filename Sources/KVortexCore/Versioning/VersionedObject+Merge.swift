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
        if !mergeSiblingsInPlace(other) { rebuildSiblings(merging: other) }
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

    /// The siblings of the merge with `other`, built into a new array. Reads `clock` as it was
    /// before the merge.
    private mutating func rebuildSiblings(merging other: VersionedObject) {
        // Dots are compared where the siblings lie and a sibling is copied only into the result: taking
        // each side's next sibling into an optional copied (and destroyed) it per step, most of a
        // merge's instructions for objects with many siblings (majority-partition).
        var merged: [Sibling] = []
        merged.reserveCapacity(siblings.count + other.siblings.count)
        var left = 0
        var right = 0
        while left < siblings.count && right < other.siblings.count {
            let mine = siblings[left].dot
            let theirs = other.siblings[right].dot
            if mine == theirs {
                merged.append(siblings[left]); left += 1; right += 1
            } else if mine < theirs {
                if !other.clock.covers(mine) { merged.append(siblings[left]) }
                left += 1
            } else {
                if !clock.covers(theirs) { merged.append(other.siblings[right]) }
                right += 1
            }
        }
        for sibling in siblings[left...] where !other.clock.covers(sibling.dot) { merged.append(sibling) }
        for sibling in other.siblings[right...] where !clock.covers(sibling.dot) { merged.append(sibling) }
        siblings = merged
    }

    public func merging(_ other: VersionedObject, mode: ConflictMode, siblingsMax: Int) -> VersionedObject {
        var copy = self
        _ = copy.merge(other, mode: mode, siblingsMax: siblingsMax)
        return copy
    }
}
