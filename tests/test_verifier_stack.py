"""Stack accesses the kernel checks with care: variable offsets and scalar spills.

A privileged loader may read and write the stack through a pointer whose offset is only
known as a range (clang emits this for arrays on the stack indexed by a bounded value);
the kernel then checks every byte the range may touch (``check_stack_read_var_off``,
``check_stack_write_var_off``).  Each program is loaded into the live kernel and checked
by pyebpf: verdict, first error line and the whole log must be the same, at log level 1
(level 2 waits for precision tracking: its mark_precise lines).
"""

from __future__ import annotations

import pytest

from pyebpf import asm
from pyebpf.verifier import MapInfo, diff
from pyebpf.verifier.gen import GenProgram

XDP, SOCKET = 6, 1
HASH = MapInfo(1, 8, 8, 16)  # BPF_MAP_TYPE_HASH, key 8 bytes, value 8 bytes

# r2 = an index in 0..8 step 8, read from the ctx (xdp_md.ingress_ifindex)
INDEX8 = """
r2 = *(u32 *)(r1 +12)
r2 &= 8
"""

PROGRAMS: dict[str, str | tuple[str, int]] = {
    "accepted/read-var-off-spilled-zeros": """
r6 = 0
*(u64 *)(r10 -8) = r6
*(u64 *)(r10 -16) = r6
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "accepted/read-var-off-zero-bytes-give-zero": """
r6 = 0
*(u32 *)(r10 -4) = r6
*(u32 *)(r10 -12) = r6
*(u32 *)(r10 -8) = r6
*(u32 *)(r10 -16) = r6
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "accepted/read-var-off-uninit-as-root": """
r6 = 0
*(u64 *)(r10 -8) = r6
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "accepted/read-var-off-over-spilled-pointer": """
*(u64 *)(r10 -16) = r1
*(u64 *)(r10 -8) = r1
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "accepted/read-var-off-byte": """
r6 = 0
*(u64 *)(r10 -8) = r6
r2 = *(u32 *)(r1 +12)
r2 &= 7
r3 = r10
r3 += -8
r3 += r2
r0 = *(u8 *)(r3 +0)
exit
""",
    "accepted/write-var-off-then-read": INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r6 = 7
*(u64 *)(r3 +0) = r6
r0 = *(u64 *)(r10 -8)
exit
""",
    "accepted/write-var-off-zero-keeps-zero": """
r6 = 0
*(u32 *)(r10 -4) = r6
*(u32 *)(r10 -8) = r6
*(u32 *)(r10 -12) = r6
*(u32 *)(r10 -16) = r6
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
*(u64 *)(r3 +0) = r6
r0 = *(u64 *)(r10 -8)
exit
""",
    "refused/write-var-off-destroys-spilled-pointer": """
*(u64 *)(r10 -16) = r1
*(u64 *)(r10 -8) = r1
""" + INDEX8 + """
r3 = r10
r3 += -16
r3 += r2
r6 = 7
*(u64 *)(r3 +0) = r6
r1 = *(u64 *)(r10 -8)
r0 = *(u32 *)(r1 +0)
exit
""",
    "refused/read-var-off-past-frame-top": """
r2 = *(u32 *)(r1 +12)
r2 &= 24
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "refused/write-var-off-below-stack": """
r2 = *(u32 *)(r1 +12)
r2 &= 1016
r3 = r10
r3 += -1024
r3 += r2
r6 = 1
*(u64 *)(r3 +0) = r6
r0 = 0
exit
""",
    "refused/read-var-off-misaligned": """
r2 = *(u32 *)(r1 +12)
r2 &= 4
r3 = r10
r3 += -16
r3 += r2
r0 = *(u64 *)(r3 +0)
exit
""",
    "refused/read-var-off-unbounded": """
r2 = *(u32 *)(r1 +12)
r2 <<= 32
r3 = r10
r3 += r2
r0 = *(u8 *)(r3 +0)
exit
""",
    "refused/read-var-off-negative-range": """
r2 = *(u32 *)(r1 +12)
r2 &= 8
r3 = r10
r3 -= r2
r0 = *(u64 *)(r3 -8)
exit
""",
    "accepted/var-off-key-for-map-lookup": """
r6 = 0
*(u64 *)(r10 -8) = r6
*(u64 *)(r10 -16) = r6
r2 = *(u32 *)(r1 +12)
r2 &= 8
r7 = r10
r7 += -16
r7 += r2
r1 = map[0] ll
r2 = r7
call 1
r0 = 0
exit
""",
    # bpf_skb_load_bytes(skb, 0, fp-16 + {0, 8}, 8): the helper fills 8 of the 16 bytes,
    # which ones is unknown: all 16 become unknown, the spill at fp-8 is gone
    "accepted/helper-writes-at-var-off": ("""
r6 = r1
r2 = 5
*(u64 *)(r10 -8) = r2
r4 = *(u32 *)(r6 +0)
r4 &= 8
r3 = r10
r3 += -16
r3 += r4
r1 = r6
r2 = 0
r4 = 8
call 26
r0 = *(u64 *)(r10 -8)
exit
""", SOCKET),
    "refused/helper-writes-past-frame-top": ("""
r6 = r1
r4 = *(u32 *)(r6 +0)
r4 &= 16
r3 = r10
r3 += -16
r3 += r4
r1 = r6
r2 = 0
r4 = 8
call 26
r0 = 0
exit
""", SOCKET),
    "accepted/spill-unknown-scalar-keeps-it": """
r2 = *(u32 *)(r1 +12)
r2 <<= 32
*(u64 *)(r10 -8) = r2
r3 = *(u64 *)(r10 -8)
if r3 != r2 goto +1
r0 = 1
r0 = 0
exit
""",
}

_MAP_REF = "r1 = map[0] ll"


def _insns(src: str) -> list:
    uses_map = _MAP_REF in src
    text = src.replace(_MAP_REF, "r1 = 0 ll") if uses_map else src
    insns = asm.assemble(text, "llvm")
    if uses_map:  # the LD_IMM64 becomes a map reference (pyebpf's map index 0)
        insns = [i if i.slots != 2 else type(i)(i.code, i.dst, 1, i.off, 0, i.pc)
                 for i in insns]
    return insns


def _logs(program: str | tuple[str, int], level: int) -> tuple[bool, str, bool, str]:
    src, prog_type = program if isinstance(program, tuple) else (program, XDP)
    insns = _insns(src)
    gp = GenProgram(0, prog_type, insns, None,
                    {0: HASH} if any(i.slots == 2 for i in insns) else {})
    k_ok, k_log = diff.run_kernel(gp, level)
    try:
        from pyebpf.verifier import bpf_check
        our = bpf_check(gp.insns, prog_type, maps=gp.maps, log_level=level).log
        o_ok = True
    except Exception as exc:  # VerifierError: its log
        our, o_ok = getattr(exc, "log", str(exc)), False
    return k_ok, diff.normalized(k_log), o_ok, diff.normalized(our)


@pytest.mark.parametrize("name", list(PROGRAMS))
@pytest.mark.parametrize("level", [1, 2])
def test_stack_access_matches_kernel(kernel: None, name: str, level: int) -> None:
    k_ok, k_log, o_ok, our = _logs(PROGRAMS[name], level)
    assert k_ok == name.startswith("accepted/"), "the test's premise: the kernel's verdict"
    assert o_ok == k_ok
    assert diff.error_line(our) == diff.error_line(k_log)
    assert our.splitlines() == k_log.splitlines()
