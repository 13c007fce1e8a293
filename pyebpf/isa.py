"""The eBPF instruction set: the single source of truth for every opcode.

One table, :data:`SPECS`, holds one row per legal instruction (an opcode byte,
plus the value of the field that selects a variant where one byte carries
several instructions: SDIV/SMOD via ``off``, MOVSX via ``off``, the atomic
operation via ``imm``).  The interpreter's dispatch (generated from this table
into ``_dispatch.pxi``), the structural checks, the verifier, the assembler and
the disassembler all read it; no other module lists opcodes.

Facts follow RFC 9669 and the kernel's ``BPF_INSN_MAP`` (``kernel/bpf/core.c``)
and ``include/uapi/linux/bpf.h``.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pyebpf.errors import LoadError

# --- instruction fields (include/uapi/linux/bpf_common.h, bpf.h) -----------

BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_JMP32, BPF_ALU64 = range(8)
CLASS_NAMES = ("LD", "LDX", "ST", "STX", "ALU", "JMP", "JMP32", "ALU64")

BPF_W, BPF_H, BPF_B, BPF_DW = 0x00, 0x08, 0x10, 0x18
SIZE_BYTES = {BPF_W: 4, BPF_H: 2, BPF_B: 1, BPF_DW: 8}
SIZE_NAMES = {BPF_W: "W", BPF_H: "H", BPF_B: "B", BPF_DW: "DW"}

BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_MEMSX, BPF_ATOMIC = 0x00, 0x20, 0x40, 0x60, 0x80, 0xC0

BPF_K, BPF_X = 0x00, 0x08

BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV = 0x00, 0x10, 0x20, 0x30
BPF_OR, BPF_AND, BPF_LSH, BPF_RSH = 0x40, 0x50, 0x60, 0x70
BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV = 0x80, 0x90, 0xA0, 0xB0
BPF_ARSH, BPF_END = 0xC0, 0xD0
BPF_TO_LE, BPF_TO_BE = 0x00, 0x08

BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE = 0x00, 0x10, 0x20, 0x30
BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE = 0x40, 0x50, 0x60, 0x70
BPF_CALL, BPF_EXIT = 0x80, 0x90
BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE = 0xA0, 0xB0, 0xC0, 0xD0

BPF_FETCH = 0x01
BPF_XCHG = 0xE0 | BPF_FETCH
BPF_CMPXCHG = 0xF0 | BPF_FETCH
BPF_LOAD_ACQ = 0x100
BPF_STORE_REL = 0x110
BPF_JCOND = 0xE0  # with src 0: may_goto
BPF_MAX_LOOPS = 8 * 1024 * 1024  # may_goto's budget per frame

# LD_IMM64 src_reg values (enum in include/uapi/linux/bpf.h)
BPF_PSEUDO_MAP_FD = 1
BPF_PSEUDO_MAP_VALUE = 2
BPF_PSEUDO_BTF_ID = 3
BPF_PSEUDO_FUNC = 4
BPF_PSEUDO_MAP_IDX = 5
BPF_PSEUDO_MAP_IDX_VALUE = 6
# CALL src_reg values
BPF_PSEUDO_CALL = 1
BPF_PSEUDO_KFUNC_CALL = 2

MAX_BPF_REG = 11  # r0..r10
BPF_REG_FP = 10
MAX_BPF_STACK = 512
MAX_CALL_FRAMES = 8
MAX_TAIL_CALL_CNT = 33
INSN_SIZE = 8


def bpf_class(code: int) -> int:
    return code & 0x07


def bpf_size(code: int) -> int:
    return code & 0x18


def bpf_mode(code: int) -> int:
    return code & 0xE0


def bpf_op(code: int) -> int:
    return code & 0xF0


def bpf_src(code: int) -> int:
    return code & 0x08


# --- the table ---------------------------------------------------------------


class Form(enum.Enum):
    """Operand form: which fields carry operands, as the assemblers print them.

    Values must stay distinct: equal values would make members aliases.
    """

    ALU_REG = "dst, src"
    ALU_IMM = "dst, imm"
    NEG = "dst"
    END = "dst (imm = width)"
    MOVSX = "dst, src (off = width)"
    LDX = "dst, [src+off]"
    ST = "[dst+off], imm"
    STX = "[dst+off], src"
    ATOMIC = "[dst+off], src (imm = operation)"
    LDDW = "dst, imm64 (src = pseudo source)"
    LDABS = "imm (packet offset)"
    LDIND = "src, imm (packet offset)"
    JA = "off"
    JA32 = "imm (jump offset)"
    JCOND_REG = "dst, src, off"
    JCOND_IMM = "dst, imm, off"
    CALL = "imm (src = call kind)"
    CALLX = "dst (register holding the helper id)"
    EXIT = ""


@dataclass(frozen=True)
class OpSpec:
    """One legal instruction.

    ``op`` is the semantic operation ("add", "sdiv", "ldx", "atomic_fetch_add",
    "jgt", ...); ``width`` is 32 or 64 for ALU/JMP rows and the access size in
    bytes for memory rows; ``variant`` is the (field, value) pair that selects
    this row among rows sharing ``code``.
    """

    ident: str
    code: int
    mnemonic: str
    form: Form
    zero: frozenset[str]
    cpu: int
    group: str
    op: str
    width: int
    variant: tuple[str, int] | None = None
    in_kernel_table: bool = True

    @property
    def cls(self) -> int:
        return self.code & 0x07

    @property
    def source(self) -> int:
        return self.code & 0x08

    @property
    def slots(self) -> int:
        """How many 8-byte slots the instruction takes (2 for LD_IMM64)."""
        return 2 if self.form is Form.LDDW else 1


ALU_OPS: dict[str, int] = {
    "add": BPF_ADD, "sub": BPF_SUB, "mul": BPF_MUL, "div": BPF_DIV, "or": BPF_OR,
    "and": BPF_AND, "lsh": BPF_LSH, "rsh": BPF_RSH, "mod": BPF_MOD, "xor": BPF_XOR,
    "mov": BPF_MOV, "arsh": BPF_ARSH,
}
JMP_OPS: dict[str, int] = {
    "jeq": BPF_JEQ, "jgt": BPF_JGT, "jge": BPF_JGE, "jset": BPF_JSET, "jne": BPF_JNE,
    "jsgt": BPF_JSGT, "jsge": BPF_JSGE, "jlt": BPF_JLT, "jle": BPF_JLE, "jslt": BPF_JSLT,
    "jsle": BPF_JSLE,
}
# RFC 9669 section 5.11: atomic operations and their imm encoding.
ATOMIC_OPS: dict[str, int] = {
    "add": BPF_ADD, "or": BPF_OR, "and": BPF_AND, "xor": BPF_XOR,
    "fetch add": BPF_ADD | BPF_FETCH, "fetch or": BPF_OR | BPF_FETCH,
    "fetch and": BPF_AND | BPF_FETCH, "fetch xor": BPF_XOR | BPF_FETCH,
    "xchg": BPF_XCHG, "cmpxchg": BPF_CMPXCHG,
}
_SIZE_SUFFIX = {BPF_B: "b", BPF_H: "h", BPF_W: "w", BPF_DW: "dw"}
_NO_OFF_IMM = frozenset({"off", "imm"})


def _build_specs() -> list[OpSpec]:
    rows: list[OpSpec] = []

    def add(**kw: object) -> None:
        rows.append(OpSpec(**kw))  # type: ignore[arg-type]

    for cls, width in ((BPF_ALU64, 64), (BPF_ALU, 32)):
        sfx = "" if width == 64 else "32"
        cname = CLASS_NAMES[cls]
        for name, opv in ALU_OPS.items():
            divmul = name in ("mul", "div", "mod")
            group = ("divmul" if divmul else "base") + str(width)
            for src, sname in ((BPF_X, "X"), (BPF_K, "K")):
                code = cls | opv | src
                form = Form.ALU_REG if src == BPF_X else Form.ALU_IMM
                zero = frozenset({"imm", "off"} if src == BPF_X else {"src", "off"})
                variant = ("off", 0) if name in ("div", "mod", "mov") else None
                if name == "mov" and src == BPF_K:
                    variant = None
                add(ident=f"{cname}_{name.upper()}_{sname}", code=code, mnemonic=name + sfx,
                    form=form, zero=zero - {"off"} if variant else zero, cpu=1, group=group,
                    op=name, width=width, variant=variant)
                if name in ("div", "mod"):
                    sop = "s" + name
                    add(ident=f"{cname}_{sop.upper()}_{sname}", code=code, mnemonic=sop + sfx,
                        form=form, zero=zero - {"off"}, cpu=4, group=group, op=sop,
                        width=width, variant=("off", 1))
            if name == "mov":
                for bits in (8, 16, 32):
                    if bits == 32 and width == 32:
                        continue
                    add(ident=f"{cname}_MOVSX{bits}", code=cls | BPF_MOV | BPF_X,
                        mnemonic=f"movsx{bits}{width}", form=Form.MOVSX, zero=frozenset({"imm"}),
                        cpu=4, group="base" + str(width), op="movsx", width=width,
                        variant=("off", bits))
        add(ident=f"{cname}_NEG", code=cls | BPF_NEG | BPF_K, mnemonic="neg" + sfx, form=Form.NEG,
            zero=frozenset({"src", "off", "imm"}), cpu=1, group="base" + str(width), op="neg",
            width=width)
    for order, oname in ((BPF_TO_LE, "le"), (BPF_TO_BE, "be")):
        for bits in (16, 32, 64):
            add(ident=f"ALU_END_{oname.upper()}{bits}", code=BPF_ALU | BPF_END | order,
                mnemonic=f"{oname}{bits}", form=Form.END, zero=frozenset({"src", "off"}), cpu=1,
                group="base64" if bits == 64 else "base32", op=oname, width=bits,
                variant=("imm", bits))
    for bits in (16, 32, 64):
        add(ident=f"ALU64_BSWAP{bits}", code=BPF_ALU64 | BPF_END | BPF_TO_LE,
            mnemonic=f"bswap{bits}", form=Form.END, zero=frozenset({"src", "off"}), cpu=4,
            group="base64" if bits == 64 else "base32", op="bswap", width=bits,
            variant=("imm", bits))

    for cls, width in ((BPF_JMP, 64), (BPF_JMP32, 32)):
        sfx = "" if width == 64 else "32"
        cname = CLASS_NAMES[cls]
        for name, opv in JMP_OPS.items():
            cpu = 3 if cls == BPF_JMP32 else (2 if opv >= BPF_JLT else 1)
            for src, sname in ((BPF_X, "X"), (BPF_K, "K")):
                add(ident=f"{cname}_{name.upper()}_{sname}", code=cls | opv | src,
                    mnemonic=name + sfx,
                    form=Form.JCOND_REG if src == BPF_X else Form.JCOND_IMM,
                    zero=frozenset({"imm"} if src == BPF_X else {"src"}), cpu=cpu,
                    group="base32", op=name, width=width)
    add(ident="JMP_JA", code=BPF_JMP | BPF_JA, mnemonic="ja", form=Form.JA,
        zero=frozenset({"dst", "src", "imm"}), cpu=1, group="base32", op="ja", width=64)
    add(ident="JMP32_JA", code=BPF_JMP32 | BPF_JA, mnemonic="ja32", form=Form.JA32,
        zero=frozenset({"dst", "src", "off"}), cpu=4, group="base32", op="ja", width=32)
    add(ident="JMP_CALL", code=BPF_JMP | BPF_CALL, mnemonic="call", form=Form.CALL,
        zero=frozenset({"dst", "off"}), cpu=1, group="base32", op="call", width=64)
    add(ident="JMP_CALLX", code=BPF_JMP | BPF_CALL | BPF_X, mnemonic="callx", form=Form.CALLX,
        zero=frozenset({"src", "off", "imm"}), cpu=1, group="callx", op="callx", width=64,
        in_kernel_table=False)
    add(ident="JMP_EXIT", code=BPF_JMP | BPF_EXIT, mnemonic="exit", form=Form.EXIT,
        zero=frozenset({"dst", "src", "off", "imm"}), cpu=1, group="base32", op="exit", width=64)

    for size, nbytes in ((BPF_B, 1), (BPF_H, 2), (BPF_W, 4), (BPF_DW, 8)):
        sfx = _SIZE_SUFFIX[size]
        sname = SIZE_NAMES[size]
        group = "base64" if size == BPF_DW else "base32"
        add(ident=f"LDX_MEM_{sname}", code=BPF_LDX | BPF_MEM | size, mnemonic="ldx" + sfx,
            form=Form.LDX, zero=frozenset({"imm"}), cpu=1, group=group, op="ldx", width=nbytes)
        if size != BPF_DW:
            add(ident=f"LDX_MEMSX_{sname}", code=BPF_LDX | BPF_MEMSX | size,
                mnemonic="ldxs" + sfx, form=Form.LDX, zero=frozenset({"imm"}), cpu=4,
                group="base64", op="ldxs", width=nbytes)
        add(ident=f"ST_MEM_{sname}", code=BPF_ST | BPF_MEM | size, mnemonic="st" + sfx,
            form=Form.ST, zero=frozenset({"src"}), cpu=1, group=group, op="st", width=nbytes)
        add(ident=f"STX_MEM_{sname}", code=BPF_STX | BPF_MEM | size, mnemonic="stx" + sfx,
            form=Form.STX, zero=frozenset({"imm"}), cpu=1, group=group, op="stx", width=nbytes)
    for size, nbytes in ((BPF_W, 4), (BPF_DW, 8)):
        bits = nbytes * 8
        for name, immv in ATOMIC_OPS.items():
            add(ident=f"STX_ATOMIC_{SIZE_NAMES[size]}_{name.upper().replace(' ', '_')}",
                code=BPF_STX | BPF_ATOMIC | size,
                mnemonic=f"lock {name}" + ("32" if bits == 32 else ""), form=Form.ATOMIC,
                zero=frozenset(), cpu=1 if immv == BPF_ADD else 3, group=f"atomic{bits}",
                op="atomic_" + name.replace(" ", "_"), width=nbytes, variant=("imm", immv))

    # Kernel extensions beyond RFC 9669 (group "kernel"): load-acquire and
    # store-release (Linux 6.15, any size) and may_goto (Linux 6.9).  They
    # reuse the LDX/STX/JA operand forms; the variant imm tells them apart.
    for size, nbytes in ((BPF_B, 1), (BPF_H, 2), (BPF_W, 4), (BPF_DW, 8)):
        sfx = _SIZE_SUFFIX[size]
        sname = SIZE_NAMES[size]
        add(ident=f"STX_ATOMIC_{sname}_LOAD_ACQ", code=BPF_STX | BPF_ATOMIC | size,
            mnemonic="ldacq" + sfx, form=Form.LDX, zero=frozenset(), cpu=4, group="kernel",
            op="load_acquire", width=nbytes, variant=("imm", BPF_LOAD_ACQ))
        add(ident=f"STX_ATOMIC_{sname}_STORE_REL", code=BPF_STX | BPF_ATOMIC | size,
            mnemonic="strel" + sfx, form=Form.STX, zero=frozenset(), cpu=4, group="kernel",
            op="store_release", width=nbytes, variant=("imm", BPF_STORE_REL))
    add(ident="JMP_MAY_GOTO", code=BPF_JMP | BPF_JCOND, mnemonic="may_goto", form=Form.JA,
        zero=frozenset({"dst", "src", "imm"}), cpu=4, group="kernel", op="may_goto", width=64)

    add(ident="LD_IMM_DW", code=BPF_LD | BPF_IMM | BPF_DW, mnemonic="lddw", form=Form.LDDW,
        zero=frozenset({"off"}), cpu=1, group="base64", op="lddw", width=8)
    for size, nbytes in ((BPF_B, 1), (BPF_H, 2), (BPF_W, 4)):
        sfx = _SIZE_SUFFIX[size]
        add(ident=f"LD_ABS_{SIZE_NAMES[size]}", code=BPF_LD | BPF_ABS | size,
            mnemonic="ldabs" + sfx, form=Form.LDABS, zero=frozenset({"dst", "src", "off"}),
            cpu=1, group="packet", op="ldabs", width=nbytes)
        add(ident=f"LD_IND_{SIZE_NAMES[size]}", code=BPF_LD | BPF_IND | size,
            mnemonic="ldind" + sfx, form=Form.LDIND, zero=frozenset({"dst", "off"}), cpu=1,
            group="packet", op="ldind", width=nbytes)
    return rows


SPECS: tuple[OpSpec, ...] = tuple(_build_specs())
"""Every legal instruction, one row each; a row's index is its handler id."""

