#include <string.h>
#include "CCRC32C.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int kvortex_crc32c_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t kvortex_crc32c(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t state = (uint32_t)~crc;
    for (; count >= 8; p += 8, count -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        state = _mm_crc32_u64(state, word);
    }
    uint32_t tail = (uint32_t)state;
    for (; count > 0; p++, count--) tail = _mm_crc32_u8(tail, *p);
    return ~tail;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int kvortex_crc32c_available(void) { return 1; }

uint32_t kvortex_crc32c(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint32_t state = ~crc;
    for (; count >= 8; p += 8, count -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        state = __crc32cd(state, word);
    }
    for (; count > 0; p++, count--) state = __crc32cb(state, *p);
    return ~state;
}

#else
int kvortex_crc32c_available(void) { return 0; }

uint32_t kvortex_crc32c(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes; (void)count;
    return crc;  // never called: kvortex_crc32c_available() is 0
}
#endif
