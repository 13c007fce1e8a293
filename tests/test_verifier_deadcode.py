"""Dead code is checked only where the verifier walks, as in the kernel.

The kernel's up-front passes (resolve_pseudo_ldimm64, check_subprogs, check_cfg) refuse
unknown opcodes, bad jumps, unreachable instructions and bad LD_IMM64 everywhere; a write
to r10, a helper the program type may not call, a GPL-only helper under another license
and nonzero reserved fields are refused by do_check, on the instructions it reaches
only.  A branch on a known constant makes the other side dead: each program is loaded
into the live kernel and through pyebpf's ``bpf()`` (runtime, verifier, interpreter):
verdict, first error line and, for the accepted ones, test_run's retval must agree.
"""

from __future__ import annotations

import pytest

from pyebpf import asm
from pyebpf.errors import BPFError
from pyebpf.objects import Program
from pyebpf.verifier import diff

SOCKET_FILTER, XDP = 1, 6

# "r0 = 3; if r0 == 3 goto out" makes DEAD unreachable for the verifier (not for check_cfg)
TEMPLATE = """r0 = 3
if r0 == 3 goto +{n}
{dead}
exit
"""

CASES = {
    # (program type, license, the dead instructions, live: whether they are reached)
    "r10-write": (XDP, "GPL", "r10 = 0", False),
    "r10-add": (XDP, "GPL", "r10 += 8", False),
    "helper-of-another-type": (SOCKET_FILTER, "GPL", "call 189", False),  # xdp_load_bytes
    "unknown-helper-id": (XDP, "GPL", "call 999", False),
    "gpl-helper-without-gpl": (XDP, "Proprietary", "call 6", False),  # trace_printk
    "r10-write-reached": (XDP, "GPL", "r10 = 0", True),
    "helper-of-another-type-reached": (SOCKET_FILTER, "GPL", "call 189", True),
    "unknown-helper-reached": (XDP, "GPL", "call 999", True),
    "gpl-helper-reached": (XDP, "Proprietary", "r1 = r10\nr1 += -8\nr2 = 8\ncall 6", True),
}
# reserved fields: assembled by hand (the assembler would not write them)
RAW = {
    "reserved-alu-field-dead": (XDP, [(0xB7, 0, 0, 0, 3), (0x15, 0, 0, 1, 3),
                                      (0xB7, 1, 2, 0, 0), (0x95, 0, 0, 0, 0)]),
    "reserved-alu-field-reached": (XDP, [(0xB7, 0, 0, 0, 3), (0x15, 0, 0, 1, 4),
                                         (0xB7, 1, 2, 0, 0), (0x95, 0, 0, 0, 0)]),
}


def _insns(name: str):
    from pyebpf.isa import Instruction

    if name in RAW:
        pt, rows = RAW[name]
        return pt, "GPL", [Instruction(*row, pc) for pc, row in enumerate(rows)]
    pt, lic, dead, live = CASES[name]
    n = dead.count("\n") + 1
    src = TEMPLATE.format(n=n if not live else 0, dead=dead)
    if live and "call 6" in dead:
        src = "r1 = 0\n*(u64 *)(r10 - 8) = r1\n" + src
    return pt, lic, asm.assemble(src, "llvm")


@pytest.mark.parametrize("name", [*CASES, *RAW])
def test_dead_code_matches_kernel(kernel, name: str) -> None:
    pt, lic, insns = _insns(name)
    data = bytes(64)
    try:
        kp = kernel.KernelProgram(insns, pt, license=lic, log_level=1)
        k_ok, k_line, k_ret = True, "", kp.test_run(data).retval
        kp.close()
    except BPFError as exc:
        k_ok, k_line, k_ret = False, diff.error_line(getattr(exc, "log", "")), None
    try:
        prog = Program(insns, pt, license=lic, log_level=1)
        o_ok, o_line, o_ret = True, "", prog.test_run(data=data).retval
        prog.close()
    except BPFError as exc:
        o_ok, o_line, o_ret = False, diff.error_line(getattr(exc, "log", "") or ""), None
    assert o_ok == k_ok, (k_line, o_line)
    assert o_line == k_line
    assert o_ret == k_ret
