"""bpf_loop callbacks explored as the kernel explores them.

The kernel verifies a callback as called any number of times: each return goes back to
the helper call, which pushes another iteration until a state repeats.  With a constant
iteration count (R1 made precise) it stops after that many iterations ("bpf_loop
iteration limit reached"); scalars neither state relies on are widened to unknown at
each return (widen_imprecise_scalars), so a counter kept in the callback's ctx
converges; and states of different iterations never count as an infinite loop
(callback_unroll_depth).  Each program is loaded into the live kernel and checked by
pyebpf: verdict and whole level-2 log must match.
"""

from __future__ import annotations

import pytest

from pyebpf import asm
from pyebpf.btf import BTF
from pyebpf.errors import VerifierError
from pyebpf.isa import BPF_PSEUDO_FUNC, Instruction
from pyebpf.verifier import FuncInfo, bpf_check, diff, funcinfo, subprog_starts

XDP = 6

# bpf_loop(N, callback, fp-8, 0) with fp-8 = 0; the callback follows the first exit
LOOP = """r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = {n}
r2 = 0 ll
r3 = r10
r3 += -8
r4 = 0
call 181
{after}
exit
{callback}
exit
"""
COUNT = """r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0"""
# the count, after the loop, indexes the stack: right for n <= 1 only
INDEX = """r1 = *(u64 *)(r10 - 8)
r1 &= 3
r1 <<= 3
r2 = r10
r2 += -16
r2 += r1
r0 = *(u64 *)(r2 + 0)"""

ZERO16 = """r1 = 0
*(u64 *)(r10 - 16) = r1
"""

PROGRAMS = {
    "accepted/callback-leaves-ctx-alone": LOOP.format(n=64, after="r0 = 0",
                                                      callback="r0 = 0"),
    "accepted/counter-in-ctx-widened": LOOP.format(n=64, after="r0 = 0", callback=COUNT),
    "accepted/counter-three-iterations": LOOP.format(n=3, after="r0 = 0", callback=COUNT),
    # one iteration at most: the count is 0 or 1, fp-16 + 8 * count stays in the frame
    "accepted/iteration-limit-keeps-index-in-frame": ZERO16 + LOOP.format(
        n=1, after=INDEX, callback=COUNT),
    # two iterations: the count may be 2, fp-16 + 16 is past the frame
    "refused/two-iterations-index-past-frame": ZERO16 + LOOP.format(
        n=2, after=INDEX, callback=COUNT),
    # a branch inside the callback: iterations are not an infinite loop
    "accepted/callback-with-branch": LOOP.format(n=16, after="r0 = 0", callback="""r0 = 0
if r1 > 7 goto +1
r0 = 1"""),
    "refused/callback-loops-forever": LOOP.format(n=16, after="r0 = 0", callback="""r0 = 0
goto -1"""),
}


def _program(src: str) -> tuple[list[Instruction], bytes, list[tuple[int, int]]]:
    insns = asm.assemble(src, "llvm")
    first_exit = next(i.pc for i in insns if i.code == 0x95)
    # the LD_IMM64 becomes the callback's address (BPF_PSEUDO_FUNC, relative)
    insns = [Instruction(i.code, i.dst, BPF_PSEUDO_FUNC, i.off, first_exit - i.pc, i.pc)
             if i.slots == 2 else i for i in insns]
    btf, records = funcinfo.synthetic(subprog_starts(insns))
    return insns, btf, records


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_callback_exploration_matches_kernel(kernel, name: str) -> None:
    insns, btf, records = _program(PROGRAMS[name])
    try:
        kp = kernel.KernelProgram(insns, XDP, btf=btf, func_info=records, log_level=2,
                                  log_size=1 << 22)
        k_ok, k_log = True, kp.log
        kp.close()
    except VerifierError as exc:
        k_ok, k_log = False, exc.log
    assert k_ok == name.startswith("accepted/"), "the test's premise: the kernel's verdict"
    fi = FuncInfo.from_records(records, BTF(btf))
    try:
        our, o_ok = bpf_check(insns, XDP, func_info=fi, log_level=2).log, True
    except VerifierError as exc:
        our, o_ok = exc.log, False
    assert o_ok == k_ok
    assert diff.error_line(our) == diff.error_line(k_log)
    assert diff.normalized(our).splitlines() == diff.normalized(k_log).splitlines()
