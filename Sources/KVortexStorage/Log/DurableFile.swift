import Glibc
import KVortexCore

/// Whole-file operations with the fsyncs that make them survive a crash: write a file, rename it into
/// place, make a directory's entries durable.
enum DurableFile {
    /// Creates or replaces `path` with `bytes` and fsyncs it.
    static func write(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open \(path)", errno: errno) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io(operation: "write \(path)", errno: errno) }
            written += result
        }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync \(path)", errno: errno) }
    }

    /// The bytes of `path`, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    static func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename \(from) to \(to)", errno: errno) }
    }

    /// Removes `path`; a file that is already gone is not an error.
    static func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink \(path)", errno: errno) }
    }

    /// Makes renames and removals in `directory` durable.
    static func syncDirectory(_ directory: String) throws(StorageError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open \(directory)", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync \(directory)", errno: errno) }
    }

    /// Names in `directory` ending in `suffix`.
    static func names(in directory: String, endingWith suffix: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(suffix) { names.append(name) }
        }
        return names.sorted()
    }
}