HANDLER_ID: dict[str, int] = {s.ident: i + 1 for i, s in enumerate(SPECS)}
"""Row ident -> handler id used by the interpreter (0 means illegal)."""

BY_CODE: tuple[tuple[OpSpec, ...], ...] = tuple(
    tuple(s for s in SPECS if s.code == code) for code in range(256)
)
"""The 256-entry opcode table: for each opcode byte, the rows it may stand for."""

BY_MNEMONIC: dict[str, tuple[OpSpec, ...]] = {}
for _s in SPECS:
    BY_MNEMONIC[_s.mnemonic] = (*BY_MNEMONIC.get(_s.mnemonic, ()), _s)
del _s

CPU_VERSIONS = {"v1": 1, "v2": 2, "v3": 3, "v4": 4, "probe": 4}
GROUPS = ("base32", "base64", "atomic32", "atomic64", "divmul32", "divmul64", "packet", "callx",
          "kernel")
"""RFC 9669's conformance groups, plus callx and the kernel's later extensions."""


def bpf_opcode_in_insntable(code: int) -> bool:
    """Whether the kernel's ``bpf_opcode_in_insntable()`` accepts this opcode byte."""
    return any(s.in_kernel_table for s in BY_CODE[code & 0xFF])


def cpu_version(cpu: str | int) -> int:
    """Map ``-mcpu`` names ("v1".."v4", "probe") to a version number."""
    if isinstance(cpu, int):
        if 1 <= cpu <= 4:
            return cpu
    elif cpu in CPU_VERSIONS:
        return CPU_VERSIONS[cpu]
    raise ValueError(f"unknown cpu version {cpu!r}: expected one of v1, v2, v3, v4, probe")


