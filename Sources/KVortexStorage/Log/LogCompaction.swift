import KVortexCore

/// What one compaction did; summed into `StorageStats`.
public struct CompactionReport: Equatable, Sendable {
    public var segmentsRead = 0
    public var segmentsWritten = 0
    public var bytesRead = 0
    /// Segment and index bytes written.
    public var bytesWritten = 0
    public var recordsKept = 0
    public var recordsDropped = 0
}

extension LogEngine {
    /// One output segment of a compaction, written to a temporary file until it is installed.
    private struct Output {
        let id: UInt32
        var bytes: [UInt8] = []
        var entries: [LogIndex.Entry] = []
        /// Where each entry's record was before, to repoint the key directory only if it still is.
        var sources: [Location] = []
    }

    /// Compacts when worth it (the node's background sweep calls this).
    public func maintain() throws(StorageError) -> String? {
        guard let report = try compactIfWorthwhile() else { return nil }
        return "log compaction: \(Counted(report.segmentsRead, "segment")) (\(Counted(report.bytesRead, "byte"))) rewritten as "
            + "\(report.segmentsWritten) (\(Counted(report.bytesWritten, "byte")) with indexes); kept \(Counted(report.recordsKept, "record")), "
            + "dropped \(report.recordsDropped)"
    }

    /// Suffix of files a compaction writes before it installs them; recovery removes leftovers.
    static let temporarySuffix = ".compact"

    /// Compacts when dead bytes (overwritten, removed or reaped records) reach both
    /// `compactionDeadBytesMin` and half the closed segments' bytes. Called by the node's background
    /// sweep; returns what it did, or nil when it was not worth it (or another compaction runs).
    public func compactIfWorthwhile() throws(StorageError) -> CompactionReport? {
        let (dead, closedBytes) = state.withLock { state in
            (state.stats.diskBytes - state.stats.bytes,
             state.segments.values.reduce(0) { $0 + ($1.id < state.activeID ? $1.size : 0) })
        }
        guard closedBytes > 0, dead >= configuration.compactionDeadBytesMin, dead * 2 >= closedBytes else { return nil }
        return try compact()
    }

    /// Rewrites every closed segment into as few segments as hold their live records, each with an
    /// index file (`LogIndex`), dropping overwritten records and removal records.
    ///
    /// Always a prefix of the log (every segment older than the active one), so a removal record is
    /// dropped only together with every older record of its key: dropping it while an older put
    /// survives in an uncompacted segment brings the key back at restart (basho/bitcask#82). Outputs
    /// take the inputs' IDs from the oldest up and are installed oldest first, so a crash at any
    /// point leaves a log whose replay gives the same key directory. Returns nil when there is nothing
    /// to compact or another compaction runs. Holds the engine's lock only to check which records
    /// are live (in batches) and to install the result.
    public func compact() throws(StorageError) -> CompactionReport? {
        guard compacting.withLock({ running in
            guard !running else { return false }
            running = true
            return true
        }) else { return nil }
        var installFailed = false
        // After a failed install the files on disk are ahead of the key directory: no more compaction
        // until a restart replays them.
        defer { if !installFailed { compacting.withLock { $0 = false } } }
        let inputs: [LogSegment] = try state.withLock { state throws(StorageError) in
            guard !state.closed else { throw .closed }
            return state.segments.values.filter { $0.id < state.activeID }.sorted { $0.id < $1.id }
        }
        guard !inputs.isEmpty else { return nil }
        var report = CompactionReport()
        var outputs: [Output] = []
        var current = Output(id: inputs[0].id)
        for input in inputs {
            let mapping = try input.mapped()
            defer { withExtendedLifetime(mapping) {} }  // `bytes` points into it
            let bytes = mapping.bytes
            report.segmentsRead += 1
            report.bytesRead += bytes.count
            let records = try Self.records(in: bytes, of: input)
            for batchStart in stride(from: 0, to: records.count, by: Self.scanBatchMax) {
                let batch = records[batchStart..<min(records.count, batchStart + Self.scanBatchMax)]
                let live = state.withLock { state in
                    batch.map { state.keydir[HashedKey($0.key)] == Location(segment: input.id, offset: $0.offset, size: $0.size) }
                }
                for (record, isLive) in zip(batch, live) {
                    guard isLive, record.kind != .remove else { report.recordsDropped += 1; continue }
                    guard LogRecord.checksumMatches(bytes, at: record.offset) else {
                        throw .corrupt("live record at \(input.path):\(record.offset) fails its checksum; compaction stopped")
                    }
                    if !current.bytes.isEmpty && current.bytes.count + record.size > configuration.segmentBytesMax
                        && outputs.count + 1 < inputs.count {
                        report.bytesWritten += try writeTemporary(current)
                        outputs.append(current)
                        current = Output(id: inputs[outputs.count].id)
                    }
                    current.entries.append(LogIndex.Entry(kind: record.kind, key: record.key, offset: current.bytes.count,
                                                          size: record.size))
                    current.sources.append(Location(segment: input.id, offset: record.offset, size: record.size))
                    current.bytes += bytes[record.offset..<(record.offset + record.size)]
                    report.recordsKept += 1
                }
            }
        }
        if !current.bytes.isEmpty {
            report.bytesWritten += try writeTemporary(current)
            outputs.append(current)
        }
        report.segmentsWritten = outputs.count
        do {
            try install(outputs, replacing: inputs, report: report)
        } catch {
            installFailed = true
            LogRecovery.report("compaction failed while installing its output (\(error)); compaction is off until a restart")
            throw error
        }
        return report
    }

