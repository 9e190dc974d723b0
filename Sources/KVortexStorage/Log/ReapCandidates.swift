/// Keys whose latest object can become reapable (a tombstone or a TTL), visited round-robin by the
/// bounded sweep: each sweep takes the next `keysMax` keys, and those not reapable yet go to the
/// back, so keys that expire late never hide the ones that expired (a sweep that always took the
/// first `keysMax` of a set could reach only those).
struct ReapCandidates {
    private var members: Set<[UInt8]> = []
    /// Visit order; may hold keys no longer members (skipped and dropped when reached) and, after a
    /// key left and came back, a key twice. Rebuilt from `members` when stale entries pile up.
    private var queue: [[UInt8]] = []
    private var head = 0

    var count: Int { members.count }

    mutating func insert(_ key: [UInt8]) {
        guard members.insert(key).inserted else { return }
        queue.append(key)
        compactIfStale()
    }

    mutating func remove(_ key: [UInt8]) {
        guard !members.isEmpty else { return }  // the usual case, without hashing the key
        members.remove(key)
    }

    /// Up to `count` member keys, continuing where the last call stopped; they move to the back.
    mutating func next(_ count: Int) -> [[UInt8]] {
        var taken: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var examined = 0
        let available = queue.count - head
        while taken.count < count && examined < available {
            let key = queue[head]
            head += 1
            examined += 1
            guard members.contains(key), seen.insert(key).inserted else { continue }
            taken.append(key)
            queue.append(key)
        }
        compactIfStale()
        return taken
    }

    private mutating func compactIfStale() {
        guard head > queue.count / 2 || queue.count - head > 2 * members.count + 1_024 else { return }
        var seen = Set<[UInt8]>()
        queue = queue[head...].filter { members.contains($0) && seen.insert($0).inserted }
        head = 0
    }
}
