import CCRC32C
import KVortexCore

/// The CRC-32C that log records, index files and hint records carry: by the processor's instruction
/// where it has one (`CCRC32C`), else KVortexCore's table-driven `CRC32C`; both give the same value,
/// so files written by either read back with the other.
///
/// The table-driven loop takes ~4.7 instructions a byte: 28 % of a log engine's restart with 1 M
/// keys, which checks every record of the segments it scans (docs/performance.md).
enum RecordChecksum {
    static let usesHardware = kvortex_crc32c_available() == 1

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard usesHardware, let base = bytes.baseAddress else { return CRC32C.checksum(bytes) }
        return kvortex_crc32c(0, base, bytes.count)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
