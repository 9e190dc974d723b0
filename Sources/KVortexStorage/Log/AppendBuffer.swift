import Glibc

/// A growable run of bytes that callers encode into in place (no array, no zero fill, no copy): the
/// log segment's appends waiting for their group commit. Owned by one segment, used under its
/// engine's lock (hence `@unchecked Sendable`).
final class AppendBuffer: @unchecked Sendable {
    /// Nil until the first append, and after `release`: segments that are never appended to (those
    /// recovery opens, closed ones) hold no memory.
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private(set) var count = 0
    static let initialCapacity = 4 << 10

    deinit {
        base?.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Adds `byteCount` bytes that `fill` writes (it must write all of them).
    func append(byteCount: Int, _ fill: (UnsafeMutableRawPointer) -> Void) {
        if count + byteCount > capacity { grow(toAtLeast: count + byteCount) }
        fill(base! + count)
        count += byteCount
    }

    /// Drops the bytes from `newCount` on (all of them by default); keeps the memory.
    func removeLast(from newCount: Int = 0) {
        precondition(newCount >= 0 && newCount <= count, "cutting a buffer of \(count) bytes at \(newCount)")
        count = newCount
    }

    /// Frees the memory of an empty buffer (a segment closed for appends).
    func release() {
        precondition(count == 0, "releasing a buffer holding \(count) bytes")
        base?.deallocate()
        base = nil
        capacity = 0
    }

    private func grow(toAtLeast needed: Int) {
        var newCapacity = max(capacity, Self.initialCapacity)
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let base {
            grown.copyMemory(from: base, byteCount: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }
}