# --- the decoded instruction ----------------------------------------------------

_INSN = struct.Struct("<BBhi")


@dataclass(frozen=True)
class Instruction:
    """One decoded instruction; LD_IMM64 carries its full 64-bit ``imm`` and has ``slots == 2``.

    ``imm`` is signed 32-bit for ordinary instructions and the unsigned 64-bit
    value for LD_IMM64 (``imm2`` keeps the second half's raw upper word).
    """

    code: int
    dst: int = 0
    src: int = 0
    off: int = 0
    imm: int = 0
    pc: int = 0

    @property
    def slots(self) -> int:
        return 2 if self.code == BPF_LD | BPF_IMM | BPF_DW else 1

    @property
    def spec(self) -> OpSpec | None:
        """The table row this instruction is, or None when the encoding is not legal."""
        return find_spec(self.code, self.off, self.imm)

    def encode(self) -> bytes:
        regs = (self.src << 4) | self.dst
        if self.slots == 2:
            lo = self.imm & 0xFFFFFFFF
            hi = (self.imm >> 32) & 0xFFFFFFFF
            return _INSN.pack(self.code, regs, self.off, _s32(lo)) + _INSN.pack(0, 0, 0, _s32(hi))
        return _INSN.pack(self.code, regs, self.off, self.imm)


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def find_spec(code: int, off: int, imm: int) -> OpSpec | None:
    """The row an encoding stands for, using the variant field where a byte has several."""
    for s in BY_CODE[code & 0xFF]:
        if s.variant is None:
            return s
        field, value = s.variant
        if (off if field == "off" else imm) == value:
            return s
    return None


