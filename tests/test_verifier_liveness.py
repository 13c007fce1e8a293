"""Stack slot liveness (Linux 6.18's kernel/bpf/liveness.c) against the live kernel.

Each hand-written program is loaded into the kernel at log_level 2 and checked by pyebpf;
the liveness lines of the two logs (``(0) frame 0 insn 3 +live -8``, ``(3,6) live stack
update done in 2 iterations``: per call chain, in the order the kernel's fixed point
prints them) must be identical.  The pruning cases show the analysis at work: a cached
state whose differing stack slot (or caller register) no path reads any more is equal
to the current one, so the kernel stops there, and pyebpf must stop at the same place
(same processed instruction and state counts, same ``safe`` line).  Kernel-side tests
skip, printing why, only where bpf() is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _programs import prog

from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.isa import Instruction
from pyebpf.runtime import Runtime
from pyebpf.verifier import MapInfo, bpf_check, diff
from pyebpf.verifier.gen import GenProgram
from pyebpf.verifier.liveness import fmt_stack_mask

SOCKET = 1
# clang-compiled programs (tests/data/liveness/build.sh): a bpf_loop callback and a static
# function writing through pointers into their caller's frame (they need BTF func_info,
# which the ELF loaders give the kernel)
OBJECT = Path(__file__).resolve().parent / "data" / "liveness" / "liveness.o"
HASH = MapInfo(1, 4, 8, 16)  # BPF_MAP_TYPE_HASH, key 4 bytes, value 8 bytes
EXIT = (0x95, 0, 0, 0, 0)
# six instructions that do nothing the analysis sees: the kernel adds a cached state only
# after 8 instructions and 2 jumps, these get a program there
FILL = tuple((0xB7, 4, 0, 0, i) for i in range(6))
LIVENESS_LINE = re.compile(r"^\([\d,]+\) (frame \d+ insn \d+ |live stack update done in )")


def branch_writes_slot(read_after: bool) -> list[Instruction]:
    """if (len > 10) fp-8 = 2 else fp-8 = 1; then fp-8 read (or not) after the join."""
    tail = (0x79, 0, 10, -8, 0) if read_after else (0xB7, 0, 0, 0, 0)
    return prog(*FILL, (0x61, 2, 1, 0, 0), (0x25, 2, 0, 2, 10), (0x7A, 10, 0, -8, 1),
                (0x05, 0, 0, 1, 0), (0x7B, 10, 1, -8, 0), tail, (0x07, 0, 0, 0, 1),
                (0x07, 0, 0, 0, 1), (0xB7, 0, 0, 0, 0), EXIT)


def callee_writes_caller_slot(read_after: bool) -> list[Instruction]:
    """main passes fp-8 to a subprogram that stores a scalar or a pointer there on two
    paths that join in the subprogram; main reads fp-8 after the call (or not)."""
    tail = (0x79, 0, 10, -8, 0) if read_after else (0xB7, 0, 0, 0, 0)
    main = ((0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -8), (0x85, 0, 1, 0, 3), tail,
            (0xB7, 0, 0, 0, 0), EXIT)
    sub = (*FILL, (0x61, 3, 1, 0, 0), (0x25, 3, 0, 2, 10), (0x7A, 2, 0, 0, 1),
           (0x05, 0, 0, 1, 0), (0x7B, 2, 1, 0, 0), (0xB7, 0, 0, 0, 0), (0x07, 0, 0, 0, 1),
           EXIT)
    return prog(*main, *sub)


def caller_reg_differs(read_after: bool) -> list[Instruction]:
    """r7 is a pointer on one path to a call and a scalar on the other; the callee's
    cached state holds the caller's r7, which matters only if main reads it after."""
    tail = (0xBF, 0, 7, 0, 0) if read_after else (0xB7, 0, 0, 0, 0)
    main = ((0x61, 6, 1, 0, 0), (0xB7, 7, 0, 0, 0), (0x25, 6, 0, 1, 10), (0xBF, 7, 10, 0, 0),
            (0x85, 0, 1, 0, 2), tail, EXIT)
    # (sized so that no two of the kernel's explored-state hash buckets the walk looks in
    # coincide: a shared bucket counts in max_states_per_insn, which pyebpf does not model)
    sub = (*FILL, *((0xB7, 5, 0, 0, i) for i in range(5)), (0xB7, 0, 0, 0, 0),
           (0x05, 0, 0, 0, 0), EXIT)
    return prog(*main, *sub)


