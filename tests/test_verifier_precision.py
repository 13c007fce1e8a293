"""Precision tracking against Linux 6.18: backtracking, precise marks, pruning that ignores
imprecise scalars, and loops (SCC visits).

Each hand-written program is checked by pyebpf and loaded into the live kernel at
log_level 2: the logs (``mark_precise:`` backtracking lines, ``P`` marks, ``SCC enter`` /
``SCC exit``, the ``N: insn`` / ``N: state`` split) must be identical line for line, and
so must the processed-instruction counts.  The ``refused/`` programs would be accepted,
wrongly, by a verifier that pruned on imprecise scalars without backtracking: a value
explored first is safe, a checkpoint records it as imprecise, and only the backtracking
from its later use as a pointer offset (through a spill and fill, a subprogram argument,
a loop) makes the checkpoint precise, so the unsafe value is explored and refused.
"""

from __future__ import annotations

import re

import pytest

from pyebpf import asm, isa
from pyebpf.errors import VerifierError
from pyebpf.isa import Instruction
from pyebpf.verifier import MapInfo, bpf_check, diff
from pyebpf.verifier.gen import GenProgram

SOCKET, XDP = 1, 6
HASH = MapInfo(1, 4, 8, 16)  # BPF_MAP_TYPE_HASH: 4-byte key, 8-byte value


def program(text: str) -> list[Instruction]:
    """LLVM-syntax assembly; ``r1 = map ll`` loads map 0, ``call sub:N`` calls the
    subprogram N instructions after the call (bpf-to-bpf)."""
    text = text.replace("= map ll", "= 0 ll")
    text = re.sub(r"call sub:(-?\d+)", r"call -1000\1", text)
    out = []
    for i in asm.assemble(text, "llvm"):
        if i.slots == 2 and i.imm == 0 and i.code == 0x18:
            i = Instruction(i.code, i.dst, isa.BPF_PSEUDO_MAP_FD, 0, 0, i.pc)
        elif i.code == 0x85 and str(i.imm).startswith("-1000"):
            i = Instruction(0x85, 0, isa.BPF_PSEUDO_CALL, 0, int(str(i.imm)[5:]), i.pc)
        out.append(i)
    return out


# a lookup in map 0 (HASH) with the key *(u32 *)(fp-4) = 0; r0 = value or NULL
LOOKUP = """
  *(u32 *)(r10 - 4) = 0
  r2 = r10
  r2 += -4
  r1 = map ll
  call 1
"""

PROGRAMS = {
    # a bounded loop: the counter decides the branch each time (precise), the checkpoint
    # inside the loop opens an SCC visit, the walk ends with SCC exit
    "accepted/loop-counter": (SOCKET, """
      r9 = 0
    loop:
      r9 += 1
      if r9 < 6 goto loop
      r0 = 0
      exit
    """),
    # an offset chosen by a branch, spilled to the stack and filled back before it is
    # added to a map value pointer: backtracking follows fill, spill and both branches
    "accepted/offset-through-spill-fill": (SOCKET, """
      call 7
      r6 = r0
      r7 = 0
      if r6 > 100 goto +1
      r7 = 4
      *(u64 *)(r10 - 16) = r7
    """ + LOOKUP + """
      if r0 == 0 goto out
      r7 = *(u64 *)(r10 - 16)
      r0 += r7
      r0 = *(u32 *)(r0 + 0)
    out:
      r0 = 0
      exit
    """),
    # a branch decided in a subprogram by its argument: the mark crosses the call into
    # the caller's frame, up to the constant the caller passed
    "accepted/decided-in-subprogram": (SOCKET, """
      call 7
      r1 = 0
      if r0 > 100 goto +1
      r1 = 8
      call sub:2
      r0 = 0
      exit
      if r1 > 4 goto +2
      r0 = 1
      exit
      r0 = 2
      exit
    """),
    # the size argument of a helper (skb_load_bytes' len) must stay exact
    "accepted/helper-size-precise": (SOCKET, """
      r6 = r1
      call 7
      r4 = 4
      if r0 > 100 goto +1
      r4 = 8
      r1 = r6
      r2 = 0
      r3 = r10
      r3 += -8
      call 26
      r0 = 0
      exit
    """),
    # unsafe only on the path explored second: r7 = 64 reaches the join, where the
    # checkpoint left by r7 = 0 holds it; only precision (marked when r7 became the
    # value pointer's offset) keeps the two states apart
    "refused/imprecise-join-then-offset": (SOCKET, """
      call 7
      r6 = r0
      r8 = 1
      r9 = 2
      r7 = 64
      if r6 > 100 goto join
      r7 = 0
    join:
      r1 = r7
      r8 += 1
      r9 += 1
    """ + LOOKUP + """
      if r0 == 0 goto out
      r0 += r7
      r0 = *(u64 *)(r0 + 0)
    out:
      r0 = 0
      exit
    """),
    # the same, the offset kept in a stack slot across the join
    "refused/imprecise-spill-then-offset": (SOCKET, """
      call 7
      r6 = r0
      r7 = 64
      if r6 > 100 goto join
      r7 = 0
    join:
      *(u64 *)(r10 - 16) = r7
      r8 = 1
      r8 += 1
      r9 = 2
      r9 += 1
    """ + LOOKUP + """
      if r0 == 0 goto out
      r7 = *(u64 *)(r10 - 16)
      r0 += r7
      r0 = *(u64 *)(r0 + 0)
    out:
      r0 = 0
      exit
    """),
    # the offset is a subprogram's argument: the callee's use marks the caller's value
    "refused/imprecise-argument-then-offset": (SOCKET, """
      call 7
      r6 = r0
      r7 = 64
      if r6 > 100 goto join
      r7 = 0
    join:
      r8 = 1
      r8 += 1
      r9 = 2
      r9 += 1
      r1 = r7
      call sub:2
      r0 = 0
      exit
      r6 = r1
    """ + LOOKUP + """
      if r0 == 0 goto out
      r0 += r6
      r0 = *(u64 *)(r0 + 0)
    out:
      r0 = 0
      exit
    """),
}


