/* eBPF atomics on program memory, shared by the interpreter (_core.pyx) and the JIT's
   slow paths (_jit.pyx) so both engines do exactly the same thing. */
#ifndef PYEBPF_ATOMIC_H
#define PYEBPF_ATOMIC_H
#include <stdint.h>
#include <string.h>

/* Aligned atomics are real atomics; a misaligned one (the verifier refuses
   those, an unverified program may try) is a plain read-modify-write, so a
   split-lock trap can never kill the process. */
#define PYEBPF_RMW(bits, name, op)                                            \
static inline uint##bits##_t atomic_fetch_##name##bits(uint8_t *p, uint##bits##_t v) { \
    uint##bits##_t old, nv;                                                 \
    if (((uintptr_t)p & (sizeof(old) - 1)) == 0)                            \
        return __atomic_fetch_##name((uint##bits##_t *)p, v, __ATOMIC_SEQ_CST); \
    memcpy(&old, p, sizeof old); nv = old op v; memcpy(p, &nv, sizeof nv);  \
    return old;                                                             \
}
PYEBPF_RMW(32, add, +) PYEBPF_RMW(32, or, |) PYEBPF_RMW(32, and, &) PYEBPF_RMW(32, xor, ^)
PYEBPF_RMW(64, add, +) PYEBPF_RMW(64, or, |) PYEBPF_RMW(64, and, &) PYEBPF_RMW(64, xor, ^)

#define PYEBPF_XCHG(bits)                                                     \
static inline uint##bits##_t atomic_xchg##bits(uint8_t *p, uint##bits##_t v) { \
    uint##bits##_t old;                                                     \
    if (((uintptr_t)p & (sizeof(old) - 1)) == 0)                            \
        return __atomic_exchange_n((uint##bits##_t *)p, v, __ATOMIC_SEQ_CST); \
    memcpy(&old, p, sizeof old); memcpy(p, &v, sizeof v);                   \
    return old;                                                             \
}                                                                           \
static inline uint##bits##_t atomic_cmpxchg##bits(uint8_t *p, uint##bits##_t expected, \
                                                   uint##bits##_t v) {      \
    uint##bits##_t old;                                                     \
    if (((uintptr_t)p & (sizeof(old) - 1)) == 0) {                          \
        __atomic_compare_exchange_n((uint##bits##_t *)p, &expected, v, 0,    \
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);    \
        return expected;                                                    \
    }                                                                       \
    memcpy(&old, p, sizeof old);                                            \
    if (old == expected) memcpy(p, &v, sizeof v);                           \
    return old;                                                             \
}
PYEBPF_XCHG(32) PYEBPF_XCHG(64)

#endif