# (name, program, maps): liveness lines must equal the kernel's
PROGRAMS = [
    ("spill-then-fill", prog((0xB7, 1, 0, 0, 5), (0x7B, 10, 1, -8, 0), (0x79, 0, 10, -8, 0),
                             EXIT), {}),
    ("partial-write-does-not-kill-slot", prog(
        (0x61, 2, 1, 0, 0), (0x7A, 10, 0, -16, 1), (0x15, 2, 0, 2, 0), (0x7A, 10, 0, -8, 2),
        (0x05, 0, 0, 1, 0), (0x62, 10, 0, -8, 3), (0x79, 0, 10, -8, 0), (0x79, 3, 10, -16, 0),
        (0x0F, 0, 3, 0, 0), EXIT), {}),
    # the first path reads fp-8 uninitialised (root may); the second writes it first:
    # the store's slot stops being live before it ("-live")
    ("write-on-second-path-kills-slot", prog(
        (0x61, 2, 1, 0, 0), (0x25, 2, 0, 2, 10), (0xB7, 0, 0, 0, 0), (0x05, 0, 0, 1, 0),
        (0x7A, 10, 0, -8, 1), (0x79, 0, 10, -8, 0), (0xB7, 0, 0, 0, 0), EXIT), {}),
    # one store through r2 writes fp-8 on one path and fp-16 on the other
    ("store-writes-different-slots", prog(
        (0x61, 3, 1, 0, 0), (0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -8), (0x25, 3, 0, 1, 10),
        (0x07, 2, 0, 0, -8), (0x7A, 2, 0, 0, 1), (0xB7, 0, 0, 0, 0), EXIT), {}),
    ("atomic-add-on-stack", prog(
        (0x7A, 10, 0, -8, 1), (0xB7, 1, 0, 0, 2), (0xDB, 10, 1, -8, 0), (0x79, 0, 10, -8, 0),
        EXIT), {}),
    # map_lookup_elem reads its key (a u32 at fp-4: slot fp-8)
    ("helper-reads-key", prog(
        (0x62, 10, 0, -4, 0), (0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -4), (0x18, 1, 1, 0, 0),
        (0x85, 0, 0, 0, 1), (0xB7, 0, 0, 0, 0), EXIT), {0: HASH}),
    ("helper-reads-key-and-value", prog(
        (0x7A, 10, 0, -8, 0), (0x7A, 10, 0, -16, 5), (0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -8),
        (0xBF, 3, 10, 0, 0), (0x07, 3, 0, 0, -16), (0xB7, 4, 0, 0, 0), (0x18, 1, 1, 0, 0),
        (0x85, 0, 0, 0, 2), (0xB7, 0, 0, 0, 0), EXIT), {0: HASH}),
    # skb_load_bytes fills fp-16..fp-1 (an uninit buffer: written byte by byte, no marks)
    ("helper-fills-buffer", prog(
        (0xB7, 2, 0, 0, 0), (0xBF, 3, 10, 0, 0), (0x07, 3, 0, 0, -16), (0xB7, 4, 0, 0, 16),
        (0x85, 0, 0, 0, 26), (0x79, 0, 10, -8, 0), (0xB7, 0, 0, 0, 0), EXIT), {}),
    # the callee reads the caller's fp-8 and writes its fp-16 through r1 (frame 0 of the
    # (3,6) chain), and its own fp-8 (frame 1); the caller's call instruction gets them
    ("callee-uses-caller-stack", prog(
        (0x7A, 10, 0, -8, 7), (0xBF, 1, 10, 0, 0), (0x07, 1, 0, 0, -8), (0x85, 0, 1, 0, 2),
        (0x79, 0, 10, -16, 0), EXIT,
        (0x79, 0, 1, 0, 0), (0x7B, 1, 0, -8, 0), (0x7B, 10, 0, -8, 0), (0x79, 2, 10, -8, 0),
        EXIT), {}),
    # one subprogram called from two call sites: two instances, (4,10) and (7,10)
    ("subprog-two-call-chains", prog(
        (0x7A, 10, 0, -8, 1), (0x7A, 10, 0, -16, 2), (0xBF, 1, 10, 0, 0), (0x07, 1, 0, 0, -8),
        (0x85, 0, 1, 0, 5), (0xBF, 1, 10, 0, 0), (0x07, 1, 0, 0, -16), (0x85, 0, 1, 0, 2),
        (0x79, 0, 10, -8, 0), EXIT,
        (0x79, 0, 1, 0, 0), (0x7A, 1, 0, 0, 3), EXIT), {}),
    # main -> f -> g; g writes main's fp-8 through the pointer f passed on
    ("nested-calls-write-outer-frame", prog(
        (0xBF, 1, 10, 0, 0), (0x07, 1, 0, 0, -8), (0x85, 0, 1, 0, 2), (0x79, 0, 10, -8, 0),
        EXIT,
        (0x7B, 10, 1, -8, 0), (0x85, 0, 1, 0, 2), (0x79, 1, 10, -8, 0), EXIT,
        (0x7A, 1, 0, 0, 9), (0xB7, 0, 0, 0, 0), EXIT), {}),
    ("branch-writes-dead-slot", branch_writes_slot(False), {}),
    ("callee-writes-dead-caller-slot", callee_writes_caller_slot(False), {}),
]

