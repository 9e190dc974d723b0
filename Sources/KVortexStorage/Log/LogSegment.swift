import Glibc
import KVortexCore

/// One append-only segment file, `NNNNNN.log`: read with `pread`, appended with `write`.
final class LogSegment: @unchecked Sendable {
    let id: UInt32
    let path: String
    let fd: Int32
    private(set) var size: Int

    init(directory: String, id: UInt32, create: Bool) throws(StorageError) {
        self.id = id
        path = directory + "/" + Self.fileName(id)
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(operation: "open \(path)", errno: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { let code = errno; close(fd); throw .io(operation: "fstat \(path)", errno: code) }
        size = Int(status.st_size)
    }

    deinit {
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

    func append(_ bytes: [UInt8]) throws(StorageError) -> Int {
        let offset = size
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, off_t(offset + written)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "write \(path)", errno: errno) }
            written += result
        }
        size += bytes.count
        return offset
    }

    func read(offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "read \(path)", errno: result < 0 ? errno : EIO) }
            done += result
        }
        return bytes
    }

    func readAll() throws(StorageError) -> [UInt8] {
        size == 0 ? [] : try read(offset: 0, count: size)
    }

    func sync() throws(StorageError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync \(path)", errno: errno) }
    }

    /// Cuts the file at `length` (dropping a torn tail) and makes the cut durable.
    func truncate(to length: Int) throws(StorageError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw .io(operation: "ftruncate \(path)", errno: errno) }
        size = length
        try sync()
    }
}
