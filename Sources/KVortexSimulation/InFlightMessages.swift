import KVortexCore

/// Messages in flight, each in a numbered slot until its event runs: events carry the slot number,
/// so an event holds no reference and copying, queueing and destroying one is plain memory work.
///
/// It replaces a boxed envelope per message, whose allocation, reference counting and destruction
/// were about 5 % of a run's instructions (callgrind, steady-state seeds 1–5). A message is moved in
/// and moved out, never copied; a freed slot is reused by the next message (last freed, first reused),
/// which changes nothing a run can observe. Both arrays are `SlotArray`s: written in place, without
/// an `Array`'s uniqueness check per write.
struct InFlightMessages: ~Copyable {
    private var slots = SlotArray<PeerMessage?>()
    private var freeSlots = SlotArray<Int32>()

    /// Messages waiting in slots.
    var count: Int { slots.count - freeSlots.count }

    /// Keeps `message` and returns its slot, which `take` empties exactly once.
    mutating func put(_ message: consuming PeerMessage) -> Int32 {
        if !freeSlots.isEmpty {
            let slot = freeSlots.removeLast()
            slots.fill(Int(slot), with: message)
            return slot
        }
        slots.append(consume message)
        return Int32(slots.count - 1)
    }

    /// The message of `slot`, moved out; the slot is free again. Does not shrink the storage.
    mutating func take(_ slot: Int32) -> PeerMessage {
        guard let message = slots[Int(slot)].take() else { preconditionFailure("in-flight slot \(slot) taken twice") }
        freeSlots.append(slot)
        return message
    }
}