# (name, program, pruned): the summary line and the pruned path must equal the kernel's
PRUNING = [
    ("dead-slot-differs/pruned", branch_writes_slot(False), True),
    ("live-slot-differs/explored", branch_writes_slot(True), False),
    ("callee-dead-caller-slot/pruned", callee_writes_caller_slot(False), True),
    ("callee-live-caller-slot/explored", callee_writes_caller_slot(True), False),
    ("callee-dead-caller-reg/pruned", caller_reg_differs(False), True),
    ("callee-live-caller-reg/explored", caller_reg_differs(True), False),
]


def _logs(insns: list[Instruction], maps: dict[int, MapInfo]) -> tuple[str, str]:
    gp = GenProgram(0, SOCKET, insns, None, maps)
    return diff.run_kernel(gp, 2)[1], diff.our_log(gp, 2)


def liveness_lines(log: str) -> list[str]:
    return [ln for ln in log.splitlines() if LIVENESS_LINE.match(ln)]


@pytest.mark.parametrize(("name", "insns", "maps"), PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_liveness_lines_match_kernel(kernel: None, name: str, insns: list[Instruction],
                                     maps: dict[int, MapInfo]) -> None:
    k_log, our = _logs(insns, maps)
    assert "processed " in k_log.splitlines()[-1], k_log[-400:]
    k_lines = liveness_lines(k_log)
    assert k_lines, "the program should exercise the analysis"
    assert liveness_lines(our) == k_lines


@pytest.mark.parametrize(("name", "insns", "pruned"), PRUNING, ids=[p[0] for p in PRUNING])
def test_pruning_on_dead_slots_matches_kernel(kernel: None, name: str,
                                              insns: list[Instruction], pruned: bool) -> None:
    k_log, our = _logs(insns, {})
    k_safe = [ln for ln in k_log.splitlines() if ln.endswith(": safe")]
    assert bool(k_safe) == pruned, k_log  # the case is what its name says
    assert [ln for ln in our.splitlines() if ln.endswith(": safe")] == k_safe
    assert our.splitlines()[-1] == k_log.splitlines()[-1]
    assert liveness_lines(our) == liveness_lines(k_log)


@pytest.mark.parametrize("name", sorted(load_elf(OBJECT).programs))
def test_liveness_lines_of_compiled_programs_match_kernel(kernel: None, name: str) -> None:
    kc = load_into_kernel(load_elf(OBJECT), [name], log_level=2)
    k_log = kc.programs[name].log
    kc.close()
    coll = load_elf(OBJECT).load(Runtime(), programs=[name], log_level=2)
    our = coll.programs[name].log
    coll.close()
    k_lines = liveness_lines(k_log)
    # the callee's own call chain shows up: (callsite,entry)
    assert any(ln.startswith("(") and "," in ln.split(")")[0] for ln in k_lines), k_lines
    assert liveness_lines(our) == k_lines


def test_no_liveness_lines_below_level2() -> None:
    insns = PROGRAMS[0][1]
    assert not liveness_lines(bpf_check(insns, SOCKET, log_level=1).log)
    assert liveness_lines(bpf_check(insns, SOCKET, log_level=2).log) == [
        "(0) frame 0 insn 2 +live -8 ", "(0) frame 0 insn 1 +written -8 ",
        "(0) frame 0 insn 0 +written -8 ", "(0) live stack update done in 2 iterations"]


def test_dead_slot_pruning_without_kernel() -> None:
    """The same pruning, asserted on pyebpf alone: only the dead slot differs, so the
    second path stops at the join; when the slot is read after the join it does not."""
    dead = bpf_check(branch_writes_slot(False), SOCKET, log_level=2)
    live = bpf_check(branch_writes_slot(True), SOCKET, log_level=2)
    assert "from 7 to 10: safe" not in dead.log and "11: safe" in dead.log
    assert "safe" not in live.log
    assert dead.processed < live.processed


@pytest.mark.parametrize(("mask", "text"), [(0, ""), (1, "-8"), (0b101, "-8,-24"),
                                            (1 << 63, "-512"), (0b110, "-16,-24")])
def test_fmt_stack_mask(mask: int, text: str) -> None:
    assert fmt_stack_mask(mask) == text
