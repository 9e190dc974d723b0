/// An exact least-recently-used order over the entry indices of a table (a memory shard, a cache
/// shard): a doubly linked list threaded through an array of links, one per index, so marking an
/// entry used costs a few stores and no allocation. Not thread-safe: used under its owner's lock.
///
/// Indices are the owner's; an index is in the list from its first `touch` until `remove`.
struct LRUList: Sendable {
    private struct Link: Sendable {
        /// Neighbours (indices, -1 for none); the head (`newest`) is the most recently used.
        var newer: Int32 = -1
        var older: Int32 = -1
    }

    private var links: [Link] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    /// The least recently used index, or nil when the list is empty.
    var leastRecentlyUsed: Int? { oldest >= 0 ? Int(oldest) : nil }

    /// Makes `index` the most recently used, adding it if it is not in the list.
    mutating func touch(_ index: Int) {
        precondition(index < Int(Int32.max), "LRU index \(index) overflows")
        while links.count <= index { links.append(Link()) }
        guard newest != Int32(index) else { return }
        unlink(index)
        links[index].older = newest
        if newest >= 0 { links[Int(newest)].newer = Int32(index) }
        newest = Int32(index)
        if oldest < 0 { oldest = Int32(index) }
    }

    /// Takes `index` out of the list (nothing happens if it is not in it); the index may be reused.
    mutating func remove(_ index: Int) {
        guard index < links.count else { return }
        unlink(index)
    }

    private mutating func unlink(_ index: Int) {
        let newer = links[index].newer
        let older = links[index].older
        guard newer >= 0 || older >= 0 || newest == Int32(index) else { return }
        if newer >= 0 { links[Int(newer)].older = older } else { newest = older }
        if older >= 0 { links[Int(older)].newer = newer } else { oldest = newer }
        links[index] = Link()
    }
}
