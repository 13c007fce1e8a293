"""Scalar ranges the kernel's verifier (6.18) computes, where pyebpf computed others.

Each program puts a value through one operation and then relies on its range: a byte
swap (of a constant, of a bounded value), ALU32 division and modulo, shifts by a register,
an LD_ABS/LD_IND result, an atomic fetch from a slot holding a spilled constant, a
helper's return value (bpf_get_smp_processor_id is bounded by the number of CPUs, most
are not), pointer arithmetic with an out-of-range scalar.  Loaded into the live kernel
and checked by pyebpf at log level 2: verdict and the whole log must be identical.
"""

from __future__ import annotations

import pytest

from pyebpf import asm
from pyebpf.errors import BPFError, VerifierError
from pyebpf.verifier import bpf_check, diff

SOCKET_FILTER, SCHED_CLS, XDP = 1, 3, 6

# r6 = the skb's len (a u32) and r7 = r6 & 0xff, as bounded inputs
LEN = """r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 0)
r7 &= 0xff
"""
# r2 = fp - 512 + OFFSET_REG, written: accepted only if the offset is known small
STORE_AT = """r2 = r10
r2 += -512
r2 += {reg}
*(u8 *)(r2 + 0) = 0
r0 = 0
exit
"""

# the same, written through r3 and followed by the exit a jump may skip to
USE = """r3 = r10
r3 += -512
r3 += {reg}
*(u8 *)(r3 + 0) = 0
r0 = 0
exit
"""

