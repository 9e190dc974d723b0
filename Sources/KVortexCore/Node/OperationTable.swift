/// The operations a node has in flight, in an array indexed by the low bits of their IDs.
///
/// IDs come from one counter and are never reused, as before; an ID whose slot (`id & mask`) is taken
/// by a live operation is skipped. The table doubles when it is half full, and doubling keeps every
/// live operation's slot distinct (distinct low bits stay distinct with one more bit), so nothing
/// collides. A lookup is an index and a comparison of IDs: no hashing, and an operation taken out to
/// be advanced is not copied (a dictionary's value would be, on its first mutation).
struct OperationTable<Operation: Sendable>: Sendable {
    private struct Slot: Sendable {
        var id: UInt64
        var operation: Operation?
    }

    private var slots: [Slot]
    private var mask: UInt64
    private var lastID: UInt64 = 0
    /// Live operations.
    private(set) var count = 0

    init(capacity: Int = 64) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "capacity \(capacity) is not a power of two")
        slots = Array(repeating: Slot(id: 0, operation: nil), count: capacity)
        mask = UInt64(capacity - 1)
    }

    /// A new ID whose slot is free. Nothing is stored until `insert`; an ID never stored is simply unused.
    mutating func allocate() -> OperationID {
        if (count + 1) * 2 > slots.count { grow() }
        repeat { lastID += 1 } while slots[Int(lastID & mask)].operation != nil
        return OperationID(lastID)
    }

    /// Stores `operation` under an ID from `allocate` (or puts back one taken out with `take`).
    mutating func insert(_ operation: consuming Operation, at id: OperationID) {
        let index = Int(id.rawValue & mask)
        precondition(slots[index].operation == nil || slots[index].id == id.rawValue, "slot of \(id) holds another operation")
        if slots[index].operation == nil { count += 1 }
        slots[index] = Slot(id: id.rawValue, operation: operation)
    }

    /// The operation with `id`, or nil when it finished or never existed. Leaves the table unchanged.
    subscript(id: OperationID) -> Operation? {
        let slot = slots[Int(id.rawValue & mask)]
        return slot.id == id.rawValue ? slot.operation : nil
    }

    /// True when the operation with `id` is in the table. Reads its slot's tag: copies nothing.
    func contains(_ id: OperationID) -> Bool {
        let index = Int(id.rawValue & mask)
        return slots[index].id == id.rawValue && slots[index].operation != nil
    }

    /// Removes and returns the operation with `id` (nil when there is none): the caller owns it
    /// uniquely, advances it and `insert`s it back if it is still in flight.
    @discardableResult
    mutating func take(_ id: OperationID) -> Operation? {
        let index = Int(id.rawValue & mask)
        guard slots[index].id == id.rawValue, let operation = slots[index].operation.take() else { return nil }
        count -= 1
        return operation
    }

    /// `take(id)` of an operation `isWanted` accepts; nil, leaving the table as it was, for any other
    /// (a peer's confused reply naming an operation of another kind).
    mutating func take(_ id: OperationID, if isWanted: (Operation) -> Bool) -> Operation? {
        let index = Int(id.rawValue & mask)
        guard slots[index].id == id.rawValue, slots[index].operation.map(isWanted) == true else { return nil }
        return take(id)
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(id: 0, operation: nil), count: old.count * 2)
        mask = UInt64(slots.count - 1)
        for slot in old where slot.operation != nil {
            let index = Int(slot.id & mask)
            precondition(slots[index].operation == nil, "live operations collide after growing")
            slots[index] = slot
        }
    }
}