def _gp(name: str) -> GenProgram:
    prog_type, text = PROGRAMS[name]
    return GenProgram(0, prog_type, program(text), None, {0: HASH})


def _processed(log: str) -> int:
    m = re.search(r"processed (\d+) insns", log)
    assert m, log[-300:]
    return int(m.group(1))


# what these tests do not judge: the stack liveness listing (``(0) frame 0 insn 13 +live
# -16``) and, for programs with subprograms, everything but the precision lines (the
# ``caller:``/``callee:`` dumps of calls are another part of the log)
_LIVENESS = re.compile(r"^\(\d+\) |^\(\d+\) live stack update")
_PRECISION = re.compile(r"^(mark_precise: |force_precise: |frame \d+: propagating |SCC )")


def _lines(log: str, only_precision: bool) -> list[str]:
    out = [ln for ln in diff.normalized(log).splitlines() if not _LIVENESS.match(ln)]
    return [ln for ln in out if _PRECISION.match(ln)] if only_precision else out


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_level2_log_matches_kernel(kernel: None, name: str) -> None:
    gp = _gp(name)
    k_ok, k_log = diff.run_kernel(gp, 2)
    assert k_ok == name.startswith("accepted/"), k_log[-600:]
    ours = diff.our_log(gp, 2)
    subprogs = any(i.code == 0x85 and i.src == isa.BPF_PSEUDO_CALL for i in gp.insns)
    k_lines = _lines(k_log, subprogs)
    o_lines = _lines(ours, subprogs)
    for i, (a, b) in enumerate(zip(k_lines, o_lines, strict=False)):
        assert a == b, f"line {i + 1} differs:\nkernel: {a}\nours:   {b}"
    assert len(k_lines) == len(o_lines)
    assert "mark_precise: frame" in ours


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_processed_count_and_verdict_match_kernel(kernel: None, name: str) -> None:
    gp = _gp(name)
    k_ok, k_log = diff.run_kernel(gp, 1)
    try:
        log = bpf_check(gp.insns, gp.prog_type, maps=gp.maps, log_level=1).log
        ok, reason = True, ""
    except VerifierError as exc:
        log, ok, reason = exc.log, False, exc.reason
    assert ok == k_ok
    if ok:
        assert _processed(log) == _processed(k_log)
    else:
        assert reason == diff.error_line(k_log)


@pytest.mark.parametrize("name", [n for n in sorted(PROGRAMS) if n.startswith("refused/")])
def test_unsafe_value_behind_imprecise_checkpoint_refused(name: str) -> None:
    """Without the kernel: the out-of-bounds offset is found, not pruned away."""
    gp = _gp(name)
    with pytest.raises(VerifierError, match="invalid access to map value"):
        bpf_check(gp.insns, gp.prog_type, maps=gp.maps)


def test_precise_marks_in_checkpoints_at_level1() -> None:
    """The loop's checkpoint prints its counter as precise (``P``) when the verifier
    reports it (the infinite-loop refusal prints the old state)."""
    gp = GenProgram(0, SOCKET, program("""
      r9 = 0
    loop:
      r9 += 1
      if r9 < 6 goto loop
      r0 = 0
      exit
    """), None, {})
    log = bpf_check(gp.insns, gp.prog_type, maps=gp.maps, log_level=2).log
    assert re.search(r"parent state regs=r9 stack=: .* R9=P\d", log)
    assert "SCC enter (1)" in log and "SCC exit (1)" in log


def test_unprivileged_scalars_all_precise() -> None:
    """Without bpf_capable the kernel keeps every scalar precise: no backtracking lines,
    and every scalar prints with ``P``."""
    gp = _gp("accepted/loop-counter")
    gp.insns = program("""
      r0 = 3
      r0 += 1
      r0 = 0
      exit
    """)
    log = bpf_check(gp.insns, gp.prog_type, maps=gp.maps, log_level=2, privileged=False).log
    assert "R0=P4" in log and "mark_precise" not in log
