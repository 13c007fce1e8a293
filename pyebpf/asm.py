"""Assembler and disassembler for eBPF, in two syntaxes.

``"conformance"`` is the syntax of the bpf_conformance suite (and uBPF):
``ldxw %r0, [%r1+4]``, ``lock fetch add32 [%r10-8], %r1``, ``jne %r0, 1, label``.
``"llvm"`` is the syntax that ``llvm-objdump -d`` and the kernel verifier log
print: ``r0 = *(u32 *)(r1 + 4)``, ``if w1 s< w2 goto -7``,
``r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)``.  The disassembler prints
llvm-objdump 14's spelling (decimal numbers) and, for what llvm 14 cannot
print (v4 instructions, BPF_ST, ``jset``, 32-bit ``xchg``/``cmpxchg``), the
spelling llvm 19 uses and llvm-mc accepts.  The assembler also reads llvm 19's
hexadecimal numbers and the kernel log's spellings (``(r1 +4)``, ``goto pc+3``,
``call bpf_map_lookup_elem#1``, ``atomic64_fetch_add``, the ``12: (bf)`` prefix and
``; ...`` state comments).  A 64-bit immediate load needs its ``ll`` suffix
(``r1 = 0x1122334455667788 ll``): without it the line is a 32-bit ``mov``.

Which instruction a line stands for is found in :data:`pyebpf.isa.SPECS` alone:
the conformance mnemonics are the table's own; the llvm syntax maps a row's
semantic ``op`` and ``width`` to its operator.  The tables below hold only
spelling (operator strings), never opcodes.

Like llvm-objdump, the llvm syntax does not show the ``src`` field of a CALL
(helper, bpf-to-bpf or kfunc call all print as ``call N``); the conformance
syntax shows it (``call 5``, ``call local +3``, ``call runtime 7``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence

from pyebpf import isa
from pyebpf.errors import LoadError
from pyebpf.isa import Form, Instruction, OpSpec

SYNTAXES = ("conformance", "llvm")


class AsmError(LoadError):
    """Assembly text (or an encoding to disassemble) that cannot be translated.

    ``line`` is the 1-based source line for the assembler, ``pc`` the slot
    index for the disassembler; ``reason`` is the message without either.
    """

    def __init__(self, message: str, line: int | None = None, pc: int | None = None) -> None:
        self.line = line
        if line is not None:
            super().__init__(f"line {line}: {message}")
        else:
            super().__init__(message, pc=pc)
        self.reason = message


# --- shared helpers ----------------------------------------------------------------

_BY_SEMANTICS: dict[tuple[str, int, Form], tuple[OpSpec, ...]] = {}
for _s in isa.SPECS:
    _key = (_s.op, _s.width, _s.form)
    _BY_SEMANTICS[_key] = (*_BY_SEMANTICS.get(_key, ()), _s)
del _s, _key

# LD_IMM64 pseudo sources by name: "map_fd", "map_value", ... (from isa's constants).
PSEUDO_NAMES: dict[int, str] = {
    value: name[len("BPF_PSEUDO_"):].lower()
    for name, value in vars(isa).items()
    if name.startswith("BPF_PSEUDO_") and not name.endswith("CALL")
}
_PSEUDO_BY_NAME = {v: k for k, v in PSEUDO_NAMES.items()}

_NUM = r"[+-]?\s*(?:0[xX][0-9a-fA-F]+|\d+)"
_IDENT = r"[A-Za-z_.$][\w.$]*"


def _syntax(syntax: str) -> str:
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown syntax {syntax!r}: expected one of {', '.join(SYNTAXES)}")
    return syntax


def _int(text: str) -> int:
    text = text.replace(" ", "")
    try:
        return int(text, 0)
    except ValueError:
        # int(..., 0) refuses leading zeros in decimal ("0010"); the suites never
        # write octal, so read those as decimal.
        try:
            return int(text, 10)
        except ValueError:
            raise ValueError(f"invalid number {text!r}") from None


def _fit(value: int, bits: int, what: str, unsigned_ok: bool = True) -> int:
    """Check that ``value`` fits a ``bits``-wide field; return it as signed."""
    lo = -(1 << (bits - 1))
    hi = (1 << bits) - 1 if unsigned_ok else (1 << (bits - 1)) - 1
    if not lo <= value <= hi:
        raise ValueError(f"{what} {value} does not fit in {bits} bits")
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _imm64(value: int) -> int:
    if not -(1 << 63) <= value < (1 << 64):
        raise ValueError(f"immediate {value} does not fit in 64 bits")
    return value & ((1 << 64) - 1)


def _make(spec: OpSpec, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> Instruction:
    """The instruction for a table row; the row's variant field is set from the row."""
    fields = {"dst": dst, "src": src, "off": off, "imm": imm}
    if spec.variant is not None:
        fields[spec.variant[0]] = spec.variant[1]
    return Instruction(spec.code, **fields)


def _pick(rows: Iterable[OpSpec], form: Form, variant_value: int | None = None) -> OpSpec | None:
    for s in rows:
        if s.form is not form:
            continue
        if variant_value is None or (s.variant is not None and s.variant[1] == variant_value):
            return s
    return None


@dataclasses.dataclass
class _Fixup:
    index: int  # position in the instruction list
    label: str
    field: str  # "off" or "imm"
    line: int


