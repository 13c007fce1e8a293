"""Unit tests for the verifier: kernel messages for hand-written programs, and robustness.

Expected messages are the ones Linux 6.18's verifier prints for the same programs.
"""

from __future__ import annotations

import errno
import random

import pytest
from _programs import prog

from pyebpf.errors import LoadError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.verifier import MapInfo, bpf_check

EXIT = Instruction(0x95, 0, 0, 0, 0)


CASES = [
    ("ok/return-const", 1, prog((0xB7, 0, 0, 0, 7), (0x95, 0, 0, 0, 0)), None),
    ("uninit/r2", 1, prog((0xBF, 0, 2, 0, 0), (0x95, 0, 0, 0, 0)), "R2 !read_ok"),
    ("uninit/r0-at-exit", 1, prog((0x95, 0, 0, 0, 0),), "R0 !read_ok"),
    # a subprogram's exit does not read R0 (Linux 6.18 accepts this); the caller's read does
    ("subprog/exit-leaves-r0-unset", 1, prog((0x85, 0, 1, 0, 2), (0xB7, 0, 0, 0, 0),
                                             (0x95, 0, 0, 0, 0), (0xB7, 1, 0, 0, 0),
                                             (0x95, 0, 0, 0, 0)), None),
    ("subprog/caller-reads-unset-r0", 1, prog((0x85, 0, 1, 0, 1), (0x95, 0, 0, 0, 0),
                                              (0xB7, 1, 0, 0, 0), (0x95, 0, 0, 0, 0)),
     "R0 !read_ok"),
    ("stack/out-of-bounds", 1, prog((0xB7, 0, 0, 0, 0), (0x7A, 10, 0, -520, 1), (0x95, 0, 0, 0, 0)),
     "invalid write to stack R10 off=-520 size=8"),
    ("stack/misaligned", 1, prog((0xB7, 0, 0, 0, 0), (0x62, 10, 0, -6, 1), (0x95, 0, 0, 0, 0)),
     "misaligned stack access off 0+0+-6 size 4"),
    ("ctx/bad-offset-xdp", 6, prog((0x61, 0, 1, 100, 0), (0x95, 0, 0, 0, 0)),
     "invalid bpf_context access off=100 size=4"),
    ("pkt/no-bounds-check", 6, prog((0x61, 2, 1, 0, 0), (0x61, 3, 1, 4, 0), (0x71, 0, 2, 0, 0),
                                    (0x95, 0, 0, 0, 0)),
     "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)"),
    ("pkt/checked", 6, prog((0x61, 2, 1, 0, 0), (0x61, 3, 1, 4, 0), (0xBF, 4, 2, 0, 0),
                            (0x07, 4, 0, 0, 8), (0x2D, 4, 3, 1, 0), (0x71, 0, 2, 7, 0),
                            (0xB7, 0, 0, 0, 1), (0x95, 0, 0, 0, 0)), None),
    ("map/no-null-check", 1, prog((0x7A, 10, 0, -8, 0), (0xBF, 2, 10, 0, 0), (0x07, 2, 0, 0, -8),
                                  (0x18, 1, 1, 0, 0), (0x85, 0, 0, 0, 1), (0x79, 0, 0, 0, 0),
                                  (0x95, 0, 0, 0, 0)),
     "R0 invalid mem access 'map_value_or_null'"),
    ("alu/ptr-plus-ptr", 6, prog((0x0F, 1, 1, 0, 0), (0x95, 0, 0, 0, 0)),
     "R1 pointer += pointer prohibited"),
    ("alu/ptr32", 6, prog((0xB7, 0, 0, 0, 0), (0x04, 1, 0, 0, 4), (0x95, 0, 0, 0, 0)),
     "R1 32-bit pointer arithmetic prohibited"),
    ("alu/write-r10", 6, prog((0xB7, 0, 0, 0, 0), (0x1F, 10, 1, 0, 0), (0x95, 0, 0, 0, 0)),
     "frame pointer is read only"),
    ("call/unknown-helper", 1, prog((0x85, 0, 0, 0, 999), (0x95, 0, 0, 0, 0)),
     "invalid func unknown#999"),
    ("cfg/infinite-loop", 1, prog((0xB7, 0, 0, 0, 0), (0x15, 0, 0, 1, 0), (0x95, 0, 0, 0, 0),
                                  (0x05, 0, 0, -4, 0)), "infinite loop detected at insn 1"),
    ("cfg/jump-out-of-range", 1, prog((0x05, 0, 0, 5, 0), (0x95, 0, 0, 0, 0)),
     "jump out of range from insn 0 to 6"),
    ("cfg/unreachable", 1, prog((0xB7, 0, 0, 0, 0), (0x95, 0, 0, 0, 0), (0x95, 0, 0, 0, 0)),
     "unreachable insn 2"),
    ("cfg/last-insn", 1, prog((0xB7, 0, 0, 0, 0),), "last insn is not an exit or jmp"),
    ("cfg/unknown-opcode", 1, prog((0xFF, 0, 0, 0, 0), (0x95, 0, 0, 0, 0)), "unknown opcode ff"),
    ("loop/bounded", 1, prog((0xB7, 0, 0, 0, 0), (0x07, 0, 0, 0, 1), (0xA5, 0, 0, -2, 50),
                             (0x95, 0, 0, 0, 0)), None),
    # may_goto can fall through or jump: both ways are explored, as by the kernel
    ("may_goto/fall-through-checked", 6, prog((0xB7, 0, 0, 0, 0), (0xE5, 0, 0, 1, 0),
                                              (0x79, 0, 1, 4096, 0), (0x95, 0, 0, 0, 0)),
     "invalid bpf_context access off=4096 size=8"),
    ("may_goto/jump-checked", 6, prog((0xB7, 0, 0, 0, 0), (0xE5, 0, 0, 2, 0), (0xB7, 0, 0, 0, 1),
                                      (0x95, 0, 0, 0, 0), (0x79, 0, 1, 4096, 0),
                                      (0x95, 0, 0, 0, 0)),
     "invalid bpf_context access off=4096 size=8"),
    # reg_not_null: ctx and stack pointers are not known non-NULL, both branches explored
    ("cmp/ctx-eq-0-both-ways", 1, prog((0x15, 1, 0, 2, 0), (0xB7, 0, 0, 0, 0), (0x95, 0, 0, 0, 0),
                                       (0x95, 0, 0, 0, 0)), "R0 !read_ok"),
    ("cmp/fp-eq-0-both-ways", 1, prog((0x15, 10, 0, 2, 0), (0xB7, 0, 0, 0, 0), (0x95, 0, 0, 0, 0),
                                      (0x95, 0, 0, 0, 0)), "R0 !read_ok"),
    # map pointers are: the == 0 branch is dead
    ("cmp/map-ptr-eq-0-dead", 1, prog((0x18, 1, 1, 0, 0), (0x15, 1, 0, 2, 0), (0xB7, 0, 0, 0, 0),
                                      (0x95, 0, 0, 0, 0), (0x95, 0, 0, 0, 0)), None),
    ("alu/sub-known-from-fp", 1, prog((0xBF, 1, 10, 0, 0), (0x17, 1, 0, 0, 8), (0xB7, 0, 0, 0, 0),
                                      (0x7B, 1, 0, 0, 0), (0x95, 0, 0, 0, 0)),
     "R1 subtraction from stack pointer prohibited"),
    ("load-acquire/stack", 6, prog((0x7A, 10, 0, -8, 3), (0xDB, 0, 10, -8, 0x100),
                                   (0x95, 0, 0, 0, 0)), None),
]


