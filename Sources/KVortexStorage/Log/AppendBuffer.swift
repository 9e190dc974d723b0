import Glibc

/// A growable run of bytes that callers encode into in place (no array, no zero fill, no copy): the
/// log segment's appends waiting for their group commit. Owned by one segment, used under its
/// engine's lock (hence `@unchecked Sendable`).
final class AppendBuffer: @unchecked Sendable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 4 << 10) {
        self.capacity = max(capacity, 1)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Adds `byteCount` bytes that `fill` writes (it must write all of them).
    func append(byteCount: Int, _ fill: (UnsafeMutableRawPointer) -> Void) {
        if count + byteCount > capacity { grow(toAtLeast: count + byteCount) }
        fill(base + count)
        count += byteCount
    }

    /// Drops the bytes from `newCount` on (all of them by default); keeps the memory.
    func removeLast(from newCount: Int = 0) {
        precondition(newCount >= 0 && newCount <= count, "cutting a buffer of \(count) bytes at \(newCount)")
        count = newCount
    }

    private func grow(toAtLeast needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}