class _Builder:
    """Collects instructions and labels, then resolves label references."""

    def __init__(self) -> None:
        self.insns: list[Instruction] = []
        self.labels: dict[str, int] = {}
        self.fixups: list[_Fixup] = []
        self.slot = 0
        self.first_exit: int | None = None

    def label(self, name: str, line: int) -> None:
        if name in self.labels:
            raise AsmError(f"duplicate label {name!r}", line)
        self.labels[name] = self.slot

    def emit(self, insn: Instruction, fixup: tuple[str, str] | None, line: int) -> None:
        if fixup is not None:
            self.fixups.append(_Fixup(len(self.insns), fixup[0], fixup[1], line))
        insn = dataclasses.replace(insn, pc=self.slot)
        if self.first_exit is None and insn.code == isa.BPF_JMP | isa.BPF_EXIT:
            self.first_exit = self.slot
        self.insns.append(insn)
        self.slot += insn.slots

    def finish(self, exit_label: bool) -> list[Instruction]:
        labels = dict(self.labels)
        if exit_label and "exit" not in labels and self.first_exit is not None:
            # The conformance assembler lets jumps name "exit": the first exit.
            labels["exit"] = self.first_exit
        for f in self.fixups:
            if f.label not in labels:
                raise AsmError(f"undefined label {f.label!r}", f.line)
            insn = self.insns[f.index]
            delta = labels[f.label] - insn.pc - 1
            bits = 16 if f.field == "off" else 32
            if not -(1 << (bits - 1)) <= delta < (1 << (bits - 1)):
                raise AsmError(f"label {f.label!r} is out of range of a {bits}-bit jump", f.line)
            self.insns[f.index] = dataclasses.replace(insn, **{f.field: delta})
        return self.insns


def _strip_comment(line: str) -> str:
    # '#' starts a comment at the start of a line or after whitespace (the kernel
    # log's "call name#1" keeps its '#'); "//" and ";" always do.
    line = re.sub(r"(^|\s)#.*$", "", line)
    line = re.sub(r"(//|;).*$", "", line)
    return line.strip()


def _target(text: str) -> tuple[int, str | None]:
    """A jump target: (offset, None) for "+3"/"-7"/"pc+3", (0, label) for a name."""
    text = text.strip()
    m = re.fullmatch(r"(?:pc)?\s*([+-]\s*(?:0[xX][0-9a-fA-F]+|\d+))", text)
    if m:
        return _int(m.group(1)), None
    if re.fullmatch(_IDENT, text):
        return 0, text
    raise ValueError(f"invalid jump target {text!r}")


# --- conformance syntax -------------------------------------------------------------

# Spellings the suite accepts besides the table's mnemonics: swapN for bswapN.
_CONF_ALIASES = {
    "swap" + m[len("bswap"):]: m for m in isa.BY_MNEMONIC if m.startswith("bswap")
}
_CONF_MNEMONICS = set(isa.BY_MNEMONIC) | set(_CONF_ALIASES)
_CALL_KINDS = {"helper": 0, "local": isa.BPF_PSEUDO_CALL, "runtime": isa.BPF_PSEUDO_KFUNC_CALL}
_CALL_KIND_NAMES = {v: k for k, v in _CALL_KINDS.items()}
_CONF_REG = re.compile(r"%r(\d+)")
_CONF_MEM = re.compile(r"\[\s*%r(\d+)\s*(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\]")


def _conf_reg(text: str) -> int:
    m = _CONF_REG.fullmatch(text.strip())
    if not m or int(m.group(1)) > 15:
        raise ValueError(f"invalid register {text.strip()!r}")
    return int(m.group(1))


def _conf_mem(text: str) -> tuple[int, int]:
    m = _CONF_MEM.fullmatch(text.strip())
    if not m:
        raise ValueError(f"invalid memory operand {text.strip()!r}")
    reg = int(m.group(1))
    if reg > 15:
        raise ValueError(f"invalid register %r{reg}")
    off = 0 if m.group(2) is None else _int(m.group(2) + m.group(3))
    return reg, _fit(off, 16, "offset", unsigned_ok=False)


def _conf_line(text: str) -> tuple[Instruction, tuple[str, str] | None]:
    words = text.split()
    mnemonic = None
    for n in (3, 2, 1):
        cand = " ".join(words[:n])
        if cand in _CONF_MNEMONICS:
            mnemonic, rest = cand, text.split(None, n)[n:]
            break
    if mnemonic is None:
        raise ValueError(f"unknown mnemonic {words[0]!r}")
    mnemonic = _CONF_ALIASES.get(mnemonic, mnemonic)
    rest_text = rest[0] if rest else ""
    ops = [o.strip() for o in rest_text.split(",")] if rest_text.strip() else []
    rows = isa.BY_MNEMONIC[mnemonic]

    if mnemonic == "call":
        return _conf_call(rest_text.split())
    forms = {s.form for s in rows}

    def need(n: int) -> None:
        if len(ops) != n:
            raise ValueError(f"{mnemonic} takes {n} operand{'s' * (n != 1)}, got {len(ops)}")

    if forms & {Form.ALU_REG, Form.ALU_IMM}:
        need(2)
        dst = _conf_reg(ops[0])
        if ops[1].startswith("%"):
            spec = _pick(rows, Form.ALU_REG)
            assert spec is not None
            return _make(spec, dst=dst, src=_conf_reg(ops[1])), None
        spec = _pick(rows, Form.ALU_IMM)
        assert spec is not None
        return _make(spec, dst=dst, imm=_fit(_int(ops[1]), 32, "immediate")), None
    if forms & {Form.JCOND_REG, Form.JCOND_IMM}:
        need(3)
        dst = _conf_reg(ops[0])
        off, label = _target(ops[2])
        fix = (label, "off") if label else None
        off = _fit(off, 16, "jump offset", unsigned_ok=False)
        if ops[1].startswith("%"):
            spec = _pick(rows, Form.JCOND_REG)
            assert spec is not None
            return _make(spec, dst=dst, src=_conf_reg(ops[1]), off=off), fix
        spec = _pick(rows, Form.JCOND_IMM)
        assert spec is not None
        return _make(spec, dst=dst, imm=_fit(_int(ops[1]), 32, "immediate"), off=off), fix
    (spec,) = rows
    form = spec.form
    if form in (Form.NEG, Form.END, Form.CALLX):
        need(1)
        return _make(spec, dst=_conf_reg(ops[0])), None
    if form is Form.MOVSX:
        need(2)
        return _make(spec, dst=_conf_reg(ops[0]), src=_conf_reg(ops[1])), None
    if form is Form.LDX:
        need(2)
        src, off = _conf_mem(ops[1])
        return _make(spec, dst=_conf_reg(ops[0]), src=src, off=off), None
    if form is Form.ST:
        need(2)
        dst, off = _conf_mem(ops[0])
        return _make(spec, dst=dst, off=off, imm=_fit(_int(ops[1]), 32, "immediate")), None
    if form in (Form.STX, Form.ATOMIC):
        need(2)
        dst, off = _conf_mem(ops[0])
        return _make(spec, dst=dst, src=_conf_reg(ops[1]), off=off), None
    if form is Form.LDDW:
        need(2)
        value = ops[1].split()
        src = 0
        if len(value) == 2 and value[0] in _PSEUDO_BY_NAME:
            src = _PSEUDO_BY_NAME[value[0]]
            value = value[1:]
        if len(value) != 1:
            raise ValueError(f"invalid lddw operand {ops[1]!r}")
        return _make(spec, dst=_conf_reg(ops[0]), src=src, imm=_imm64(_int(value[0]))), None
    if form is Form.LDABS:
        need(1)
        return _make(spec, imm=_fit(_int(ops[0]), 32, "immediate")), None
    if form is Form.LDIND:
        need(2)
        return _make(spec, src=_conf_reg(ops[0]), imm=_fit(_int(ops[1]), 32, "immediate")), None
    if form in (Form.JA, Form.JA32):
        need(1)
        field = "off" if form is Form.JA else "imm"
        value, label = _target(ops[0])
        value = _fit(value, 16 if form is Form.JA else 32, "jump offset", unsigned_ok=False)
        return _make(spec, **{field: value}), ((label, field) if label else None)
    if form is Form.EXIT:
        need(0)
        return _make(spec), None
    raise AssertionError(f"form {form} has no conformance syntax")  # pragma: no cover