@pytest.mark.parametrize("name,ptype,insns,msg", CASES, ids=[c[0] for c in CASES])
def test_kernel_messages(name: str, ptype: int, insns: list[Instruction], msg: str | None) -> None:
    maps = {0: MapInfo(1, 4, 8, 1)}
    if msg is None:
        res = bpf_check(insns, ptype, maps=maps, log_level=1)
        assert res.processed > 0
        assert "processed" in res.log
    else:
        with pytest.raises(VerifierError) as exc:
            bpf_check(insns, ptype, maps=maps, log_level=1)
        assert exc.value.reason == msg
        assert msg in exc.value.log


def test_errno_classes() -> None:
    with pytest.raises(VerifierError) as exc:
        bpf_check(prog((0x05, 0, 0, 5, 0), (0x95, 0, 0, 0, 0)), 1)
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(VerifierError) as exc:
        bpf_check(prog((0xBF, 0, 2, 0, 0), (0x95, 0, 0, 0, 0)), 1)
    assert exc.value.errno == errno.EACCES


def test_log_format_level1() -> None:
    """Level 1 drops the trace of a verified program (as Linux 6.18 does): only the stats."""
    res = bpf_check(prog((0xB7, 0, 0, 0, 7), (0x95, 0, 0, 0, 0)), 1, log_level=1)
    lines = res.log.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("processed 2 insns (limit 1000000) max_states_per_insn 0")


