import Glibc
import KVortexCore

/// Rebuilds a log engine's state from its segments on open.
enum LogRecovery {
    struct Recovered {
        var state: LogEngine.State
        var droppedBytes: Int
    }

    /// Replays every segment in order; a torn or corrupt record ends its segment, which is cut there.
    static func open(directory: String) throws(StorageError) -> Recovered {
        var state = LogEngine.State()
        var dropped = 0
        let ids = LogSegment.ids(in: directory)
        for id in ids {
            let segment = try LogSegment(directory: directory, id: id, create: false)
            state.segments[id] = segment
            let bytes = try segment.readAll()
            let validEnd = bytes.withUnsafeBytes { replay($0, segment: id, into: &state) }
            if validEnd < bytes.count {
                dropped += bytes.count - validEnd
                Self.report("\(segment.path): dropped \(bytes.count - validEnd) bytes after offset \(validEnd) (torn or corrupt record)")
                try segment.truncate(to: validEnd)
            }
        }
        let activeID = (ids.last ?? 0) + 1
        state.segments[activeID] = try LogSegment(directory: directory, id: activeID, create: true)
        state.activeID = activeID
        return Recovered(state: state, droppedBytes: dropped)
    }

    /// Applies the records of one segment; returns where the valid records end.
    private static func replay(_ bytes: UnsafeRawBufferPointer, segment: UInt32, into state: inout LogEngine.State) -> Int {
        var offset = 0
        while true {
            switch LogRecord.parse(bytes, at: offset) {
            case .end, .torn:
                return offset
            case .record(let kind, let key, _, let size):
                let previous = state.keydir[key]
                if kind == .putMayReap { state.reapCandidates.insert(key) } else { state.reapCandidates.remove(key) }
                switch kind {
                case .put, .putMayReap:
                    state.keydir[key] = LogEngine.Location(segment: segment, offset: offset, size: size)
                    if previous == nil { state.stats.keyCount += 1 }
                    state.stats.bytes += size - (previous?.size ?? 0)
                case .remove:
                    if let previous {
                        state.keydir[key] = nil
                        state.stats.keyCount -= 1
                        state.stats.bytes -= previous.size
                    }
                }
                offset += size
            }
        }
    }

    private static func report(_ line: String) {
        var text = "kvortex: recovery: " + line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