def _conf_call(words: list[str]) -> tuple[Instruction, tuple[str, str] | None]:
    """``call 5``, ``call helper 5``, ``call local label|+3``, ``call runtime 7``, ``call %r2``."""
    if len(words) == 1:
        words = ["helper", *words]
    if len(words) != 2 or words[0] not in _CALL_KINDS:
        raise ValueError("call takes a helper id, 'local <target>', 'runtime <id>' or a register")
    kind, arg = words
    if arg.startswith("%"):
        if kind != "helper":
            raise ValueError("only a helper call can take a register")
        (spec,) = isa.BY_MNEMONIC["callx"]
        return _make(spec, dst=_conf_reg(arg)), None
    (spec,) = isa.BY_MNEMONIC["call"]
    if kind == "local":
        value, label = _target(arg)
        insn = _make(spec, src=isa.BPF_PSEUDO_CALL, imm=_fit(value, 32, "call offset", False))
        return insn, ((label, "imm") if label else None)
    return _make(spec, src=_CALL_KINDS[kind], imm=_fit(_int(arg), 32, "immediate")), None


def _conf_num(value: int) -> str:
    if -1024 <= value <= 1024:
        return str(value)
    return f"-{-value:#x}" if value < 0 else f"{value:#x}"


def _conf_mem_text(reg: int, off: int) -> str:
    return f"[%r{reg}]" if off == 0 else f"[%r{reg}{off:+d}]"


def _conf_format(insn: Instruction, spec: OpSpec) -> str:
    m, form = spec.mnemonic, spec.form
    d, s = f"%r{insn.dst}", f"%r{insn.src}"
    if form is Form.ALU_REG or form is Form.MOVSX:
        return f"{m} {d}, {s}"
    if form is Form.ALU_IMM:
        return f"{m} {d}, {_conf_num(insn.imm)}"
    if form in (Form.NEG, Form.END, Form.CALLX):
        return f"{m} {d}"
    if form is Form.LDX:
        return f"{m} {d}, {_conf_mem_text(insn.src, insn.off)}"
    if form is Form.ST:
        return f"{m} {_conf_mem_text(insn.dst, insn.off)}, {_conf_num(insn.imm)}"
    if form in (Form.STX, Form.ATOMIC):
        return f"{m} {_conf_mem_text(insn.dst, insn.off)}, {s}"
    if form is Form.LDDW:
        value = str(insn.imm) if insn.imm <= 1024 else f"{insn.imm:#x}"
        pseudo = f"{PSEUDO_NAMES[insn.src]} " if insn.src else ""
        return f"{m} {d}, {pseudo}{value}"
    if form is Form.LDABS:
        return f"{m} {_conf_num(insn.imm)}"
    if form is Form.LDIND:
        return f"{m} {s}, {_conf_num(insn.imm)}"
    if form is Form.JA:
        return f"{m} {insn.off:+d}"
    if form is Form.JA32:
        return f"{m} {insn.imm:+d}"
    if form is Form.JCOND_REG:
        return f"{m} {d}, {s}, {insn.off:+d}"
    if form is Form.JCOND_IMM:
        return f"{m} {d}, {_conf_num(insn.imm)}, {insn.off:+d}"
    if form is Form.CALL:
        if insn.src == 0:
            return f"{m} {_conf_num(insn.imm)}"
        if insn.src == isa.BPF_PSEUDO_CALL:
            return f"{m} local {insn.imm:+d}"
        return f"{m} {_CALL_KIND_NAMES[insn.src]} {_conf_num(insn.imm)}"
    if form is Form.EXIT:
        return m
    raise AssertionError(f"form {form} has no conformance syntax")  # pragma: no cover


# --- llvm / kernel syntax --------------------------------------------------------------

