import Synchronization
import Synchronization

/// A fixed number of relaxed atomic counters, shared by the event loops without a lock.
///
/// Relaxed ordering is enough: counters are only summed for `/metrics`, never used to synchronise.
public final class CounterArray: Sendable {
    public let count: Int
    private nonisolated(unsafe) let slots: UnsafeMutablePointer<Atomic<UInt64>>

    public init(count: Int) {
        precondition(count > 0, "counter array needs at least one slot, got \(count)")
        self.count = count
        slots = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: count)
        for index in 0..<count { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    @inline(__always)
    public func add(_ amount: UInt64, at index: Int) {
        precondition(index >= 0 && index < count, "counter index \(index) outside 0..<\(count)")
        slots[index].wrappingAdd(amount, ordering: .relaxed)
    }

    public func value(at index: Int) -> UInt64 {
        precondition(index >= 0 && index < count, "counter index \(index) outside 0..<\(count)")
        return slots[index].load(ordering: .relaxed)
    }
}