    private struct ScannedRecord {
        let kind: LogRecord.Kind
        let key: [UInt8]
        let offset: Int
        let size: Int
    }

    /// The records of a closed segment, by their frames only: most are dead, so only the live ones
    /// copied are checked against their checksums. Recovery cut any torn tail, so the frames must
    /// reach the end; when they do not, compaction stops rather than drop what lies beyond.
    private static func records(in bytes: UnsafeRawBufferPointer, of segment: LogSegment) throws(StorageError) -> [ScannedRecord] {
        var records: [ScannedRecord] = []
        var offset = 0
        while true {
            switch LogRecord.parse(bytes, at: offset, verifyingChecksum: false) {
            case .record(let frame):
                records.append(ScannedRecord(kind: frame.kind, key: frame.key(in: bytes), offset: offset, size: frame.size))
                offset += frame.size
            case .end:
                return records
            case .torn(let damage):
                throw .corrupt("\(segment.path) at \(offset): \(damage); compaction stopped")
            }
        }
    }

    private func temporaryPaths(_ id: UInt32) -> (log: String, index: String) {
        let directory = configuration.directory + "/"
        return (directory + LogSegment.fileName(id) + Self.temporarySuffix, directory + LogIndex.fileName(id) + Self.temporarySuffix)
    }

    /// Writes an output's segment and index to temporary files (fsynced); returns the bytes written.
    private func writeTemporary(_ output: Output) throws(StorageError) -> Int {
        let paths = temporaryPaths(output.id)
        let index = LogIndex.encode(output.entries, segmentSize: output.bytes.count)
        try DurableFile.write(output.bytes, to: paths.log)
        try DurableFile.write(index, to: paths.index)
        return output.bytes.count + index.count
    }

    /// Puts the outputs in place of the inputs, oldest first, and repoints the key directory at every
    /// copied record that is still its key's latest.
    private func install(_ outputs: [Output], replacing inputs: [LogSegment], report: CompactionReport) throws(StorageError) {
        let directory = configuration.directory + "/"
        let outcome: Result<Void, StorageError> = state.withLock { state in
            Result { () throws(StorageError) in
                guard !state.closed else { throw .closed }
                for (position, input) in inputs.enumerated() {
                    // The old index goes first: an index must never describe another segment's bytes.
                    try DurableFile.remove(directory + LogIndex.fileName(input.id))
                    if position < outputs.count {
                        let paths = temporaryPaths(input.id)
                        try DurableFile.rename(paths.log, to: input.path)
                        try DurableFile.rename(paths.index, to: directory + LogIndex.fileName(input.id))
                    } else {
                        try DurableFile.remove(input.path)
                    }
                }
                try DurableFile.syncDirectory(configuration.directory)
                // Until here the old segments' open descriptors still serve reads, so a failure above
                // leaves the engine working on the old files (and the disk replays to the same state).
                for input in inputs { state.segments[input.id] = nil }
                for output in outputs {
                    state.segments[output.id] = try LogSegment(directory: configuration.directory, id: output.id, create: false)
                    for (entry, source) in zip(output.entries, output.sources) where state.keydir[HashedKey(entry.key)] == source {
                        state.keydir[HashedKey(entry.key)] = Location(segment: output.id, offset: entry.offset, size: entry.size)
                    }
                }
                state.stats.diskBytes = state.segments.values.reduce(0) { $0 + $1.size }
                state.stats.compactions += 1
                state.stats.compactionBytesRead += report.bytesRead
                state.stats.compactionBytesWritten += report.bytesWritten
            }
        }
        try outcome.get()
    }
}
