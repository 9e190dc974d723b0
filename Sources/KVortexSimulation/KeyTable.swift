/// Numbers the distinct keys it is shown, in the order first seen, and finds a key's number again:
/// an open-addressing table (linear probing, FNV-1a over the key's bytes) of a simulated node's keys.
///
/// It replaces a `Dictionary` keyed by the key bytes in `SimulatedStorage`, whose SipHash of every key
/// on every read and write was 2 % of a run's instructions (callgrind, steady-state seeds 1–5). Keys
/// are never removed: a simulated workload touches a bounded set of keys.
struct KeyTable {
    /// Key numbers by bucket, `empty` for none. The count is a power of two, at most half full.
    private var buckets = [Int32](repeating: Self.empty, count: 64)
    /// The keys by number.
    private(set) var keys: [[UInt8]] = []
    private static var empty: Int32 { -1 }

    /// The number of `key`, or nil when it was never inserted. Does not change the table.
    func number(of key: [UInt8]) -> Int? {
        var bucket = Self.hash(key) & (buckets.count - 1)
        while true {
            let number = buckets[bucket]
            if number == Self.empty { return nil }
            if keys[Int(number)] == key { return Int(number) }
            bucket = (bucket + 1) & (buckets.count - 1)
        }
    }

    /// The number of `key`, inserted as the next number when it is new.
    mutating func insert(_ key: [UInt8]) -> Int {
        var bucket = Self.hash(key) & (buckets.count - 1)
        while true {
            let number = buckets[bucket]
            if number == Self.empty { break }
            if keys[Int(number)] == key { return Int(number) }
            bucket = (bucket + 1) & (buckets.count - 1)
        }
        precondition(keys.count < Int(Int32.max), "more keys than a table numbers (\(keys.count))")
        buckets[bucket] = Int32(keys.count)
        keys.append(key)
        if keys.count * 2 > buckets.count { grow() }
        return keys.count - 1
    }

    private mutating func grow() {
        buckets = [Int32](repeating: Self.empty, count: buckets.count * 2)
        for number in keys.indices {
            var bucket = Self.hash(keys[number]) & (buckets.count - 1)
            while buckets[bucket] != Self.empty { bucket = (bucket + 1) & (buckets.count - 1) }
            buckets[bucket] = Int32(number)
        }
    }

    /// FNV-1a, 64 bits: a few instructions per byte of the short keys a simulation uses. Only where a
    /// key lands depends on it, never an order anything observes.
    private static func hash(_ key: [UInt8]) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