# Operator spelling of each ALU, jump and atomic op (keyed by isa's semantic op).
LLVM_ALU_OPERATORS: dict[str, str] = {
    "add": "+=", "sub": "-=", "mul": "*=", "div": "/=", "sdiv": "s/=", "mod": "%=",
    "smod": "s%=", "or": "|=", "and": "&=", "lsh": "<<=", "rsh": ">>=", "arsh": "s>>=",
    "xor": "^=", "mov": "=",
}
LLVM_JMP_OPERATORS: dict[str, str] = {
    "jeq": "==", "jne": "!=", "jgt": ">", "jge": ">=", "jlt": "<", "jle": "<=",
    "jsgt": "s>", "jsge": "s>=", "jslt": "s<", "jsle": "s<=", "jset": "&",
}
LLVM_ATOMIC_OPERATORS: dict[str, str] = {
    "atomic_add": "+=", "atomic_or": "|=", "atomic_and": "&=", "atomic_xor": "^=",
}
_ALU_BY_OPERATOR = {v: k for k, v in LLVM_ALU_OPERATORS.items()}
_JMP_BY_OPERATOR = {v: k for k, v in LLVM_JMP_OPERATORS.items()}
_ATOMIC_BY_OPERATOR = {v: k for k, v in LLVM_ATOMIC_OPERATORS.items()}


def _alternation(ops: Iterable[str]) -> str:
    return "|".join(re.escape(o) for o in sorted(ops, key=len, reverse=True))


_R = r"[rw]\d+"
_SIZE = r"\*\s*\(\s*([us])(8|16|32|64)\s*\*\s*\)"
_ADDR = r"\(\s*(r\d+)\s*(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\)"
_MEM = _SIZE + r"\s*" + _ADDR
_TGT = rf"(?:pc\s*)?[+-]\s*(?:0[xX][0-9a-fA-F]+|\d+)|{_IDENT}"
_LLVM_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern)) for name, pattern in [
        ("exit", r"exit"),
        ("callx", rf"callx\s+({_R})"),
        ("call", rf"call\s+(?:({_IDENT})#)?({_NUM})"),
        ("call_local", r"call\s+pc\s*([+-]\s*\d+)"),
        ("goto", rf"(gotol?)\s+({_TGT})"),
        ("jcond", rf"if\s+({_R})\s*({_alternation(_JMP_BY_OPERATOR)})\s*({_R}|{_NUM})"
                  rf"\s+goto\s+({_TGT})"),
        ("atomic", rf"lock\s+{_MEM}\s*({_alternation(_ATOMIC_BY_OPERATOR)})\s*({_R})"),
        ("fetch", rf"({_R})\s*=\s*atomic(?:64)?_fetch_(add|or|and|xor)\s*\(\s*\(\s*u(32|64)\s*"
                  rf"\*\s*\)\s*{_ADDR}\s*,\s*({_R})\s*\)"),
        ("xchg", rf"({_R})\s*=\s*(xchg_64|xchg32_32)\s*\(\s*(r\d+)\s*(?:([+-])\s*"
                 rf"(0[xX][0-9a-fA-F]+|\d+))?\s*,\s*({_R})\s*\)"),
        ("xchg_k", rf"({_R})\s*=\s*atomic(64)?_xchg\s*\(\s*\(\s*u(?:32|64)\s*\*\s*\)\s*{_ADDR}"
                   rf"\s*,\s*({_R})\s*\)"),
        ("cmpxchg", rf"({_R})\s*=\s*(cmpxchg_64|cmpxchg32_32)\s*\(\s*(r\d+)\s*(?:([+-])\s*"
                    rf"(0[xX][0-9a-fA-F]+|\d+))?\s*,\s*({_R})\s*,\s*({_R})\s*\)"),
        ("cmpxchg_k", rf"({_R})\s*=\s*atomic(64)?_cmpxchg\s*\(\s*\(\s*u(?:32|64)\s*\*\s*\)\s*"
                      rf"{_ADDR}\s*,\s*({_R})\s*,\s*({_R})\s*\)"),
        ("load_acq", rf"({_R})\s*=\s*load_acquire\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*"
                     rf"{_ADDR}\s*\)"),
        ("store_rel", rf"store_release\s*\(\s*\(\s*u(8|16|32|64)\s*\*\s*\)\s*{_ADDR}\s*,"
                      rf"\s*({_R})\s*\)"),
        ("may_goto", rf"may_goto\s+({_TGT})"),
        ("lddw", rf"(r\d+)\s*=\s*({_NUM})\s+ll"),
        ("ld_pseudo", rf"ld_pseudo\s+(r\d+)\s*,\s*({_NUM})\s*,\s*({_NUM})"),
        ("ldabs", rf"(r\d+)\s*=\s*\*\s*\(\s*u(8|16|32)\s*\*\s*\)\s*skb\s*\[\s*({_NUM})\s*\]"),
        ("ldind", r"(r\d+)\s*=\s*\*\s*\(\s*u(8|16|32)\s*\*\s*\)\s*skb\s*\[\s*(r\d+)\s*"
                  r"(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\]"),
        ("ldx", rf"({_R})\s*=\s*{_MEM}"),
        ("stx", rf"{_MEM}\s*=\s*({_R})"),
        ("st", rf"{_MEM}\s*=\s*({_NUM})"),
        ("end", rf"({_R})\s*=\s*(be|le|bswap)(16|32|64)\s+({_R})"),
        ("neg", rf"({_R})\s*=\s*-\s*({_R})"),
        ("movsx", rf"({_R})\s*=\s*\(\s*s(8|16|32)\s*\)\s*({_R})"),
        ("alu", rf"({_R})\s*({_alternation(_ALU_BY_OPERATOR)})\s*({_R}|{_NUM})"),
    ]
]


def _reg(text: str, width: int | None = None) -> int:
    """Register number of "r3"/"w3"; ``width`` 32 wants w, 64 wants r, None either."""
    n = int(text[1:])
    if n > 15:
        raise ValueError(f"invalid register {text}")
    if (width == 64 and text[0] != "r") or (width == 32 and text[0] != "w"):
        raise ValueError(f"register {text} does not match a {width}-bit operation")
    return n


def _width(text: str) -> int:
    return 64 if text[0] == "r" else 32


def _off(sign: str | None, number: str | None) -> int:
    if sign is None:
        return 0
    return _fit(_int(sign + (number or "")), 16, "offset", unsigned_ok=False)


