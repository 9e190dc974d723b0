/// One in-flight operation's state on the heap, so the operation table's entry is one reference.
///
/// A coordinator is about 150 bytes of arrays and counters: kept inline, every reply moved it out of
/// the table and back (two copies of the entry, ~500 instructions per event) and a finished one was
/// destroyed through the enum's outlined witnesses. Boxed, an event moves 8 bytes and advances the
/// coordinator where it lies.
///
/// Value semantics are kept by copy-on-write: `makeUnique` gives a copy of a `Node` (tests copy them)
/// its own box before the first change, as an array gives itself its own storage. The contents change
/// only through a uniquely referenced box, which is why sharing it across threads is sound.
final class OperationBox<Value: Sendable>: @unchecked Sendable {
    var value: Value

    init(_ value: consuming Value) {
        self.value = value
    }
}

extension OperationBox {
    /// `box` itself when nothing else references it, else a new box holding a copy of its value.
    /// Leaves the value unchanged.
    static func makeUnique(_ box: inout OperationBox<Value>) {
        if !isKnownUniquelyReferenced(&box) { box = OperationBox(box.value) }
    }
}

/// Boxes of finished operations, kept for the next operations of their kind: each reuse saves an
/// allocation and a free (~250 instructions). A kept box still holds its finished value until it is
/// reused (at most `countMax` of them); a box another copy of the node shares is not reused.
struct SpareOperationBoxes<Value: Sendable>: Sendable {
    private var boxes: [OperationBox<Value>] = []
    /// Boxes kept at most; a finished operation's box past it is freed.
    static var countMax: Int { 16 }

    /// A box holding `value`: a kept one when there is one nothing else references, else a new one.
    mutating func box(_ value: consuming Value) -> OperationBox<Value> {
        guard let box = takeUnique() else { return OperationBox(value) }
        box.value = value
        return box
    }

    /// A kept box nothing else references, still holding its finished value, for the caller to
    /// refill (and reuse what the value holds); nil when there is none. A shared one is dropped.
    mutating func takeUnique() -> OperationBox<Value>? {
        guard !boxes.isEmpty else { return nil }
        var box = boxes.removeLast()
        return isKnownUniquelyReferenced(&box) ? box : nil
    }

    /// Keeps the box of a finished operation (the caller's last reference to it) for `box(_:)`.
    mutating func keep(_ box: consuming OperationBox<Value>) {
        if boxes.count < Self.countMax { boxes.append(box) }
    }
}
