"""The verifier's whole log against Linux's, at log_level 1 and 2.

Each hand-written program is loaded into the live kernel and checked by pyebpf; the two
logs must be identical line for line (the one thing pyebpf cannot know, the kernel address
a map fd is rewritten to, is masked by :func:`pyebpf.verifier.diff.normalized`).  The
measured agreement over generated programs is printed and held above a floor, so that a
regression in the log shows.  Kernel-side tests skip, printing why, only where bpf() is
refused.
"""

from __future__ import annotations

import os

import pytest
from _programs import prog

from pyebpf.isa import Instruction
from pyebpf.verifier import MapInfo, diff
from pyebpf.verifier.gen import GenProgram

SOCKET, XDP = 1, 6
HASH = MapInfo(1, 4, 8, 16)  # BPF_MAP_TYPE_HASH, key 4 bytes, value 8 bytes


EXIT = (0x95, 0, 0, 0, 0)
# r2 = fp-8 with *(u32 *)(fp-4) = 0 written: a key for HASH; r1 = the map
MAP_KEY = ((0x62, 10, 0, -4, 0), (0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -4), (0x18, 1, 1, 0, 0))
PKT = ((0x61, 2, 1, 0, 0), (0x61, 3, 1, 4, 0))  # XDP: r2 = data, r3 = data_end

PROGRAMS = [
    ("accepted/jeq-refines-umin", SOCKET, prog(
        (0xB7, 0, 0, 0, 0), (0x61, 2, 1, 0, 0), (0x15, 2, 0, 1, 0), (0xB7, 0, 0, 0, 1), EXIT)),
    ("refused/r0-uninit-on-one-branch", SOCKET, prog(
        (0x61, 2, 1, 0, 0), (0x15, 2, 0, 1, 0), (0xB7, 0, 0, 0, 1), EXIT)),
    ("refused/second-branch-reads-r2", SOCKET, prog(
        (0x61, 2, 1, 0, 0), (0x15, 2, 0, 2, 0), (0xB7, 0, 0, 0, 1), EXIT, (0xBF, 3, 2, 0, 0),
        EXIT)),
    ("accepted/stack-spill-fill", SOCKET, prog(
        (0xB7, 1, 0, 0, 5), (0x7B, 10, 1, -8, 0), (0x79, 0, 10, -8, 0), EXIT)),
    ("refused/stack-out-of-bounds", SOCKET, prog(
        (0xB7, 0, 0, 0, 0), (0x7A, 10, 0, -520, 1), EXIT)),
    ("refused/partial-stack-then-uninit-read", SOCKET, prog(
        (0x62, 10, 0, -4, 7), (0x61, 0, 10, -4, 0), (0x79, 3, 10, -16, 0), EXIT)),
    ("accepted/signed-compare-hex-bounds", SOCKET, prog(
        (0x61, 2, 1, 0, 0), (0x87, 2, 0, 0, 0), (0x65, 2, 0, 1, -100000), (0xB7, 0, 0, 0, 1),
        (0xB7, 0, 0, 0, 0), EXIT)),
    ("accepted/map-lookup-null-checked", SOCKET, prog(
        *MAP_KEY, (0x85, 0, 0, 0, 1), (0x15, 0, 0, 1, 0), (0x79, 0, 0, 0, 0), (0xB7, 0, 0, 0, 0),
        EXIT)),
    ("refused/map-lookup-no-null-check", SOCKET, prog(
        *MAP_KEY, (0x85, 0, 0, 0, 1), (0x79, 0, 0, 0, 0), EXIT)),
    ("refused/map-value-out-of-bounds", SOCKET, prog(
        *MAP_KEY, (0x85, 0, 0, 0, 1), (0x15, 0, 0, 1, 0), (0x79, 0, 0, 8, 0), (0xB7, 0, 0, 0, 0),
        EXIT)),
    ("accepted/helper-call-prandom", SOCKET, prog(
        (0x85, 0, 0, 0, 7), (0x57, 0, 0, 0, 1), EXIT)),
    ("accepted/xdp-packet-bounds-checked", XDP, prog(
        *PKT, (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 8), (0x2D, 4, 3, 1, 0), (0x71, 0, 2, 7, 0),
        (0xB7, 0, 0, 0, 2), EXIT)),
    ("refused/xdp-packet-read-past-check", XDP, prog(
        *PKT, (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 8), (0x2D, 4, 3, 2, 0), (0x71, 0, 2, 8, 0),
        (0xB7, 0, 0, 0, 2), EXIT)),
    ("refused/xdp-pointer-at-pkt-end", XDP, prog(
        *PKT, (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 8), (0x2D, 4, 3, 1, 0), (0xB7, 0, 0, 0, 2),
        (0x71, 5, 4, 0, 0), (0xB7, 0, 0, 0, 2), EXIT)),
    ("refused/ctx-bad-offset", XDP, prog((0x61, 0, 1, 100, 0), EXIT)),
    ("accepted/two-bounded-loops", SOCKET, prog(
        (0xB7, 1, 0, 0, 0), (0x07, 1, 0, 0, 1), (0xA5, 1, 0, -2, 3), (0xB7, 2, 0, 0, 0),
        (0x07, 2, 0, 0, 1), (0xA5, 2, 0, -2, 3), (0xB7, 0, 0, 0, 0), EXIT)),
    ("refused/jump-out-of-range", SOCKET, prog((0x05, 0, 0, 5, 0), EXIT)),
    ("refused/unreachable-insn", SOCKET, prog((0xB7, 0, 0, 0, 0), EXIT, EXIT)),
]


