/// A growable array that owns its memory and cannot be copied: the slabs of the simulator's event
/// queue and of its messages in flight.
///
/// An `Array` checks on every write that its buffer is not shared (a runtime call) and writes through
/// an accessor; these slabs are written several times per simulated message, and those checks were
/// about a tenth of the simulator's own instructions per message. A noncopyable owner cannot share its
/// buffer, so elements are read and written in place, with a bounds check only. Grows by doubling;
/// never shrinks; destroys its elements when it goes.
struct SlotArray<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 64) {
        precondition(capacity > 0, "capacity \(capacity) must be positive")
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    /// `count` copies of `element`.
    init(repeating element: Element, count: Int) {
        self.init(capacity: max(count, 1))
        base.initialize(repeating: element, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// The element at `index`, read and written where it lies.
    subscript(index: Int) -> Element {
        unsafeAddress {
            precondition(index >= 0 && index < count, "slot \(index) outside 0..<\(count)")
            return UnsafePointer(base + index)
        }
        unsafeMutableAddress {
            precondition(index >= 0 && index < count, "slot \(index) outside 0..<\(count)")
            return base + index
        }
    }

    /// Stores `wrapped` in the empty slot at `index` without destroying what the slot held first: an
    /// assignment destroyed the old `nil` through the element's outlined destroy, which switched on the
    /// payload's cases (about 70 instructions per message in flight).
    mutating func fill<Wrapped>(_ index: Int, with wrapped: consuming Wrapped) where Element == Wrapped? {
        precondition(index >= 0 && index < count, "slot \(index) outside 0..<\(count)")
        guard case .none = base[index] else { preconditionFailure("slot \(index) is not empty") }
        (base + index).initialize(to: .some(wrapped))
    }

    mutating func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Removes and returns the last element.
    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast of an empty slot array")
        count -= 1
        return (base + count).move()
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }
}
