import Glibc
import KVortexCore

/// The first `count` bytes of a file mapped read-only: how compaction reads a closed segment, with
/// neither a copy into a segment-sized array nor the zeroed pages such an array costs. The file must
/// not shrink while mapped (closed segments never do; compaction replaces them by rename).
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(fd: Int32, count: Int, path: String) throws(StorageError) {
        guard count > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .io(operation: "mmap \(path)", errno: errno)
        }
        madvise(base, count, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: count)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