PROGRAMS = {
    # 0x1234 swapped is 0x3412: within the frame's 512 bytes? no: refused
    "bswap-const-be16": (SOCKET_FILTER, "r3 = 0x1234\nr3 = be16 r3\n" + STORE_AT.format(reg="r3")),
    "bswap-const-le16": (SOCKET_FILTER, "r3 = 0x12345678\nr3 = le16 r3\nr3 &= 0x1ff\n"
                         + STORE_AT.format(reg="r3")),
    "bswap-const-bswap64": (SOCKET_FILTER, "r3 = 1\nr3 = bswap64 r3\nr3 >>= 55\n"
                            + STORE_AT.format(reg="r3")),
    "bswap-bounded-be16": (SOCKET_FILTER, LEN + "r7 = be16 r7\nr7 >>= 8\n"
                           + STORE_AT.format(reg="r7")),
    "bswap-bounded-be32": (SOCKET_FILTER, LEN + "r7 = be32 r7\nr7 >>= 24\n"
                           + STORE_AT.format(reg="r7")),
    "bswap-bounded-le64-keeps-range": (SOCKET_FILTER, LEN + "r7 = le64 r7\n"
                                       + STORE_AT.format(reg="r7")),
    "bswap-bounded-le32-keeps-s32": (SOCKET_FILTER, LEN + "r7 += -3\nr7 = le32 r7\n"
                                     "if w7 s< 0 goto +4\n" + STORE_AT.format(reg="r7")),
    # ALU32 division/modulo: the kernel forgets even the upper half is zero
    "alu32-div-unknown": (SOCKET_FILTER, LEN + "w7 /= 3\n" + STORE_AT.format(reg="r7")),
    "alu32-mod-unknown": (SOCKET_FILTER, LEN + "w7 %= 3\n" + STORE_AT.format(reg="r7")),
    "alu64-div-unknown": (SOCKET_FILTER, LEN + "r7 /= 3\n" + STORE_AT.format(reg="r7")),
    "alu32-lsh-by-reg": (SOCKET_FILTER, LEN + "r8 = 1\nw7 <<= w8\n"
                         + STORE_AT.format(reg="r7")),
    "alu32-rsh-by-bounded-reg": (SOCKET_FILTER, LEN + "r8 = r6\nr8 &= 3\nw7 >>= w8\n"
                                 + STORE_AT.format(reg="r7")),
    "alu64-arsh-by-reg": (SOCKET_FILTER, LEN + "r8 = 2\nr7 s>>= r8\n"
                          + STORE_AT.format(reg="r7")),
    # LD_ABS/LD_IND: R0 is unknown, not bounded by the load's size
    "ld-abs-byte-unknown": (SOCKET_FILTER, "r6 = r1\nr0 = *(u8 *)skb[12]\n"
                            + STORE_AT.format(reg="r0")),
    "ld-ind-half-unknown": (SCHED_CLS, "r6 = r1\nr7 = 2\nr0 = *(u16 *)skb[r7 + 10]\n"
                            + STORE_AT.format(reg="r0")),
    "ld-abs-masked": (SOCKET_FILTER, "r6 = r1\nr0 = *(u32 *)skb[8]\nr0 &= 0xff\n"
                      + STORE_AT.format(reg="r0")),
    # ported from the kernel selftest verifier/atomic_bounds.c: the fetched value is the
    # spilled constant, so the infinite loop is dead
    "atomic-fetch-spilled-const": (SOCKET_FILTER, """r0 = 0
*(u64 *)(r10 - 8) = r0
r1 = 1
r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)
if r1 != 0 goto -1
r0 = *(u64 *)(r10 - 8)
r0 = 0
exit
"""),
    "atomic-fetch-spilled-const-as-offset": (SOCKET_FILTER, """r3 = 100
*(u64 *)(r10 - 8) = r3
r4 = 1
r4 = atomic_fetch_or((u64 *)(r10 - 8), r4)
""" + STORE_AT.format(reg="r4")),
    "atomic-xchg-spilled-const": (SOCKET_FILTER, """r3 = 7
*(u64 *)(r10 - 16) = r3
r4 = 1
r4 = atomic_xchg((u64 *)(r10 - 16), r4)
""" + STORE_AT.format(reg="r4")),
    "atomic32-fetch-spilled-const": (SOCKET_FILTER, """r3 = 5
*(u64 *)(r10 - 16) = r3
w4 = 1
w4 = atomic_fetch_add((u32 *)(r10 - 16), w4)
""" + STORE_AT.format(reg="r4")),
    "atomic-cmpxchg-spilled-const": (SOCKET_FILTER, """r0 = 9
*(u64 *)(r10 - 24) = r0
r5 = 3
r0 = cmpxchg_64(r10 - 24, r0, r5)
r3 = *(u64 *)(r10 - 24)
""" + STORE_AT.format(reg="r0")),
    # helper return ranges (do_refine_retval_range)
    "smp-processor-id-bounded": (XDP, "call 8\n" + STORE_AT.format(reg="r0")),
    "numa-node-id-unknown": (XDP, "call 42\n" + STORE_AT.format(reg="r0")),
    "prandom-unknown": (XDP, "call 7\n" + STORE_AT.format(reg="r0")),
    # linked scalars K apart (rX = rY; rX += K): a bound learnt on rY moves rX too
    "linked-delta-64": (SOCKET_FILTER, LEN + "r2 = r6\nr2 += 5\nif r6 > 10 goto +4\n"
                        + USE.format(reg="r2")),
    "linked-delta-sub": (SOCKET_FILTER, LEN + "r2 = r6\nr2 -= 5\nif r6 > 10 goto +4\n"
                         + USE.format(reg="r2")),
    "linked-delta-32": (SOCKET_FILTER, LEN + "r2 = r6\nw2 += -5\nif r6 > 10 goto +4\n"
                        + USE.format(reg="r2")),
    "linked-delta-twice-unlinked": (SOCKET_FILTER, LEN + "r2 = r6\nr2 += 5\nr2 += 1\n"
                                    "if r6 > 10 goto +4\n" + USE.format(reg="r2")),
    "linked-delta-copied": (SOCKET_FILTER, LEN + "r2 = r6\nr2 += 5\nr4 = r2\n"
                            "if r6 > 10 goto +4\n" + USE.format(reg="r4")),
    "linked-delta-spilled": (SOCKET_FILTER, LEN + "r2 = r6\nr2 += 5\n"
                             "*(u64 *)(r10 - 8) = r2\nif r2 > 10 goto +5\n"
                             "r4 = *(u64 *)(r10 - 8)\n" + USE.format(reg="r4")),
    # check_reg_sane_offset on the scalar operand
    "fp-plus-large-bounded-value": (SOCKET_FILTER, "r2 = *(u32 *)(r1 + 0)\n"
                                    "r2 |= 0x40000000\nr1 = r10\nr1 += r2\nr0 = 0\nexit\n"),
    "pkt-plus-large-bounded-value": (SCHED_CLS, "r2 = *(u32 *)(r1 + 0)\nr2 |= 0x40000000\n"
                                     "r1 = *(u32 *)(r1 + 76)\nr1 += r2\nr0 = 0\nexit\n"),
    "fp-minus-large-bounded-value": (SOCKET_FILTER, "r2 = *(u32 *)(r1 + 0)\n"
                                     "r2 |= 0x40000000\nr1 = r10\nr1 += -8\nr1 -= r2\n"
                                     "r0 = 0\nexit\n"),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_range_matches_kernel(kernel, name: str) -> None:
    pt, src = PROGRAMS[name]
    insns = asm.assemble(src, "llvm")
    try:
        kp = kernel.KernelProgram(insns, pt, log_level=2, log_size=1 << 22)
        k_ok, k_log = True, kp.log
        kp.close()
    except BPFError as exc:
        k_ok, k_log = False, getattr(exc, "log", "")
    try:
        o_ok, o_log = True, bpf_check(insns, pt, log_level=2).log
    except VerifierError as exc:
        o_ok, o_log = False, exc.log
    assert o_ok == k_ok, (diff.error_line(k_log), diff.error_line(o_log))
    assert o_log.splitlines() == k_log.splitlines()


def test_programs_exercise_both_verdicts(kernel) -> None:
    """The premise: some of these programs are refused, some accepted, by the kernel."""
    verdicts = set()
    for pt, src in PROGRAMS.values():
        try:
            kernel.KernelProgram(asm.assemble(src, "llvm"), pt).close()
            verdicts.add(True)
        except BPFError:
            verdicts.add(False)
    assert verdicts == {True, False}
