extension VersionedObject {
    /// The siblings of the merge with `other`, changed where they lie when `other` brings at most one
    /// sibling `self` lacks; returns false, leaving `self` unchanged, when it brings more (the caller
    /// then builds them anew). Reads `clock` as it was before the merge; does not change it.
    ///
    /// The merge keeps a sibling both sides hold, and one the other side's clock has not seen
    /// (`VersionedObject+Merge`). Most merges add one sibling or none: a hint absorbing a concurrent
    /// write, a replica taking a repair or a handoff. Building the merge into a new array copied
    /// every kept sibling and freed the old ones (about 1 000 instructions a merge on
    /// majority-partition's objects of many siblings); here the covered ones are dropped in place,
    /// keeping the others' order, and the new one is inserted where its dot sorts.
    mutating func mergeSiblingsInPlace(_ other: VersionedObject) -> Bool {
        var covered = 0
        var added: Int?  // the index in `other.siblings` of the one sibling `other` brings
        var left = 0
        var right = 0
        while left < siblings.count && right < other.siblings.count {
            let mine = siblings[left].dot
            let theirs = other.siblings[right].dot
            if mine == theirs {
                left += 1
                right += 1
            } else if mine < theirs {
                if other.clock.covers(mine) { covered += 1 }
                left += 1
            } else {
                if !clock.covers(theirs) {
                    guard added == nil else { return false }
                    added = right
                }
                right += 1
            }
        }
        for index in left..<siblings.count where other.clock.covers(siblings[index].dot) { covered += 1 }
        for index in right..<other.siblings.count where !clock.covers(other.siblings[index].dot) {
            guard added == nil else { return false }
            added = index
        }
        if covered > 0 { dropSiblingsCovered(by: other) }
        if let added { insertSibling(other.siblings[added]) }
        return true
    }

    /// Drops the siblings `other`'s clock covers and `other` does not hold, keeping the order of the
    /// rest: each kept one is swapped down to the next free place, then the tail goes.
    private mutating func dropSiblingsCovered(by other: VersionedObject) {
        var kept = 0
        var right = 0
        for index in siblings.indices {
            let dot = siblings[index].dot
            while right < other.siblings.count && other.siblings[right].dot < dot { right += 1 }
            let shared = right < other.siblings.count && other.siblings[right].dot == dot
            guard shared || !other.clock.covers(dot) else { continue }
            if kept != index { siblings.swapAt(kept, index) }
            kept += 1
        }
        while siblings.count > kept { siblings.removeLast() }  // not `removeLast(_:)`: the generic `replaceSubrange`
    }

    /// Inserts a sibling whose dot is not here, where its dot sorts: appended, then swapped down past
    /// the siblings whose dots sort after it (`insert(_:at:)` went through the generic
    /// `replaceSubrange`, about 400 instructions).
    private mutating func insertSibling(_ sibling: consuming Sibling) {
        siblings.append(sibling)
        siblings.withUnsafeMutableBufferPointer { buffer in
            var index = buffer.count - 1
            while index > 0 && buffer[index].dot < buffer[index - 1].dot {
                buffer.swapAt(index, index - 1)
                index -= 1
            }
            precondition(index == 0 || buffer[index - 1].dot != buffer[index].dot, "sibling \(buffer[index].dot) is here already")
        }
    }
}
