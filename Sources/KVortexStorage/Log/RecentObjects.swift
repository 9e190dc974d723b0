import KVortexCore

/// The objects of the keys written last, decoded, so the next write of a key (a read-modify-write of
/// its versioned object) and a read of it skip `pread`, the checksum and the decoding of its record.
///
/// Bounded by `bytesMax` (`VersionedObject.approximateBytes` plus the key and a fixed overhead per
/// entry); the oldest inserted keys go first (FIFO: an overwrite keeps the key's place, so a write
/// costs no reordering). Always equal to the key's latest record where it has an entry: the engine
/// updates it under its lock together with the key directory, and recovery starts it empty.
struct RecentObjects {
    /// Bytes counted per entry besides the object and the key (dictionary slot, queue slot, headers).
    static let entryOverheadBytes = 96

    let bytesMax: Int
    private(set) var bytes = 0
    /// Each object with the bytes counted for it.
    private var objects: [HashedKey: (object: VersionedObject, bytes: Int)] = [:]
    /// Insertion order; may hold keys removed since (skipped when reached) and, after a key left and
    /// came back, a key twice (the older copy evicts it early, which costs only a read).
    private var queue: [HashedKey] = []
    private var head = 0

    init(bytesMax: Int) {
        self.bytesMax = bytesMax
    }

    var count: Int { objects.count }

    subscript(key: [UInt8]) -> VersionedObject? { objects[HashedKey(key)]?.object }

    /// Keeps `object` as the latest of `key`, or forgets the key (nil), then evicts down to `bytesMax`.
    mutating func set(_ key: [UInt8], _ object: VersionedObject?) {
        guard bytesMax > 0 else { return }
        let added = object.map { $0.approximateBytes + key.count + Self.entryOverheadBytes } ?? 0
        let key = HashedKey(key)
        guard let object, added <= bytesMax else {
            if let previous = objects.removeValue(forKey: key) { bytes -= previous.bytes }
            return
        }
        if let previous = objects.updateValue((object, added), forKey: key) {
            bytes -= previous.bytes
        } else {
            queue.append(key)
        }
        bytes += added
        evict()
    }

    private mutating func evict() {
        while bytes > bytesMax || queue.count - head > 2 * objects.count + 1_024 {
            let key = queue[head]
            head += 1
            if let evicted = objects.removeValue(forKey: key) { bytes -= evicted.bytes }
        }
        if head > 1_024 && head > queue.count / 2 {
            queue.removeFirst(head)
            head = 0
        }
    }
}
