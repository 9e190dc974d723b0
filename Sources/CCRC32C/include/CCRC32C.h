// CRC-32C by the processor's own instruction (SSE 4.2 on x86-64, the CRC extension on arm64), for the
// log engine's records: the table-driven Swift version (KVortexCore's CRC32C, same results) was 28 % of
// a restart with 1 M keys. Callers check kvortex_crc32c_available() once and fall back to it.
#ifndef KVORTEX_CCRC32C_H
#define KVORTEX_CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this processor has a CRC-32C instruction, else 0.
int kvortex_crc32c_available(void);

/// The CRC-32C of `count` bytes at `bytes`, continuing from `crc` (0 to start), inverted before and
/// after as in KVortexCore's CRC32C.checksum. Only call when kvortex_crc32c_available() returned 1.
uint32_t kvortex_crc32c(uint32_t crc, const void *bytes, size_t count);
#endif