def iter_raw(data: bytes) -> Iterator[tuple[int, int, int, int, int]]:
    """Yield (code, dst, src, off, imm) for each 8-byte slot."""
    for code, regs, off, imm in _INSN.iter_unpack(data):
        yield code, regs & 0x0F, regs >> 4, off, imm


def decode(data: bytes | bytearray | memoryview) -> list[Instruction]:
    """Decode a program into instructions, merging LD_IMM64 pairs.

    Raises :class:`LoadError` for a length that is not a multiple of 8 or a
    LD_IMM64 without its second half; legality is :func:`check_program`'s job.
    """
    data = bytes(data)
    if len(data) % INSN_SIZE:
        raise LoadError(f"program length {len(data)} is not a multiple of {INSN_SIZE}",
                        pc=len(data) // INSN_SIZE)
    raw = list(iter_raw(data))
    out: list[Instruction] = []
    pc = 0
    while pc < len(raw):
        code, dst, src, off, imm = raw[pc]
        if code == BPF_LD | BPF_IMM | BPF_DW:
            if pc + 1 >= len(raw):
                raise LoadError("invalid BPF_LD_IMM insn", pc=pc)
            hi = raw[pc + 1][4] & 0xFFFFFFFF
            out.append(Instruction(code, dst, src, off, (hi << 32) | (imm & 0xFFFFFFFF), pc))
            pc += 2
        else:
            out.append(Instruction(code, dst, src, off, imm, pc))
            pc += 1
    return out


def encode(insns: Iterable[Instruction]) -> bytes:
    return b"".join(i.encode() for i in insns)


# --- structural checks -----------------------------------------------------------

_FIELD_NAMES = ("dst", "src", "off", "imm")
_WRITES_DST = frozenset({
    Form.ALU_REG, Form.ALU_IMM, Form.NEG, Form.END, Form.MOVSX, Form.LDX, Form.LDDW,
})


def jump_target(insn: Instruction, spec: OpSpec) -> int | None:
    """Absolute slot index a jump or local call goes to, or None for other instructions."""
    if spec.form in (Form.JA, Form.JCOND_REG, Form.JCOND_IMM):
        return insn.pc + insn.off + 1
    if spec.form is Form.JA32:
        return insn.pc + insn.imm + 1
    if spec.form is Form.CALL and insn.src == BPF_PSEUDO_CALL:
        return insn.pc + insn.imm + 1
    return None


def check_insn(insn: Instruction, cpu: int = 4) -> OpSpec:
    """Check one instruction's encoding against the table; return its row."""
    pc = insn.pc
    if not BY_CODE[insn.code]:
        raise LoadError(f"unknown opcode {insn.code:02x}", pc=pc)
    spec = insn.spec
    if spec is None:
        field = BY_CODE[insn.code][0].variant
        assert field is not None
        value = insn.off if field[0] == "off" else insn.imm
        raise LoadError(f"invalid {field[0]} {value} for opcode {insn.code:02x}", pc=pc)
    values = {"dst": insn.dst, "src": insn.src, "off": insn.off, "imm": insn.imm}
    for field in _FIELD_NAMES:
        if field in spec.zero and values[field]:
            raise LoadError(f"{spec.mnemonic} uses reserved field {field} ({values[field]})",
                            pc=pc)
    if insn.dst >= MAX_BPF_REG or insn.src >= MAX_BPF_REG:
        raise LoadError(f"R{max(insn.dst, insn.src)} is invalid", pc=pc)
    if spec.form in _WRITES_DST and insn.dst == BPF_REG_FP:
        raise LoadError("frame pointer is read only", pc=pc)
    if spec.form is Form.CALL and insn.src not in (0, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL):
        raise LoadError("BPF_CALL uses reserved fields", pc=pc)
    if spec.form is Form.LDDW and insn.src > BPF_PSEUDO_MAP_IDX_VALUE:
        raise LoadError(f"invalid LD_IMM64 pseudo source {insn.src}", pc=pc)
    if spec.cpu > cpu:
        raise LoadError(f"{spec.mnemonic} (opcode {insn.code:02x}) needs cpu v{spec.cpu}, "
                        f"program is loaded for v{cpu}", pc=pc)
    return spec


def check_program(data: bytes | bytearray | memoryview | Sequence[Instruction],
                  cpu: str | int = "probe") -> list[Instruction]:
    """Decode and check a program's structure, as the kernel does before verification.

    Refuses (with :class:`LoadError` naming the pc): empty or truncated
    programs, unknown opcodes, nonzero reserved fields, bad registers, writes
    to r10, instructions newer than ``cpu``, a LD_IMM64 without a valid second
    half, jumps out of range or into the middle of LD_IMM64, and a last
    instruction that is neither an exit nor a jump.
    """
    version = cpu_version(cpu)
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if not raw:
            raise LoadError("program is empty", pc=0)
        insns = decode(raw)
        for insn in insns:
            if insn.slots == 2:
                code, regs, off, _ = _INSN.unpack_from(raw, (insn.pc + 1) * INSN_SIZE)
                if code or regs or off:
                    raise LoadError("invalid BPF_LD_IMM insn", pc=insn.pc)
    else:
        insns = list(data)
        if not insns:
            raise LoadError("program is empty", pc=0)
    nslots = insns[-1].pc + insns[-1].slots
    starts = {i.pc for i in insns}
    subprogs = {0}
    specs = []
    for insn in insns:
        spec = check_insn(insn, version)
        specs.append(spec)
        target = jump_target(insn, spec)
        if insn.slots == 2 and insn.src == BPF_PSEUDO_FUNC:
            target = insn.pc + _s32(insn.imm & 0xFFFFFFFF) + 1   # a callback's entry
        if target is None:
            continue
        if not 0 <= target < nslots:
            raise LoadError(f"jump out of range from insn {insn.pc} to {target}", pc=insn.pc)
        if target not in starts:
            raise LoadError(f"jump into the middle of ldimm64 insn {target}", pc=insn.pc)
        if spec.form is Form.CALL or insn.slots == 2:
            subprogs.add(target)
    # check_subprogs: each subprogram's jumps stay inside it, and its last instruction is
    # an exit or a jump, so that no subprogram runs on into the next
    bounds = [*sorted(subprogs), nslots]
    k = 0
    for i, (insn, spec) in enumerate(zip(insns, specs, strict=True)):
        while insn.pc >= bounds[k + 1]:
            k += 1
        target = jump_target(insn, spec)
        if target is not None and spec.form is not Form.CALL and \
                not bounds[k] <= target < bounds[k + 1]:
            raise LoadError(f"jump out of range from insn {insn.pc} to {target}", pc=insn.pc)
        ends = i + 1 == len(insns) or insns[i + 1].pc == bounds[k + 1]
        if ends and spec.form not in (Form.EXIT, Form.JA, Form.JA32):
            raise LoadError("last insn is not an exit or jmp", pc=insn.pc)
    return insns
