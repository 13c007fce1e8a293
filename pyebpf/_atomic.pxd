# The eBPF atomics on program memory (_atomic.h), for the interpreter and the JIT.

from libc.stdint cimport uint8_t, uint32_t, uint64_t

cdef extern from "_atomic.h" nogil:
    uint32_t atomic_fetch_add32(uint8_t *p, uint32_t v)
    uint32_t atomic_fetch_or32(uint8_t *p, uint32_t v)
    uint32_t atomic_fetch_and32(uint8_t *p, uint32_t v)
    uint32_t atomic_fetch_xor32(uint8_t *p, uint32_t v)
    uint64_t atomic_fetch_add64(uint8_t *p, uint64_t v)
    uint64_t atomic_fetch_or64(uint8_t *p, uint64_t v)
    uint64_t atomic_fetch_and64(uint8_t *p, uint64_t v)
    uint64_t atomic_fetch_xor64(uint8_t *p, uint64_t v)
    uint32_t atomic_xchg32(uint8_t *p, uint32_t v)
    uint64_t atomic_xchg64(uint8_t *p, uint64_t v)
    uint32_t atomic_cmpxchg32(uint8_t *p, uint32_t expected, uint32_t v)
    uint64_t atomic_cmpxchg64(uint8_t *p, uint64_t expected, uint64_t v)
