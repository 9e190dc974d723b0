import KVortexCore

extension LogEngine {
    /// A rebuild's pass: the first call lists the partition's keys from the key directory (a walk
    /// hashing every key: the directory does not keep stable hashes yet, docs/anti-entropy.md §2), then
    /// each call reads the digests of up to `keysMax` of them under the state's lock, from the recent
    /// objects or the records' encodings (never decoded). A key listed but removed since is skipped.
    public func visitDigests(partition: Int, of partitioning: Partitioning, from cursor: DigestCursor, keysMax: Int,
                             _ visit: (_ keyHash: UInt64, _ digest: ObjectDigest) -> Void) throws(StorageError) -> DigestCursor? {
        precondition(keysMax > 0, "keysMax \(keysMax) must be positive")
        let result: Result<DigestCursor?, StorageError> = state.withLock { state in
            Result { () throws(StorageError) -> DigestCursor? in
                guard !state.closed else { throw .closed }
                var remaining: ArraySlice<[UInt8]>
                switch cursor {
                case .start:
                    remaining = state.keydir.keys.compactMap { partitioning.partition(of: $0.bytes) == partition ? $0.bytes : nil }[...]
                case .keys(let keys):
                    remaining = keys
                case .slot, .afterKey:
                    preconditionFailure("cursor \(cursor) is not the log engine's")
                }
                for key in remaining.prefix(keysMax) {
                    if let digest = try Self.readDigest(key, in: state) { visit(StableHash.hash64(key), digest) }
                }
                remaining = remaining.dropFirst(keysMax)
                return remaining.isEmpty ? nil : .keys(remaining)
            }
        }
        return try result.get()
    }

    /// The digest of `key`'s latest object, or nil when absent. Called with the state locked.
    static func readDigest(_ key: [UInt8], in state: State) throws(StorageError) -> ObjectDigest? {
        if let recent = state.recent[key] { return ObjectDigest(recent) }
        guard let location = state.keydir[HashedKey(key)], let segment = state.segments[location.segment] else { return nil }
        let bytes = try segment.read(offset: location.offset, count: location.size)
        let digest: Result<ObjectDigest, StorageError> = bytes.withUnsafeBytes { raw in
            guard case .record(let frame) = LogRecord.parse(raw, at: 0), frame.kind != .remove else {
                return .failure(.corrupt("record of a live key at \(segment.path):\(location.offset) fails its checks"))
            }
            do {
                return .success(try ObjectDigest(checkingEncoding: UnsafeRawBufferPointer(rebasing: raw[frame.objectRange])))
            } catch {
                return .failure(.corrupt("object at \(segment.path):\(location.offset) does not decode: \(error)"))
            }
        }
        return try digest.get()
    }
}