def test_log_format_level2() -> None:
    res = bpf_check(prog((0xB7, 0, 0, 0, 7), (0x95, 0, 0, 0, 0)), 1, log_level=2)
    lines = res.log.splitlines()
    assert lines[:3] == ["func#0 @0", "Live regs before insn:", "      0: .......... (b7) r0 = 7"]
    assert lines[4] == "0: R1=ctx() R10=fp0"
    assert lines[5].startswith("0: (b7) r0 = 7") and lines[5].endswith("; R0=7")
    assert lines[-1].startswith("processed 2 insns (limit 1000000) max_states_per_insn 0")


def test_random_streams_never_crash() -> None:
    """Hostile input: every exception must be a LoadError (VerifierError) subclass."""
    rng = random.Random(1234)
    for _ in range(1500):
        n = rng.randint(1, 12)
        insns = []
        pc = 0
        for _ in range(n):
            code = rng.choice((rng.randrange(256), 0xB7, 0x07, 0x15, 0x05, 0x95, 0x61, 0x7B,
                               0x85, 0xBF, 0x0F))
            insn = Instruction(code, rng.randrange(16), rng.randrange(16), rng.randint(-4, 4),
                     rng.choice((0, 1, -1, 7, 1 << 31 - 1, rng.randint(-2**31, 2**31 - 1))), pc)
            insns.append(insn)
            pc += insn.slots
        try:
            bpf_check(insns, rng.choice((1, 3, 6)), maps={0: MapInfo(1, 4, 8, 1)})
        except LoadError:
            pass


@pytest.mark.parametrize("module", ["tnum", "scalar", "liveness", "check"])
def test_compiled_modules_load(module: str) -> None:
    """Where the Cython build made extension modules, importing the verifier uses them
    (a silently ignored build would leave the verifier five times slower)."""
    import importlib
    import pathlib

    mod = importlib.import_module(f"pyebpf.verifier.{module}")
    here = pathlib.Path(mod.__file__).parent
    if not any(here.glob(f"{module}.*.so")) and not any(here.glob(f"{module}.*.pyd")):
        pytest.skip(f"pyebpf.verifier.{module} is not compiled here (run "
                    "`python setup.py build_ext --inplace`)")
    assert not mod.__file__.endswith(".py"), mod.__file__


@pytest.mark.parametrize(("imm", "is64"), [(-1, False), (-1, True), (0x7FFFFFFF, False),
                                           (-5, True), (-0x80000000, False)],
                         ids=["w-minus1", "r-minus1", "w-s32max", "r-minus5", "w-s32min"])
def test_known_constants_bounds(imm: int, is64: bool) -> None:
    """A folded ``0 + imm`` is the same known scalar (every bound, 32-bit halves too) as
    the reference constructor gives: the compiled C arithmetic must not wrap where the
    Python ints do not."""
    from pyebpf.verifier import log, scalar
    value = (imm if is64 else imm & 0xFFFFFFFF) & (2**64 - 1)
    mov, add = (0xB7, 0x07) if is64 else (0xB4, 0x04)
    insns = [Instruction(mov, 0, 0, 0, 0, 0), Instruction(add, 0, 0, 0, imm, 1),
             Instruction(0x95, 0, 0, 0, 0, 2)]
    res = bpf_check(insns, 1, log_level=2)
    ref = scalar.const_scalar(value)
    assert f"; R0={log.scalar_str(ref)}\n" in res.log, res.log
    fast = scalar.const_u64(value)
    names = ("umin", "umax", "smin", "smax", "u32min", "u32max", "s32min", "s32max", "tn")
    assert [getattr(fast, n) for n in names] == [getattr(ref, n) for n in names]
    w = value & 0xFFFFFFFF
    assert fast.s32min == (w - (1 << 32) if w >> 31 else w)
