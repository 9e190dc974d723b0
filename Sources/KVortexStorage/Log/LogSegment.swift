import Glibc
import KVortexCore

/// One append-only segment file, `NNNNNN.log`: read with `pread`, appended with `pwrite`, directly
/// or through a buffer written once per group commit. Used under the engine's lock, but for `sync`.
final class LogSegment: @unchecked Sendable {
    let id: UInt32
    let path: String
    let fd: Int32
    /// Bytes appended, buffered ones included.
    private(set) var size: Int
    /// Bytes in the file; `size - writtenSize` are buffered in `pending`.
    private var writtenSize: Int
    private let pending = AppendBuffer()
    /// A buffer this large is written at once, whatever the caller asked.
    static let pendingBytesMax = 4 << 20

    init(directory: String, id: UInt32, create: Bool) throws(StorageError) {
        self.id = id
        path = directory + "/" + Self.fileName(id)
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(operation: "open \(path)", errno: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { let code = errno; close(fd); throw .io(operation: "fstat \(path)", errno: code) }
        size = Int(status.st_size)
        writtenSize = size
    }

    deinit {
        try? flush()
        close(fd)
    }

    static func fileName(_ id: UInt32) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".log"
    }

    /// Segment IDs present in `directory`, ascending.
    static func ids(in directory: String) -> [UInt32] {
        DurableFile.names(in: directory, endingWith: ".log").compactMap { UInt32($0.dropLast(4)) }.sorted()
    }

    /// Appends `byteCount` bytes that `fill` writes in place, returning their offset. `buffered`: they
    /// wait in memory for `flush` (one `pwrite` for a whole group commit); reads see them either way.
    /// A failed append leaves nothing of its bytes behind (bytes of a failed write past `size` in the
    /// file are overwritten by the next append).
    func append(byteCount: Int, buffered: Bool, _ fill: (UnsafeMutableRawPointer) -> Void) throws(StorageError) -> Int {
        if pending.count + byteCount > Self.pendingBytesMax { try flush() }
        let start = pending.count
        pending.append(byteCount: byteCount, fill)
        if !buffered {
            do { try flush() } catch { pending.removeLast(from: start); throw error }
        }
        let offset = size
        size += byteCount
        return offset
    }

    /// Writes the buffered appends to the file (not yet durable: `sync` does that). After a failure
    /// what was not written stays buffered.
    func flush() throws(StorageError) {
        var written = 0
        while written < pending.count {
            let result = pwrite(fd, pending.bytes.baseAddress! + written, pending.count - written, off_t(writtenSize + written))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "write \(path)", errno: errno) }
            written += result
        }
        writtenSize += pending.count
        pending.removeLast()
    }

    /// Writes what is buffered and frees the buffer: the segment takes no more appends (rotation).
    func finishAppending() throws(StorageError) {
        try flush()
        pending.release()
    }

    func read(offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let fromFile = max(0, min(count, writtenSize - offset))
        var done = 0
        while done < fromFile {
            let result = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, fromFile - done, off_t(offset + done)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "read \(path)", errno: result < 0 ? errno : EIO) }
            done += result
        }
        if fromFile < count {
            let start = offset + fromFile - writtenSize
            bytes.withUnsafeMutableBytes { destination in
                (destination.baseAddress! + fromFile).copyMemory(from: pending.bytes.baseAddress! + start, byteCount: count - fromFile)
            }
        }
        return bytes
    }

    /// The segment's bytes mapped read-only; for a closed segment (nothing buffered).
    func mapped() throws(StorageError) -> MappedFile {
        precondition(pending.isEmpty, "mapping \(path) with buffered appends")
        return try MappedFile(fd: fd, count: size, path: path)
    }

    func readAll() throws(StorageError) -> [UInt8] {
        size == 0 ? [] : try read(offset: 0, count: size)
    }

    func sync() throws(StorageError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync \(path)", errno: errno) }
    }

    /// Cuts the file at `length` (dropping a torn tail) and makes the cut durable.
    func truncate(to length: Int) throws(StorageError) {
        precondition(pending.isEmpty, "truncating \(path) with buffered appends")
        guard ftruncate(fd, off_t(length)) == 0 else { throw .io(operation: "ftruncate \(path)", errno: errno) }
        size = length
        writtenSize = length
        try sync()
    }
}
