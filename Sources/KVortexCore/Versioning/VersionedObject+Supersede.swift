/// When merging is replacing: the fast path of a replica that receives a newer version of a key.
///
/// If the incoming object's clock descends the stored object's clock, the incoming object has seen
/// every event the stored one has, so each stored sibling is either held by the incoming object or
/// was superseded (or capped away) by an event it has seen: `merge` would return the incoming object
/// unchanged (property-tested over generated histories: `SupersedeTests`). Storing it as it is
/// skips decoding the stored siblings and merging them, which is most of a replica's work per write.
/// Only in siblings mode: an LWW merge also reports the versions it overwrote, which is counted.
extension VersionedObject {
    /// True when merging `self` into an object with clock `storedClock` gives `self`, in `mode`.
    public func supersedes(clock storedClock: VersionVector, mode: ConflictMode) -> Bool {
        mode == .siblings && clock.descends(storedClock)
    }

    /// As `supersedes(clock:mode:)`, reading the stored object's clock straight from its encoding
    /// (`encoded()`), without decoding its siblings (`VersionVector.descendsClock(ofEncoded:)`).
    public func supersedes(encoded stored: UnsafeRawBufferPointer, mode: ConflictMode) -> Bool {
        mode == .siblings && clock.descendsClock(ofEncoded: stored)
    }
}

extension VersionVector {
    /// True when `self` descends the clock at the start of the object encoding `stored`, read where it
    /// lies. False when the bytes do not start with a clock this version encodes (the caller then
    /// decodes in full, which reports the damage).
    public func descendsClock(ofEncoded stored: UnsafeRawBufferPointer) -> Bool {
        var reader = RawByteReader(stored)
        do {
            guard try reader.readByte() == VersionedObject.binaryVersion else { return false }
            let count = try reader.readCount(itemsMax: VersionedObject.decodeClockEntriesMax)
            for _ in 0..<count {
                let actor = ActorID(rawValue: try reader.readFixed64())
                let counter = try reader.readVarint()
                guard self.counter(for: actor) >= counter else { return false }
            }
            return true
        } catch {
            return false
        }
    }
}

extension VersionedObject {
    /// The full merge of `incoming` into a stored object, or `incoming` itself for an absent key.
    public static func merge(_ incoming: VersionedObject, into stored: inout VersionedObject?, mode: ConflictMode,
                             siblingsMax: Int) -> ApplyOutcome {
        guard var current = stored else { stored = incoming; return ApplyOutcome() }
        let outcome = current.merge(incoming, mode: mode, siblingsMax: siblingsMax)
        stored = current
        return outcome
    }
}
