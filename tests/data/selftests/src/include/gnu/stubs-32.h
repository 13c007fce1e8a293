/* Empty on purpose: glibc's <limits.h> (included by a few verifier_*.c files) picks the
 * 32-bit stubs header for the BPF target, which no x86-64 system ships; none of its
 * declarations is used by a BPF program. */
