/// What the driver keeps for each client operation in flight until the node replies: slots reused
/// through a free list, and an ID that names the slot and its use (generation), so finding the
/// waiter of a reply is an index and a comparison, not a hash-table lookup and delete.
///
/// Bounded by the operations in flight (each holds one slot until its reply; the node answers every
/// operation, refusing past its own bound); the slots stay allocated at their peak.
struct WaiterSlab<Waiter> {
    private var slots: [(generation: UInt32, waiter: Waiter?)] = []
    private var free: [Int] = []
    private(set) var count = 0

    /// Keeps `waiter`; returns its ID, which no later waiter in the same slot shares (until the slot's
    /// generation wraps after 2^32 uses).
    mutating func insert(_ waiter: Waiter) -> UInt64 {
        count += 1
        if let index = free.popLast() {
            slots[index].generation &+= 1
            slots[index].waiter = waiter
            return Self.id(index: index, generation: slots[index].generation)
        }
        slots.append((0, waiter))
        precondition(slots.count <= Int(UInt32.max), "\(slots.count) waiters")
        return Self.id(index: slots.count - 1, generation: 0)
    }

    /// The waiter of `id`, removed; nil when there is none (answered already, or never issued here).
    mutating func remove(_ id: UInt64) -> Waiter? {
        let index = Int(id & 0xFFFF_FFFF)
        guard index < slots.count, slots[index].generation == UInt32(id >> 32), let waiter = slots[index].waiter else { return nil }
        slots[index].waiter = nil
        free.append(index)
        count -= 1
        return waiter
    }

    /// Every waiter, removed (the driver stopping answers them all).
    mutating func removeAll() -> [Waiter] {
        let waiters = slots.compactMap(\.waiter)
        for index in slots.indices where slots[index].waiter != nil {
            slots[index].waiter = nil
            free.append(index)
        }
        count = 0
        return waiters
    }

    private static func id(index: Int, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(index)
    }
}
