"""Differential tests: pyebpf's interpreter against the live kernel (issue 2, item 7).

The same instructions run on both: on the kernel as a socket filter through BPF_PROG_LOAD and
BPF_PROG_TEST_RUN, on pyebpf through ``Program`` + ``VM.run``. test_run's retval is only 32
bits, so both versions end with a common epilogue that writes the full 64-bit r0 and the stack
area the body used into a result buffer: the value of an ARRAY map (key 0) on the kernel, a
bytearray passed as ``memory=`` on pyebpf. The buffers must be identical.

Every opcode comes from ``pyebpf.isa.SPECS`` (ALU64/ALU32 incl. div/mod by zero, sdiv/smod,
shifts by register counts beyond the width or negative, movsx, bswap, be/le, neg; JMP/JMP32
conditional and unconditional jumps, forward only; stack ST/STX/LDX/LDXS and atomics), with
operands the kernel verifier accepts: registers initialised first, immediate shift counts in
range and immediate divisors nonzero (the verifier refuses the others at load, see
``test_verifier_refuses_what_the_generator_avoids``).

Default: a pinned edge-value program per ALU row plus ~250 hypothesis examples (well under a
minute); ``PYEBPF_LONG=1`` runs 20x more.
"""

from __future__ import annotations

import errno
import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyebpf
from pyebpf import uapi
from pyebpf.isa import (
    BPF_PSEUDO_MAP_FD,
    SPECS,
    Form,
    Instruction,
    OpSpec,
    encode,
)

# every test runs on the interpreter and on the JIT (tests/conftest.py: engine)
pytestmark = pytest.mark.usefixtures("engine")

LONG = os.environ.get("PYEBPF_LONG") == "1"
EXAMPLES = 3000 if LONG else 150

SLOTS = 16                    # the body's stack area: r10-8*SLOTS .. r10-1, all initialised
SCRATCH = -8 * (SLOTS + 1)    # epilogue: saved r0
KEY = -8 * (SLOTS + 2)        # epilogue: the map key
RESULT_SIZE = 8 * (SLOTS + 1)  # r0, then the stack slots
INPUT_OFF = RESULT_SIZE        # then the inputs: r0..r9, then the stack slots
BUF_SIZE = INPUT_OFF + 8 * (10 + SLOTS)
U64 = (1 << 64) - 1

BODY_FORMS = {Form.ALU_REG, Form.ALU_IMM, Form.NEG, Form.END, Form.MOVSX, Form.LDX, Form.ST,
              Form.STX, Form.ATOMIC, Form.JCOND_REG, Form.JCOND_IMM, Form.JA, Form.JA32}
BODY_SPECS = [s for s in SPECS if s.form in BODY_FORMS and s.in_kernel_table]
ALU_SPECS = [s for s in BODY_SPECS if s.form in (Form.ALU_REG, Form.ALU_IMM, Form.NEG,
                                                 Form.END, Form.MOVSX)]
STRAIGHT_SPECS = [s for s in BODY_SPECS if s.form not in (Form.JCOND_REG, Form.JCOND_IMM,
                                                          Form.JA, Form.JA32)]
BRANCH_SPECS = [s for s in BODY_SPECS if s not in STRAIGHT_SPECS]
_BY_IDENT = {s.ident: s for s in SPECS}


def _spec(ident: str) -> OpSpec:
    return _BY_IDENT[ident]


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


# ---------------------------------------------------------------- program building

