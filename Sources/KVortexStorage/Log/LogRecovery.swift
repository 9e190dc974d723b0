import Glibc
import KVortexCore

/// Rebuilds a log engine's state from its segments on open.
enum LogRecovery {
    struct Recovered {
        var state: LogEngine.State
        var droppedBytes: Int
        /// Segments whose index file was used instead of reading the segment.
        var indexedSegments: Int
    }

    /// Replays every segment in order, from its index file when it has a valid one; otherwise a torn
    /// or corrupt record ends the segment, which is cut there. Removes a crashed compaction's files.
    static func open(directory: String) throws(StorageError) -> Recovered {
        for leftover in DurableFile.names(in: directory, endingWith: LogEngine.temporarySuffix) {
            try DurableFile.remove(directory + "/" + leftover)
        }
        var state = LogEngine.State()
        var dropped = 0
        var indexed = 0
        let ids = LogSegment.ids(in: directory)
        for id in ids {
            let segment = try LogSegment(directory: directory, id: id, create: false)
            state.segments[id] = segment
            if let index = DurableFile.read(directory + "/" + LogIndex.fileName(id)),
                let entries = LogIndex.decode(index, segmentSize: segment.size) {
                // Keys of compacted segments are mostly distinct: grow the directory once, not ~20 times.
                state.keydir.reserveCapacity(state.keydir.count + entries.count)
                for entry in entries {
                    apply(entry.kind, entry.key, LogEngine.Location(segment: id, offset: entry.offset, size: entry.size), to: &state)
                }
                indexed += 1
                continue
            }
            let size = segment.size
            let validEnd = try scan(segment, into: &state)
            if validEnd < size {
                dropped += size - validEnd
                Self.report("\(segment.path): dropped \(Counted(size - validEnd, "byte")) after offset \(validEnd) (torn or corrupt record)")
                try segment.truncate(to: validEnd)
            }
        }
        let activeID = (ids.last ?? 0) + 1
        state.segments[activeID] = try LogSegment(directory: directory, id: activeID, create: true)
        state.activeID = activeID
        state.stats.diskBytes = state.segments.values.reduce(0) { $0 + $1.size }
        state.stats.recoveryDroppedBytes = dropped
        return Recovered(state: state, droppedBytes: dropped, indexedSegments: indexed)
    }

    /// Applies the records of a segment read through a read-only mapping (no copy, no zeroed array);
    /// returns where the valid records end. The mapping is gone before the caller may truncate.
    private static func scan(_ segment: LogSegment, into state: inout LogEngine.State) throws(StorageError) -> Int {
        let mapping = try segment.mapped()
        return withExtendedLifetime(mapping) { replay(mapping.bytes, segment: segment.id, into: &state) }
    }

    /// Applies the records of one segment; returns where the valid records end.
    private static func replay(_ bytes: UnsafeRawBufferPointer, segment: UInt32, into state: inout LogEngine.State) -> Int {
        var offset = 0
        while case .record(let frame) = LogRecord.parse(bytes, at: offset) {
            apply(frame.kind, frame.key(in: bytes), LogEngine.Location(segment: segment, offset: offset, size: frame.size), to: &state)
            offset += frame.size
        }
        return offset
    }

    /// Points the key directory at one record, newer than every record applied before it.
    private static func apply(_ kind: LogRecord.Kind, _ key: [UInt8], _ location: LogEngine.Location,
                              to state: inout LogEngine.State) {
        if kind == .putMayReap { state.reapCandidates.insert(key) } else { state.reapCandidates.remove(key) }
        switch kind {
        case .put, .putMayReap:
            let previous = state.keydir.updateValue(location, forKey: HashedKey(key))
            if previous == nil { state.stats.keyCount += 1 }
            state.stats.bytes += location.size - (previous?.size ?? 0)
        case .remove:
            if let previous = state.keydir.removeValue(forKey: HashedKey(key)) {
                state.stats.keyCount -= 1
                state.stats.bytes -= previous.size
            }
        }
    }

    static func report(_ line: String) {
        var text = "kvortex: log: " + line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