def _sem(op: str, width: int, form: Form, variant_value: int | None = None) -> OpSpec:
    spec = _pick(_BY_SEMANTICS.get((op, width, form), ()), form, variant_value)
    if spec is None:
        raise ValueError(f"no {width}-bit {op} instruction")
    return spec


def _llvm_line(text: str) -> tuple[Instruction, tuple[str, str] | None]:
    text = re.sub(r"\s*<[^<>]*>$", "", text)  # llvm-objdump's "<LBB0_2>" annotation
    text = re.sub(r"^\d+:\s*\([0-9a-fA-F]{2}\)\s*", "", text)  # the kernel log's "12: (bf) "
    for name, pattern in _LLVM_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            return _LLVM_BUILDERS[name](m.groups())
    raise ValueError(f"cannot parse {text!r}")


def _b_exit(g: Sequence[str]) -> tuple[Instruction, None]:
    return _make(_sem("exit", 64, Form.EXIT)), None


def _b_callx(g: Sequence[str]) -> tuple[Instruction, None]:
    return _make(_sem("callx", 64, Form.CALLX), dst=_reg(g[0], 64)), None


def _b_call(g: Sequence[str]) -> tuple[Instruction, None]:
    # "call 1", the kernel log's "call bpf_map_lookup_elem#1", and "call kfunc#N"
    # (the spelling exact=True gives a kfunc call).
    src = isa.BPF_PSEUDO_KFUNC_CALL if g[0] == _KFUNC else 0
    return _make(_sem("call", 64, Form.CALL), src=src,
                 imm=_fit(_int(g[1]), 32, "immediate")), None


def _b_call_local(g: Sequence[str]) -> tuple[Instruction, None]:
    imm = _fit(_int(g[0]), 32, "call offset", unsigned_ok=False)
    return _make(_sem("call", 64, Form.CALL), src=isa.BPF_PSEUDO_CALL, imm=imm), None


def _b_goto(g: Sequence[str]) -> tuple[Instruction, tuple[str, str] | None]:
    long = g[0] == "gotol"
    value, label = _target(g[1].replace("pc", ""))
    field = "imm" if long else "off"
    spec = _sem("ja", 32 if long else 64, Form.JA32 if long else Form.JA)
    value = _fit(value, 32 if long else 16, "jump offset", unsigned_ok=False)
    return _make(spec, **{field: value}), ((label, field) if label else None)


def _b_jcond(g: Sequence[str]) -> tuple[Instruction, tuple[str, str] | None]:
    width = _width(g[0])
    op = _JMP_BY_OPERATOR[g[1]]
    off, label = _target(g[3].replace("pc", ""))
    off = _fit(off, 16, "jump offset", unsigned_ok=False)
    fix = (label, "off") if label else None
    dst = _reg(g[0], width)
    if re.fullmatch(_R, g[2]):
        spec = _sem(op, width, Form.JCOND_REG)
        return _make(spec, dst=dst, src=_reg(g[2], width), off=off), fix
    spec = _sem(op, width, Form.JCOND_IMM)
    return _make(spec, dst=dst, imm=_fit(_int(g[2]), 32, "immediate"), off=off), fix


def _mem_width(sign: str, bits: str, allow_signed: bool) -> int:
    if sign == "s" and not allow_signed:
        raise ValueError(f"a store has no signed size s{bits}")
    return int(bits) // 8


def _b_atomic(g: Sequence[str]) -> tuple[Instruction, None]:
    sign, bits, base, osign, onum, operator, src = g
    spec = _sem(_ATOMIC_BY_OPERATOR[operator], _mem_width(sign, bits, False), Form.ATOMIC)
    return _make(spec, dst=_reg(base), src=_reg(src), off=_off(osign, onum)), None


def _atomic_result(result: str, src: str) -> int:
    """The fetch forms write back into their source register: both must be the same.

    Either register letter is taken for a 32-bit access: llvm writes ``w0``, the
    kernel log ``r0``.
    """
    if _reg(result) != _reg(src):
        raise ValueError(f"{result} must be the same register as {src}")
    return _reg(src)


def _b_fetch(g: Sequence[str]) -> tuple[Instruction, None]:
    result, op, bits, base, osign, onum, src = g
    nbytes = int(bits) // 8
    spec = _sem(f"atomic_fetch_{op}", nbytes, Form.ATOMIC)
    reg = _atomic_result(result, src)
    return _make(spec, dst=_reg(base), src=reg, off=_off(osign, onum)), None


def _b_xchg(g: Sequence[str]) -> tuple[Instruction, None]:
    result, name, base, osign, onum, src = g
    nbytes = 8 if name == "xchg_64" else 4
    reg = _atomic_result(result, src)
    spec = _sem("atomic_xchg", nbytes, Form.ATOMIC)
    return _make(spec, dst=_reg(base), src=reg, off=_off(osign, onum)), None


def _b_xchg_k(g: Sequence[str]) -> tuple[Instruction, None]:
    result, is64, base, osign, onum, src = g
    return _b_xchg((result, "xchg_64" if is64 else "xchg32_32", base, osign, onum, src))


def _b_cmpxchg(g: Sequence[str]) -> tuple[Instruction, None]:
    result, name, base, osign, onum, old, src = g
    nbytes = 8 if name == "cmpxchg_64" else 4
    if _reg(result) != 0 or _reg(old) != 0:
        raise ValueError("cmpxchg compares against and writes r0")
    spec = _sem("atomic_cmpxchg", nbytes, Form.ATOMIC)
    return _make(spec, dst=_reg(base), src=_reg(src), off=_off(osign, onum)), None


def _b_cmpxchg_k(g: Sequence[str]) -> tuple[Instruction, None]:
    result, is64, base, osign, onum, old, src = g
    name = "cmpxchg_64" if is64 else "cmpxchg32_32"
    return _b_cmpxchg((result, name, base, osign, onum, old, src))