# Linux 6.18 prints its stack liveness analysis ("(0) frame 0 insn 2 +live -8") and its
# precision backtracking ("mark_precise: frame0: ...") at level 2; pyebpf models both
# (verifier/liveness.py, verifier/precision.py), so every program is compared at level 2 too.
LEVEL2 = PROGRAMS


def _logs(insns: list[Instruction], prog_type: int, level: int) -> tuple[str, str]:
    uses_map = any(i.code == 0x18 and i.src == 1 for i in insns)
    gp = GenProgram(0, prog_type, insns, None, {0: HASH} if uses_map else {})
    k_log = diff.run_kernel(gp, level)[1]
    return diff.normalized(k_log), diff.normalized(diff.our_log(gp, level))


@pytest.mark.parametrize(("name", "prog_type", "insns"), PROGRAMS,
                         ids=[p[0] for p in PROGRAMS])
def test_whole_log_matches_kernel_level1(kernel: None, name: str, prog_type: int,
                                         insns: list[Instruction]) -> None:
    k_log, our = _logs(insns, prog_type, 1)
    assert our.splitlines() == k_log.splitlines()
    assert our == k_log


@pytest.mark.parametrize(("name", "prog_type", "insns"), LEVEL2,
                         ids=[p[0] for p in LEVEL2])
def test_whole_log_matches_kernel_level2(kernel: None, name: str, prog_type: int,
                                         insns: list[Instruction]) -> None:
    k_log, our = _logs(insns, prog_type, 2)
    assert our.splitlines() == k_log.splitlines()
    assert our == k_log


def test_level1_keeps_only_the_failing_path(kernel: None) -> None:
    """A refused program's level-1 log is the failing path only; an accepted one's is the
    statistics line only."""
    ok = _logs(PROGRAMS[0][2], SOCKET, 1)[1]
    assert len(ok.splitlines()) == 1 and ok.startswith("processed ")
    bad = _logs(PROGRAMS[1][2], SOCKET, 1)[1].splitlines()
    # the fall-through path (r0 = 1; exit) is gone; the jump's line continues with the
    # popped branch's state, as the kernel's rewound byte buffer has it
    assert bad[2] == "1: (15) if r2 == 0x0 goto pc+1 3: R1=ctx() R2=0 R10=fp0"
    assert bad[-2] == "R0 !read_ok"


LONG = os.environ.get("PYEBPF_LONG") == "1"
SEEDS = range(0, 2000 if LONG else 300)
# measured on Linux 6.18 over seeds 0..999 (see the module docstring of diff.py); floors a
# little below them so that only a regression fails
FLOORS = {1: 0.97, 2: 0.97}


@pytest.mark.parametrize("level", [1, 2], ids=["level1", "level2"])
def test_generated_programs_log_agreement(kernel: None, level: int) -> None:
    frac, bad = diff.log_agreement(SEEDS, level)
    print(f"level {level}: whole log identical for {frac:.2%} of seeds "
          f"{SEEDS.start}..{SEEDS.stop - 1}; differing e.g. {bad[:10]}")
    assert frac >= FLOORS[level]