def ins(ident: str, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> Instruction:
    """An instruction of the table row ``ident``, its variant field filled in."""
    spec = _spec(ident)
    if spec.variant is not None:
        field, value = spec.variant
        if field == "off":
            off = value
        else:
            imm = value
    return Instruction(spec.code, dst, src, off, imm)


def lddw(dst: int, value: int, src: int = 0) -> Instruction:
    return Instruction(_spec("LD_IMM_DW").code, dst, src, 0, value & U64)


def prologue(regs: list[int], slots: list[int]) -> list[Instruction]:
    """Initialise r0..r9 and every stack slot of the body's area (the verifier insists)."""
    out = [lddw(r, v) for r, v in enumerate(regs)]
    for i, v in enumerate(slots):
        out += [lddw(1, v), ins("STX_MEM_DW", 10, 1, -8 * (i + 1))]
    return [*out, lddw(1, regs[1])]  # r1 carried the slot values


def load_inputs() -> list[Instruction]:
    """With the buffer in r0: r0..r9 and the stack slots from its input area.

    Values read from memory are unknown to the verifier, so it cannot fold the branches that
    depend on them (with constants it rewrites decided branches into ``ja``): this is how the
    kernel's runtime jump semantics get compared, not just its verifier's.
    """
    out = []
    for i in range(SLOTS):
        out += [ins("LDX_MEM_DW", 1, 0, INPUT_OFF + 80 + 8 * i),
                ins("STX_MEM_DW", 10, 1, -8 * (i + 1))]
    out += [ins("LDX_MEM_DW", r, 0, INPUT_OFF + 8 * r) for r in range(9, 0, -1)]
    return [*out, ins("LDX_MEM_DW", 0, 0, INPUT_OFF)]


def kernel_map_value(map_fd: int) -> list[Instruction]:
    """r0 = the map's value at key 0 (or exit 0 when missing, which the verifier requires)."""
    return [
        ins("ST_MEM_W", 10, 0, KEY, 0),
        lddw(1, map_fd, BPF_PSEUDO_MAP_FD),
        ins("ALU64_MOV_X", 2, 10), ins("ALU64_ADD_K", 2, 0, 0, KEY),
        ins("JMP_CALL", imm=uapi.BpfFunc.BPF_FUNC_map_lookup_elem),
        ins("JMP_JNE_K", 0, 0, 2, 0),          # found: skip the two below
        ins("ALU64_MOV_K", 0, 0, 0, 0), ins("JMP_EXIT"),
    ]


def copy_out() -> list[Instruction]:
    """With the result buffer in r0: store the saved r0 and the stack slots into it."""
    out = [ins("LDX_MEM_DW", 1, 10, SCRATCH), ins("STX_MEM_DW", 0, 1, 0)]
    for i in range(SLOTS):
        out += [ins("LDX_MEM_DW", 1, 10, -8 * (i + 1)), ins("STX_MEM_DW", 0, 1, 8 * (i + 1))]
    return [*out, ins("ALU64_MOV_K", 0, 0, 0, 0), ins("JMP_EXIT")]


def kernel_epilogue(map_fd: int) -> list[Instruction]:
    return [ins("STX_MEM_DW", 10, 0, SCRATCH), *kernel_map_value(map_fd), *copy_out()]


def pyebpf_epilogue(address: int) -> list[Instruction]:
    return [ins("STX_MEM_DW", 10, 0, SCRATCH), lddw(0, address), *copy_out()]


class Oracle:
    """Runs bodies on both sides and returns the two result buffers."""

    def __init__(self, kernel) -> None:
        self.kernel = kernel
        self.map = kernel.KernelMap(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, 4, BUF_SIZE, 1)
        self.vm = pyebpf.VM(budget=1_000_000)
        self.buf = bytearray(BUF_SIZE)
        self.address = pyebpf.address_of(self.buf)

    def run(self, head: list[Instruction],
            inputs: list[int] | None = None) -> tuple[bytes, bytes]:
        """Run ``head`` + epilogue on both; with ``inputs`` (r0..r9, then the stack slots),
        ``head`` starts with those loaded from memory. Returns the two result areas."""
        init = bytes(RESULT_SIZE) + (struct.pack(f"<{10 + SLOTS}Q", *inputs) if inputs
                                     else bytes(BUF_SIZE - RESULT_SIZE))
        kernel_head = [*kernel_map_value(self.map.fd), *load_inputs(), *head] if inputs \
            else head
        ours_head = [lddw(0, self.address), *load_inputs(), *head] if inputs else head
        self.map.update(b"\0" * 4, init)
        code = encode(kernel_head + kernel_epilogue(self.map.fd))
        with self.kernel.KernelProgram(code, uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER) as p:
            res = p.test_run(b"\0" * 64)
        assert res.retval == 0
        kernel_out = self.map.lookup(b"\0" * 4)[:RESULT_SIZE]
        self.buf[:] = init
        prog = pyebpf.Executable(encode(ours_head + pyebpf_epilogue(self.address)))
        assert self.vm.run(prog, memory=(self.buf,)) == 0
        return kernel_out, bytes(self.buf[:RESULT_SIZE])

    def close(self) -> None:
        self.map.close()


@pytest.fixture(scope="module")
def oracle(kernel):
    o = Oracle(kernel)
    yield o
    o.close()


def listing(insns: list[Instruction]) -> str:
    lines = []
    for i, x in enumerate(insns):
        spec = x.spec
        lines.append(f"{i:3}: {spec.mnemonic if spec else hex(x.code):>12} dst=r{x.dst} "
                     f"src=r{x.src} off={x.off} imm={x.imm:#x}")
    return "\n".join(lines)


def explain(head: list[Instruction], inputs: list[int] | None, kernel_out: bytes,
            ours: bytes) -> str:
    k = struct.unpack(f"<{RESULT_SIZE // 8}Q", kernel_out)
    o = struct.unpack(f"<{RESULT_SIZE // 8}Q", ours)
    diffs = [f"{'r0' if i == 0 else f'stack[r10-{8 * i}]'}: kernel {a:#018x} pyebpf {b:#018x}"
             for i, (a, b) in enumerate(zip(k, o, strict=True)) if a != b]
    given = ("inputs loaded from memory: " + ", ".join(f"r{i}={v:#x}" for i, v in
                                                       enumerate(inputs[:10]))
             + "; stack " + ", ".join(f"{v:#x}" for v in inputs[10:])) if inputs else \
        "inputs: constants in the prologue"
    return "\n".join(["results differ:", *diffs, given, "program:", listing(head)])


def check(oracle: Oracle, head: list[Instruction], inputs: list[int] | None = None) -> None:
    kernel_out, ours = oracle.run(head, inputs)
    assert kernel_out == ours, explain(head, inputs, kernel_out, ours)


# ---------------------------------------------------------------- pinned edge values

I64_MIN = 1 << 63
EDGE_PAIRS = [  # (dst, src) as u64
    (7, 0), (0xFFFF_FFFF_0000_0007, 0xFFFF_FFFF_0000_0000),   # divisor 0 (64 bits / low 32)
    (I64_MIN, U64), (0xFFFF_FFFF_8000_0000, U64), (0x8000_0000, 0xFFFF_FFFF),  # INT_MIN / -1
    ((-7) & U64, 2), (7, (-2) & U64), ((-7) & U64, (-2) & U64),
    (0x0123_4567_89AB_CDEF, 64), (0x0123_4567_89AB_CDEF, 65), (I64_MIN | 1, U64),  # big/neg
    (0x8000_0000_8000_0000, 31), (0xDEAD_BEEF_CAFE_BABE, 0x1_2345_6789),
    (0x0000_0000_FFFF_FF80, 0x7FFF), (1, 63), (U64, 32),
]
EDGE_IMMS = [0, 1, -1, -2, 2, 31, 32, 63, -0x8000_0000, 0x7FFF_FFFF, 0x1234_5678, -7, 7, 64,
             -64, 0xFF]


def imm_ok(spec: OpSpec, imm: int) -> bool:
    """Whether the verifier accepts this immediate (shift counts in range, divisors nonzero)."""
    if spec.op in ("lsh", "rsh", "arsh"):
        return 0 <= imm < spec.width
    if spec.op in ("div", "mod", "sdiv", "smod"):
        return imm != 0
    return True


def edge_program(spec: OpSpec) -> list[Instruction]:
    """SLOTS results of ``spec`` on edge operands, each stored to its own stack slot."""
    regs = [0x1111 * (r + 1) for r in range(10)]
    body = prologue(regs, [0] * SLOTS)
    for i in range(SLOTS):
        a, b = EDGE_PAIRS[i % len(EDGE_PAIRS)]
        body += [lddw(1, a), lddw(2, b)]
        if spec.form is Form.ALU_REG or spec.form is Form.MOVSX:
            body.append(ins(spec.ident, 1, 2))
        elif spec.form is Form.ALU_IMM:
            imm = EDGE_IMMS[i % len(EDGE_IMMS)]
            if not imm_ok(spec, imm):
                imm = (imm % (spec.width - 1)) + 1
            body.append(ins(spec.ident, 1, 0, 0, imm))
        else:  # NEG, END
            body.append(ins(spec.ident, 1))
        body.append(ins("STX_MEM_DW", 10, 1, -8 * (i + 1)))
    return [*body, ins("ALU64_MOV_X", 0, 1)]


def _alu_id(spec: OpSpec) -> str:
    cls = "alu64" if spec.cls == 7 else "alu32"
    return f"{cls}/{spec.mnemonic}-{spec.form.name.lower()}"


@pytest.mark.parametrize("spec", ALU_SPECS, ids=[_alu_id(s) for s in ALU_SPECS])
def test_alu_edge_values(oracle: Oracle, spec: OpSpec) -> None:
    check(oracle, edge_program(spec))


# ---------------------------------------------------------------- hypothesis programs

INTERESTING = [0, 1, 2, 7, 31, 32, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
               0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, I64_MIN, I64_MIN - 1, U64,
               U64 - 1, (-7) & U64, 0xFFFF_FFFF_8000_0000]
u64s = st.one_of(st.sampled_from(INTERESTING), st.integers(0, U64))
s32s = st.one_of(st.sampled_from([_s32(v) for v in INTERESTING]),
                 st.integers(-(1 << 31), (1 << 31) - 1))
regs = st.integers(0, 9)


@st.composite
def body_insn(draw, specs: list[OpSpec]) -> tuple[Instruction, int | None]:
    """One body instruction; a jump comes with a raw target draw resolved by ``program``."""
    spec = draw(st.sampled_from(specs))
    f = spec.form
    if f is Form.ALU_REG or f is Form.MOVSX:
        return ins(spec.ident, draw(regs), draw(regs)), None
    if f is Form.ALU_IMM:
        imm = draw(s32s)
        if not imm_ok(spec, imm):
            imm = draw(st.integers(0, spec.width - 1)) if spec.op.endswith("sh") else \
                draw(st.sampled_from([1, -1, 3, -3, 0x7FFF_FFFF, -(1 << 31)]))
        return ins(spec.ident, draw(regs), 0, 0, imm), None
    if f in (Form.NEG, Form.END):
        return ins(spec.ident, draw(regs)), None
    size = spec.width
    off = -size * draw(st.integers(1, 8 * SLOTS // size))
    if f is Form.LDX:
        return ins(spec.ident, draw(regs), 10, off), None
    if f is Form.ST:
        return ins(spec.ident, 10, 0, off, draw(s32s)), None
    if f in (Form.STX, Form.ATOMIC):
        return ins(spec.ident, 10, draw(regs), off), None
    target = draw(st.integers(0, 1 << 16))
    if f is Form.JCOND_REG:
        return ins(spec.ident, draw(regs), draw(regs)), target
    if f is Form.JCOND_IMM:
        return ins(spec.ident, draw(regs), 0, 0, draw(s32s)), target
    return ins(spec.ident), target  # JA / JA32


@st.composite
def program(draw, branching: bool) -> tuple[list[Instruction], list[int] | None]:
    """A body of 1..24 instructions (jumps land forward, at most on the epilogue) and its
    inputs: either constants in a prologue (the verifier knows them) or values it loads."""
    specs = STRAIGHT_SPECS + (BRANCH_SPECS * 2 if branching else [])
    items = draw(st.lists(body_insn(specs), min_size=1, max_size=24))
    out = []
    n = len(items)
    for i, (insn, target) in enumerate(items):
        if target is not None:
            delta = target % (n - i)          # 0 .. (instructions left before the epilogue)
            if insn.spec.form is Form.JA32:
                insn = Instruction(insn.code, 0, 0, 0, delta)
            else:
                insn = Instruction(insn.code, insn.dst, insn.src, delta, insn.imm)
        out.append(insn)
    _make_all_reachable(out)
    regs_in = draw(st.lists(u64s, min_size=10, max_size=10))
    slots_in = draw(st.lists(u64s, min_size=SLOTS, max_size=SLOTS))
    if draw(st.booleans()):
        return prologue(regs_in, slots_in) + out, None
    return out, regs_in + slots_in


def _jump_delta(insn: Instruction) -> int | None:
    form = insn.spec.form
    if form is Form.JA32:
        return insn.imm
    return insn.off if form in (Form.JA, Form.JCOND_REG, Form.JCOND_IMM) else None


def _make_all_reachable(body: list[Instruction]) -> None:
    """Shorten unconditional jumps until no instruction is unreachable.

    The kernel's CFG check refuses a program with an instruction no path reaches ("unreachable
    insn"), which a ``ja`` over code no other jump lands in creates. For the first such
    instruction, the ``ja`` that skipped it is retargeted to it; repeat until all are reached.
    """
    while True:
        seen: set[int] = set()
        todo = [0]
        while todo:
            i = todo.pop()
            if i in seen or i >= len(body):
                continue
            seen.add(i)
            delta = _jump_delta(body[i])
            form = body[i].spec.form
            if delta is not None:
                todo.append(i + 1 + delta)
            if form not in (Form.JA, Form.JA32):
                todo.append(i + 1)
        missing = [i for i in range(len(body)) if i not in seen]
        if not missing:
            return
        u = missing[0]
        # a ja before u that jumps past it (the one just before u is always one)
        j = min(i for i in seen if i < u and body[i].spec.form in (Form.JA, Form.JA32)
                and i + 1 + _jump_delta(body[i]) > u)
        ja = body[j]
        delta = u - j - 1
        body[j] = (Instruction(ja.code, 0, 0, 0, delta) if ja.spec.form is Form.JA32
                   else Instruction(ja.code, 0, 0, delta, 0))


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@FUZZ
@given(case=program(branching=False))
def test_straight_line(oracle: Oracle, case) -> None:
    check(oracle, *case)


@FUZZ
@given(case=program(branching=True))
def test_branching(oracle: Oracle, case) -> None:
    check(oracle, *case)


# ---------------------------------------------------------------- the generator's premises

@pytest.mark.parametrize(("ident", "imm"), [("ALU64_LSH_K", 64), ("ALU_RSH_K", 32),
                                            ("ALU64_ARSH_K", -1), ("ALU64_DIV_K", 0),
                                            ("ALU_MOD_K", 0), ("ALU64_SDIV_K", 0)])
def test_verifier_refuses_what_the_generator_avoids(kernel, ident: str, imm: int) -> None:
    """The operand constraints of ``imm_ok`` are the kernel verifier's, not ours."""
    code = encode([ins("ALU64_MOV_K", 0, 0, 0, 5), ins(ident, 0, 0, 0, imm), ins("JMP_EXIT")])
    with pytest.raises(pyebpf.VerifierError) as info:
        kernel.KernelProgram(code)
    assert info.value.errno == errno.EINVAL


def test_epilogue_reports_full_64_bit_r0(oracle: Oracle) -> None:
    """The map round trip carries all 64 bits (test_run's retval would keep 32)."""
    head = [*prologue([0] * 10, [0] * SLOTS), lddw(0, 0x8765_4321_DEAD_BEEF)]
    kernel_out, ours = oracle.run(head)
    assert kernel_out[:8] == ours[:8] == struct.pack("<Q", 0x8765_4321_DEAD_BEEF)