def _b_load_acq(g: Sequence[str]) -> tuple[Instruction, None]:
    dst, bits, base, osign, onum = g
    spec = _sem("load_acquire", int(bits) // 8, Form.LDX)
    return _make(spec, dst=_reg(dst), src=_reg(base), off=_off(osign, onum)), None


def _b_store_rel(g: Sequence[str]) -> tuple[Instruction, None]:
    bits, base, osign, onum, src = g
    spec = _sem("store_release", int(bits) // 8, Form.STX)
    return _make(spec, dst=_reg(base), src=_reg(src), off=_off(osign, onum)), None


def _b_may_goto(g: Sequence[str]) -> tuple[Instruction, tuple[str, str] | None]:
    off, label = _target(g[0])
    spec = _sem("may_goto", 64, Form.JA)
    off = _fit(off, 16, "jump offset", unsigned_ok=False)
    return _make(spec, off=off), ((label, "off") if label else None)


def _b_lddw(g: Sequence[str]) -> tuple[Instruction, None]:
    return _make(_sem("lddw", 8, Form.LDDW), dst=_reg(g[0]), imm=_imm64(_int(g[1]))), None


def _b_ld_pseudo(g: Sequence[str]) -> tuple[Instruction, None]:
    src = _int(g[1])
    if not 0 <= src <= 15:
        raise ValueError(f"invalid pseudo source {src}")
    spec = _sem("lddw", 8, Form.LDDW)
    return _make(spec, dst=_reg(g[0]), src=src, imm=_imm64(_int(g[2]))), None


def _b_ldabs(g: Sequence[str]) -> tuple[Instruction, None]:
    if _reg(g[0]) != 0:
        raise ValueError("packet loads write r0")
    spec = _sem("ldabs", int(g[1]) // 8, Form.LDABS)
    return _make(spec, imm=_fit(_int(g[2]), 32, "immediate")), None


def _b_ldind(g: Sequence[str]) -> tuple[Instruction, None]:
    if _reg(g[0]) != 0:
        raise ValueError("packet loads write r0")
    spec = _sem("ldind", int(g[1]) // 8, Form.LDIND)
    imm = 0 if g[3] is None else _fit(_int(g[3] + g[4]), 32, "immediate")
    return _make(spec, src=_reg(g[2]), imm=imm), None


def _b_ldx(g: Sequence[str]) -> tuple[Instruction, None]:
    dst, sign, bits, base, osign, onum = g
    nbytes = _mem_width(sign, bits, True)
    spec = _sem("ldxs" if sign == "s" else "ldx", nbytes, Form.LDX)
    return _make(spec, dst=_reg(dst), src=_reg(base), off=_off(osign, onum)), None


def _b_stx(g: Sequence[str]) -> tuple[Instruction, None]:
    sign, bits, base, osign, onum, src = g
    spec = _sem("stx", _mem_width(sign, bits, False), Form.STX)
    return _make(spec, dst=_reg(base), src=_reg(src), off=_off(osign, onum)), None


def _b_st(g: Sequence[str]) -> tuple[Instruction, None]:
    sign, bits, base, osign, onum, value = g
    spec = _sem("st", _mem_width(sign, bits, False), Form.ST)
    imm = _fit(_int(value), 32, "immediate")
    return _make(spec, dst=_reg(base), off=_off(osign, onum), imm=imm), None


def _b_end(g: Sequence[str]) -> tuple[Instruction, None]:
    dst, op, bits, src = g
    if _reg(dst) != _reg(src):
        raise ValueError(f"{op}{bits} converts a register in place: {dst} != {src}")
    return _make(_sem(op, int(bits), Form.END), dst=_reg(dst)), None


def _b_neg(g: Sequence[str]) -> tuple[Instruction, None]:
    width = _width(g[0])
    if _reg(g[0], width) != _reg(g[1], width):
        raise ValueError(f"neg negates a register in place: {g[0]} != {g[1]}")
    return _make(_sem("neg", width, Form.NEG), dst=_reg(g[0])), None


def _b_movsx(g: Sequence[str]) -> tuple[Instruction, None]:
    width = _width(g[0])
    spec = _sem("movsx", width, Form.MOVSX, int(g[1]))
    return _make(spec, dst=_reg(g[0], width), src=_reg(g[2], width)), None


def _b_alu(g: Sequence[str]) -> tuple[Instruction, None]:
    width = _width(g[0])
    op = _ALU_BY_OPERATOR[g[1]]
    dst = _reg(g[0], width)
    if re.fullmatch(_R, g[2]):
        return _make(_sem(op, width, Form.ALU_REG), dst=dst, src=_reg(g[2], width)), None
    return _make(_sem(op, width, Form.ALU_IMM), dst=dst,
                 imm=_fit(_int(g[2]), 32, "immediate")), None


_LLVM_BUILDERS = {
    "exit": _b_exit, "callx": _b_callx, "call": _b_call, "call_local": _b_call_local,
    "goto": _b_goto, "jcond": _b_jcond, "atomic": _b_atomic, "fetch": _b_fetch,
    "xchg": _b_xchg, "xchg_k": _b_xchg_k, "cmpxchg": _b_cmpxchg, "cmpxchg_k": _b_cmpxchg_k,
    "load_acq": _b_load_acq, "store_rel": _b_store_rel, "may_goto": _b_may_goto,
    "lddw": _b_lddw, "ld_pseudo": _b_ld_pseudo, "ldabs": _b_ldabs, "ldind": _b_ldind,
    "ldx": _b_ldx, "stx": _b_stx, "st": _b_st, "end": _b_end, "neg": _b_neg,
    "movsx": _b_movsx, "alu": _b_alu,
}

_KFUNC = "kfunc"


def _llvm_mem(nbytes: int, reg: int, off: int, signed: bool = False) -> str:
    sign = "-" if off < 0 else "+"
    return f"*({'s' if signed else 'u'}{nbytes * 8} *)(r{reg} {sign} {abs(off)})"


def _llvm_format(insn: Instruction, spec: OpSpec, exact: bool) -> str:
    form, op = spec.form, spec.op
    rc = "r" if spec.width == 64 else "w"
    d, s = f"{rc}{insn.dst}", f"{rc}{insn.src}"
    if form is Form.ALU_REG:
        return f"{d} {LLVM_ALU_OPERATORS[op]} {s}"
    if form is Form.ALU_IMM:
        return f"{d} {LLVM_ALU_OPERATORS[op]} {insn.imm}"
    if form is Form.NEG:
        return f"{d} = -{d}"
    if form is Form.END:
        return f"r{insn.dst} = {op}{spec.width} r{insn.dst}"
    if form is Form.MOVSX:
        assert spec.variant is not None
        return f"{d} = (s{spec.variant[1]}){s}"
    if op in ("load_acquire", "store_release"):
        reg = "r" if spec.width == 8 else "w"
        addr = f"(u{spec.width * 8} *)(r{insn.dst if op == 'store_release' else insn.src} " \
               f"{'-' if insn.off < 0 else '+'} {abs(insn.off)})"
        if op == "load_acquire":
            return f"{reg}{insn.dst} = load_acquire({addr})"
        return f"store_release({addr}, {reg}{insn.src})"
    if op == "may_goto":
        return f"may_goto {insn.off:+d}"
    if form is Form.LDX:
        return f"r{insn.dst} = {_llvm_mem(spec.width, insn.src, insn.off, op == 'ldxs')}"
    if form is Form.ST:
        return f"{_llvm_mem(spec.width, insn.dst, insn.off)} = {insn.imm}"
    if form is Form.STX:
        return f"{_llvm_mem(spec.width, insn.dst, insn.off)} = r{insn.src}"
    if form is Form.ATOMIC:
        w = "w" if spec.width == 4 else "r"
        bits = spec.width * 8
        addr = f"r{insn.dst} {'-' if insn.off < 0 else '+'} {abs(insn.off)}"
        if op in LLVM_ATOMIC_OPERATORS:
            return f"lock {_llvm_mem(spec.width, insn.dst, insn.off)} " \
                   f"{LLVM_ATOMIC_OPERATORS[op]} r{insn.src}"
        if op.startswith("atomic_fetch_"):
            return f"{w}{insn.src} = {op}((u{bits} *)({addr}), {w}{insn.src})"
        suffix = "_64" if bits == 64 else "32_32"
        if op == "atomic_xchg":
            return f"{w}{insn.src} = xchg{suffix}({addr}, {w}{insn.src})"
        if op == "atomic_cmpxchg":
            return f"{w}0 = cmpxchg{suffix}({addr}, {w}0, {w}{insn.src})"
    if form is Form.LDDW:
        if insn.src:
            return f"ld_pseudo r{insn.dst}, {insn.src}, {insn.imm}"
        value = insn.imm - (1 << 64) if insn.imm >> 63 else insn.imm
        return f"r{insn.dst} = {value} ll"
    if form is Form.LDABS:
        return f"r0 = *(u{spec.width * 8} *)skb[{insn.imm}]"
    if form is Form.LDIND:
        extra = "" if insn.imm == 0 else f" {'-' if insn.imm < 0 else '+'} {abs(insn.imm)}"
        return f"r0 = *(u{spec.width * 8} *)skb[r{insn.src}{extra}]"
    if form is Form.JA:
        return f"goto {insn.off:+d}"
    if form is Form.JA32:
        return f"gotol {insn.imm:+d}"
    if form is Form.JCOND_REG:
        return f"if {d} {LLVM_JMP_OPERATORS[op]} {s} goto {insn.off:+d}"
    if form is Form.JCOND_IMM:
        return f"if {d} {LLVM_JMP_OPERATORS[op]} {insn.imm} goto {insn.off:+d}"
    if form is Form.CALL:
        if exact and insn.src == isa.BPF_PSEUDO_CALL:
            return f"call pc{insn.imm:+d}"
        if exact and insn.src == isa.BPF_PSEUDO_KFUNC_CALL:
            return f"call {_KFUNC}#{insn.imm}"
        return f"call {insn.imm}"
    if form is Form.CALLX:
        return f"callx r{insn.dst}"
    if form is Form.EXIT:
        return "exit"
    raise AssertionError(f"no llvm syntax for {spec.ident}")  # pragma: no cover


# --- public API -------------------------------------------------------------------------


def assemble(text: str, syntax: str = "conformance", *,
             maps: Sequence[str] | Mapping[str, int] | None = None,
             program: str | None = None) -> list[Instruction]:
    """Translate assembly text into instructions (``pc`` = slot index).

    Lines hold one instruction, a ``label:`` (optionally followed by an
    instruction), a comment (``#`` in both syntaxes; ``//`` and ``;`` too) or
    nothing.  Jumps take ``+N``/``-N`` or a label; in the conformance syntax
    ``exit`` names the first exit instruction unless defined as a label.
    Raises :class:`AsmError` with the line number and the reason.

    In the llvm syntax ``r1 = map[name]`` and ``r1 = map[name] + 8`` (bpftool's and
    ``pyebpf disasm``'s spelling) load a map or a pointer into its value: with ``maps``
    a mapping of names to fds they are BPF_PSEUDO_MAP_FD/MAP_VALUE loads of those fds,
    otherwise BPF_PSEUDO_MAP_IDX/MAP_IDX_VALUE indices into the fd_array, in the order
    ``maps`` lists the names or, without it, in the order of ``pyebpf disasm``'s
    ``name (section s, maps: a b):`` header, or of first use.  Text with several such
    headers (a whole object's disassembly) needs ``program``.
    """
    return assemble_program(text, syntax, maps=maps, program=program)[0]


_HEADER = re.compile(r"\s*([\w.$]+) \(section ([^,()]*)(?:, maps: ([^()]*))?\):\s*")
_MAP_REF = re.compile(r"(r\d+)\s*=\s*map\[([^\]\s]+)\](?:\s*\+\s*(0[xX][0-9a-fA-F]+|\d+))?"
                      r"(?:\s+ll)?")


def assemble_program(text: str, syntax: str = "conformance", *,
                     maps: Sequence[str] | Mapping[str, int] | None = None,
                     program: str | None = None) -> tuple[list[Instruction], list[str]]:
    """:func:`assemble`, and the map names in fd_array order (what ``map[name]``
    indices mean; empty when ``maps`` gives fds)."""
    lines = text.splitlines()
    headers = [(i, m) for i, ln in enumerate(lines) if (m := _HEADER.fullmatch(ln))]
    first_line = 0
    if headers:
        names = [m.group(1) for _, m in headers]
        if program is None and len(headers) > 1:
            raise AsmError(f"the text holds several programs ({', '.join(names)}): "
                           "choose one", 0)
        chosen = [k for k, (_, m) in enumerate(headers) if program in (None, m.group(1))]
        if not chosen:
            raise AsmError(f"no program {program!r} in the text (programs: "
                           f"{', '.join(names)})", 0)
        k = chosen[0]
        start, m = headers[k]
        end = headers[k + 1][0] if k + 1 < len(headers) else len(lines)
        first_line = start + 1
        lines = lines[start + 1:end]
        if maps is None and m.group(3):
            maps = m.group(3).split()
    elif program is not None:
        raise AsmError(f"no program {program!r} in the text (it has no program headers)", 0)
    fds = maps if isinstance(maps, Mapping) else None
    order: list[str] = [] if maps is None or fds is not None else list(maps)
    fixed = maps is not None
    parse = _conf_line if _syntax(syntax) == "conformance" else _llvm_line
    builder = _Builder()
    for lineno, raw in enumerate(lines, first_line + 1):
        line = _strip_comment(raw)
        while True:
            m = re.match(rf"({_IDENT})\s*:(?!=)\s*", line)
            if not m:
                break
            builder.label(m.group(1), lineno)
            line = line[m.end():]
        if not line:
            continue
        try:
            ref = _MAP_REF.fullmatch(re.sub(r"^\d+:\s*\([0-9a-fA-F]{2}\)\s*", "", line)) \
                if parse is _llvm_line else None
            if ref is not None:
                insn, fixup = _map_load(ref.groups(), fds, order, fixed), None
            else:
                insn, fixup = parse(line)
        except ValueError as exc:
            raise AsmError(str(exc), lineno) from None
        builder.emit(insn, fixup, lineno)
    return builder.finish(exit_label=syntax == "conformance"), order


def _map_load(g: Sequence[str], fds: Mapping[str, int] | None, order: list[str],
              fixed: bool) -> Instruction:
    dst, name, off = _reg(g[0], 64), g[1], _int(g[2]) if g[2] else None
    if off is not None and not 0 <= off < 1 << 29:
        raise ValueError(f"map value offset {off} out of range")
    if fds is not None:
        if name not in fds:
            raise ValueError(f"no map {name!r} (maps: {', '.join(fds) or 'none'})")
        ref, src = fds[name] & 0xFFFFFFFF, isa.BPF_PSEUDO_MAP_FD
        if off is not None:
            src = isa.BPF_PSEUDO_MAP_VALUE
    else:
        if name not in order:
            if fixed:
                raise ValueError(f"no map {name!r} (maps: {', '.join(order) or 'none'})")
            order.append(name)
        ref, src = order.index(name), isa.BPF_PSEUDO_MAP_IDX
        if off is not None:
            src = isa.BPF_PSEUDO_MAP_IDX_VALUE
    imm = ref | ((off or 0) << 32)
    return _make(_sem("lddw", 8, Form.LDDW), dst=dst, src=src, imm=imm)


def assemble_bytes(text: str, syntax: str = "conformance") -> bytes:
    """:func:`assemble`, encoded as the kernel's ``struct bpf_insn`` array."""
    return isa.encode(assemble(text, syntax))


def format_insn(insn: Instruction, syntax: str = "conformance", *, exact: bool = False) -> str:
    """One instruction as text; :class:`AsmError` for an encoding the syntax cannot show.

    Illegal opcodes and nonzero reserved fields are refused rather than
    printed, so that text never silently drops bits of an instruction.  In
    the llvm syntax a CALL prints as llvm-objdump prints it (``call N``,
    whatever its ``src``) unless ``exact`` is true: then a bpf-to-bpf call
    prints as the kernel log does (``call pc+3``) and a kfunc call as
    ``call kfunc#N``, so that the text keeps every bit.
    """
    spec = insn.spec
    if spec is None:
        raise AsmError(f"no instruction has opcode {insn.code:#04x} with off {insn.off} "
                       f"and imm {insn.imm}", pc=insn.pc)
    values = {"dst": insn.dst, "src": insn.src, "off": insn.off, "imm": insn.imm}
    for field in sorted(spec.zero):
        if values[field]:
            raise AsmError(f"{spec.mnemonic} has nonzero reserved field {field} "
                           f"({values[field]})", pc=insn.pc)
    if spec.form is Form.LDDW and insn.src and insn.src not in PSEUDO_NAMES:
        raise AsmError(f"lddw has invalid pseudo source {insn.src}", pc=insn.pc)
    if spec.form is Form.CALL and insn.src and insn.src not in _CALL_KIND_NAMES:
        raise AsmError(f"call has invalid source {insn.src}", pc=insn.pc)
    if _syntax(syntax) == "conformance":
        return _conf_format(insn, spec)
    return _llvm_format(insn, spec, exact)


def disassemble(program: bytes | bytearray | memoryview | Iterable[Instruction],
                syntax: str = "conformance", *, exact: bool = False) -> str:
    """A program as text, one instruction per line (LD_IMM64 is one line).

    ``assemble(disassemble(p, s), s)`` encodes to the same bytes as ``p`` for
    every legal instruction, except that the llvm syntax without ``exact``
    (like llvm-objdump) does not show a CALL's ``src`` field.
    """
    insns = (isa.decode(program) if isinstance(program, (bytes, bytearray, memoryview))
             else list(program))
    return "".join(format_insn(i, syntax, exact=exact) + "\n" for i in insns)
