/// A version vector: for each actor, the highest counter whose events are all included.
///
/// Stored as a small array sorted by actor, so it is compact, compares cheaply and iterates in
/// the same order in every process (a `Dictionary` would not). Counters are never zero in storage.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    public struct Entry: Hashable, Sendable {
        public let actor: ActorID
        public let counter: UInt64
    }

    /// Sorted by actor, no duplicate actors, no zero counters.
    public private(set) var entries: [Entry]

    public init() {
        entries = []
    }

    /// Entries already sorted by actor, without duplicates or zero counters (a decoder checked them).
    init(sortedEntries: [Entry]) {
        assert(zip(sortedEntries, sortedEntries.dropFirst()).allSatisfy { $0.actor < $1.actor }
               && sortedEntries.allSatisfy { $0.counter > 0 }, "entries unsorted, repeated or zero: \(sortedEntries)")
        entries = sortedEntries
    }

    /// Builds a vector from unordered pairs; the highest counter per actor wins, zeros are dropped.
    public init(_ pairs: some Sequence<(ActorID, UInt64)>) {
        var vector = VersionVector()
        for (actor, counter) in pairs { vector.raise(actor, to: counter) }
        self = vector
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The counter recorded for `actor`, or 0.
    public func counter(for actor: ActorID) -> UInt64 {
        switch search(actor) {
        case .found(let index): entries[index].counter
        case .insertAt: 0
        }
    }

    /// True when the event `dot` is part of the history this vector summarises.
    public func covers(_ dot: Dot) -> Bool {
        counter(for: dot.actor) >= dot.counter
    }

    /// True when every event of `other` is in `self` (`self` ≥ `other`).
    ///
    /// Two vectors sharing one buffer are equal without a walk: copies of one object (a write sent to
    /// the replicas, the replies of replicas that hold it) share their clock's storage in a process,
    /// and clocks grow long where stand-ins mint one-off actors (majority-partition).
    public func descends(_ other: VersionVector) -> Bool {
        if sharesStorage(with: other) { return true }
        var index = 0
        for theirs in other.entries {
            while index < entries.count && entries[index].actor < theirs.actor { index += 1 }
            guard index < entries.count, entries[index].actor == theirs.actor,
                entries[index].counter >= theirs.counter
            else { return false }
        }
        return true
    }

    /// Records that `actor`'s events up to `counter` are included. Never lowers a counter.
    public mutating func raise(_ actor: ActorID, to counter: UInt64) {
        guard counter > 0 else { return }
        switch search(actor) {
        case .found(let index):
            if entries[index].counter < counter { entries[index] = Entry(actor: actor, counter: counter) }
        case .insertAt(let index):
            entries.insert(Entry(actor: actor, counter: counter), at: index)
        }
    }

    /// Pointwise maximum with `other`: commutative, associative, idempotent.
    ///
    /// Most merges add no actor (a write's context, a reply or hint of the same key): those raise
    /// counters in place, or take `other`'s entries as they are when it descends `self`, and build
    /// no array (a new array per merge was about 250 instructions of every write and merge).
    public mutating func merge(_ other: VersionVector) {
        guard !other.entries.isEmpty, !sharesStorage(with: other) else { return }
        guard !entries.isEmpty else { self = other; return }
        if raiseInPlace(to: other) { return }
        if other.descends(self) { self = other; return }
        if raiseInPlaceAddingOne(from: other) { return }
        var merged: [Entry] = []
        merged.reserveCapacity(entries.count + other.entries.count)
        var left = 0
        var right = 0
        while left < entries.count || right < other.entries.count {
            if right == other.entries.count
                || (left < entries.count && entries[left].actor < other.entries[right].actor)
            {
                merged.append(entries[left]); left += 1
            } else if left == entries.count || other.entries[right].actor < entries[left].actor {
                merged.append(other.entries[right]); right += 1
            } else {
                let counter = max(entries[left].counter, other.entries[right].counter)
                merged.append(Entry(actor: entries[left].actor, counter: counter))
                left += 1; right += 1
            }
        }
        entries = merged
    }

    /// Raises counters to `other`'s when every actor of `other` is already here, writing only the
    /// entries that grow; returns false, leaving `self` unchanged, when `other` has an actor `self` lacks.
    private mutating func raiseInPlace(to other: VersionVector) -> Bool {
        var index = 0
        var raises = 0
        for theirs in other.entries {
            while index < entries.count && entries[index].actor < theirs.actor { index += 1 }
            guard index < entries.count, entries[index].actor == theirs.actor else { return false }
            if entries[index].counter < theirs.counter { raises += 1 }
            index += 1
        }
        guard raises > 0 else { return true }
        index = 0
        for theirs in other.entries {
            while entries[index].actor < theirs.actor { index += 1 }
            if entries[index].counter < theirs.counter { entries[index] = theirs }
            index += 1
        }
        return true
    }

    /// Raises counters to `other`'s and adds its one actor `self` lacks, in place, when it lacks
    /// exactly one (a clock merging in a stand-in's write, whose one-off actor is new); returns false,
    /// leaving `self` unchanged, otherwise. The new entry is appended and swapped down to its place:
    /// building the merge into a new array cost an allocation, a copy of every entry and a free.
    private mutating func raiseInPlaceAddingOne(from other: VersionVector) -> Bool {
        var missing: Entry?
        var index = 0
        for theirs in other.entries {
            while index < entries.count && entries[index].actor < theirs.actor { index += 1 }
            guard index < entries.count, entries[index].actor == theirs.actor else {
                guard missing == nil else { return false }
                missing = theirs
                continue
            }
            index += 1
        }
        guard let missing else { return false }
        index = 0
        for theirs in other.entries where theirs.actor != missing.actor {
            while entries[index].actor < theirs.actor { index += 1 }
            if entries[index].counter < theirs.counter { entries[index] = theirs }
            index += 1
        }
        entries.append(missing)
        entries.withUnsafeMutableBufferPointer { buffer in
            var position = buffer.count - 1
            while position > 0 && buffer[position].actor < buffer[position - 1].actor {
                buffer.swapAt(position, position - 1)
                position -= 1
            }
        }
        return true
    }

    /// True when both vectors hold the same entries because they share one buffer. Compares two
    /// addresses; false says nothing.
    private func sharesStorage(with other: VersionVector) -> Bool {
        entries.count == other.entries.count && entries.withUnsafeBufferPointer { mine in
            other.entries.withUnsafeBufferPointer { $0.baseAddress == mine.baseAddress }
        }
    }

    public func merging(_ other: VersionVector) -> VersionVector {
        var copy = self
        copy.merge(other)
        return copy
    }

    public var description: String {
        "{" + entries.map { "\($0.actor):\($0.counter)" }.joined(separator: ", ") + "}"
    }

    private enum SearchResult { case found(Int), insertAt(Int) }

    private func search(_ actor: ActorID) -> SearchResult {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].actor == actor { return .found(mid) }
            if entries[mid].actor < actor { low = mid + 1 } else { high = mid }
        }
        return .insertAt(low)
    }
}
