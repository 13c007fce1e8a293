"""The verifier log's text: instructions as the kernel's ``print_bpf_insn`` writes them,
and register states as ``print_verifier_state`` does.

pyebpf.asm (llvm syntax) is not used here because the verifier log has its own
spelling (``(b7) r0 = 7``, ``if r0 == 0x0 goto pc+1``, ``call bpf_map_lookup_elem#1``).
"""

from __future__ import annotations

from pyebpf import isa
from pyebpf.isa import Form, Instruction
from pyebpf.verifier import scalar as sc
from pyebpf.verifier.env import helper_name
from pyebpf.verifier.tnum import U32, U64

_ALU_STR = {"add": "+=", "sub": "-=", "mul": "*=", "or": "|=", "and": "&=", "lsh": "<<=",
            "rsh": ">>=", "div": "/=", "mod": "%=", "xor": "^=", "mov": "=", "arsh": "s>>=",
            "sdiv": "s/=", "smod": "s%=", "neg": "neg"}
ALU_OP_STR = ("+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=",
              "endian")
_JMP_STR = {"jeq": "==", "jgt": ">", "jge": ">=", "jset": "&", "jne": "!=", "jsgt": "s>",
            "jsge": "s>=", "jlt": "<", "jle": "<=", "jslt": "s<", "jsle": "s<="}
_SZ = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}
_ATOMIC = {"atomic_add": "+=", "atomic_or": "|=", "atomic_and": "&=", "atomic_xor": "^="}


def _pc(off: int) -> str:
    return f"pc{off:+d}"


def format_insn(insn: Instruction) -> str:
    """One instruction as the kernel's verifier log prints it (without the index)."""
    spec = insn.spec
    code = f"({insn.code:02x}) "
    if spec is None:
        return code + "invalid"
    d, s, off, imm = insn.dst, insn.src, insn.off, insn.imm
    f = spec.form
    w = "r" if spec.width == 64 or spec.cls not in (isa.BPF_ALU, isa.BPF_JMP32) else "w"
    if f in (Form.ALU_REG, Form.ALU_IMM):
        rhs = f"{w}{s}" if f is Form.ALU_REG else f"{imm}"
        return code + f"{w}{d} {_ALU_STR[spec.op]} {rhs}"
    if f is Form.NEG:
        return code + f"{w}{d} = -{w}{d}"
    if f is Form.END:
        name = "bswap" if spec.op == "bswap" else spec.op
        return code + f"r{d} = {name}{spec.width} r{d}"
    if f is Form.MOVSX:
        return code + f"{w}{d} = (s{off}){w}{s}"
    if f is Form.LDX:
        t = ("s" + str(spec.width * 8)) if spec.op == "ldxs" else _SZ[spec.width]
        return code + f"r{d} = *({t} *)(r{s} {off:+d})"
    if f is Form.ST:
        return code + f"*({_SZ[spec.width]} *)(r{d} {off:+d}) = {imm}"
    if f is Form.STX:
        return code + f"*({_SZ[spec.width]} *)(r{d} {off:+d}) = r{s}"
    if f is Form.ATOMIC:
        sz = _SZ[spec.width]
        r = "r" if spec.width == 8 else "w"
        a = "atomic64" if spec.width == 8 else "atomic"
        if spec.op in _ATOMIC:
            return code + f"lock *({sz} *)(r{d} {off:+d}) {_ATOMIC[spec.op]} {r}{s}"
        if spec.op == "atomic_cmpxchg":
            return code + f"{r}0 = {a}_cmpxchg(({sz} *)(r{d} {off:+d}), {r}0, {r}{s})"
        name = spec.op.replace("atomic_", "")
        return code + f"{r}{s} = {a}_{name}(({sz} *)(r{d} {off:+d}), {r}{s})"
    if f is Form.LDDW:
        return code + f"r{d} = {insn.imm:#x}"
    if f is Form.LDABS:
        return code + f"r0 = *({_SZ[spec.width]} *)skb[{imm}]"
    if f is Form.LDIND:
        return code + f"r0 = *({_SZ[spec.width]} *)skb[r{s} + {imm}]"
    if f is Form.JA:
        return code + f"goto {_pc(off)}"
    if f is Form.JA32:
        return code + f"gotol {_pc(imm)}"
    if f in (Form.JCOND_REG, Form.JCOND_IMM):
        rhs = f"{w}{s}" if f is Form.JCOND_REG else f"{imm & U32:#x}"
        return code + f"if {w}{d} {_JMP_STR[spec.op]} {rhs} goto {_pc(off)}"
    if f is Form.CALL:
        if s == isa.BPF_PSEUDO_CALL:
            return code + f"call {_pc(imm)}"
        if s == isa.BPF_PSEUDO_KFUNC_CALL:
            return code + f"call kernel-function#{imm}"
        name = helper_name(imm)
        return code + (f"call bpf_{name}#{imm}" if name else f"call unknown#{imm}")
    if f is Form.CALLX:
        return code + f"call r{d}"
    return code + "exit"


def _num(v: int, unsigned: bool = False) -> str:
    if unsigned or v >= 0:
        return str(v) if v < 1 << 16 else f"{v:#x}"
    return str(v)


def scalar_str(r: sc.Reg) -> str:
    """A scalar as the kernel prints it: the value when constant, else its known bounds."""
    if r.is_const():
        return _snum(sc.s64(r.tn.value))
    parts: list[str] = []
    if r.id:
        parts.append(f"id={r.id}")
    parts += _bounds_parts(r)
    return "scalar(" + ",".join(parts) + ")"


def _bounds_parts(r: sc.Reg) -> list[str]:
    parts: list[str] = []
    smin_def, smax_def = r.smin == sc.S64_MIN, r.smax == sc.S64_MAX
    umin_def, umax_def = r.umin == 0, r.umax == U64
    if not smin_def:
        parts.append(f"smin={_snum(r.smin)}")
    if not smax_def:
        if r.smax >= 0 and r.smax == r.umax and not umax_def:
            parts.append(f"smax=umax={_num(r.umax)}")
            umax_def = True
        else:
            parts.append(f"smax={_snum(r.smax)}")
    if not umin_def and not (r.umin == r.smin and not smin_def):
        parts.append(f"umin={_num(r.umin)}")
    if not umax_def:
        parts.append(f"umax={_num(r.umax)}")
    s32_same = r.s32min == r.smin and r.s32max == r.smax
    u32_same = r.u32min == r.umin and r.u32max == r.umax
    if not s32_same:
        if r.s32min != sc.S32_MIN:
            parts.append(f"smin32={_snum(r.s32min)}")
        if r.s32max != sc.S32_MAX:
            parts.append(f"smax32={_snum(r.s32max)}")
    if not u32_same:
        if r.u32min != 0:
            parts.append(f"umin32={_num(r.u32min)}")
        if r.u32max != U32:
            parts.append(f"umax32={_num(r.u32max)}")
    if not r.tn.is_unknown():
        parts.append(f"var_off=({r.tn.value:#x}; {r.tn.mask:#x})")
    return parts


def _snum(v: int) -> str:
    return str(v) if -(1 << 16) < v < (1 << 16) else f"{v:#x}"


def reg_str(r: sc.Reg) -> str:
    """A register's value as in ``R1=ctx()``, ``R2=fp-8``, ``R0=map_value(ks=4,vs=8)``."""
    t = r.t
    if t == sc.SCALAR:
        return scalar_str(r)
    if t == sc.STACK:
        return f"fp{r.off}"
    parts: list[str] = []
    if t in (sc.PKT, sc.PKT_META, sc.PKT_END, sc.MAP_VALUE, sc.MAP_VALUE_OR_NULL, sc.MEM,
             sc.MEM_OR_NULL, sc.CTX, sc.MAP_KEY):
        if r.id:
            parts.append(f"id={r.id}")
        if r.ref:
            parts.append(f"ref_obj_id={r.ref}")
        if r.off:
            parts.append(f"off={r.off}")
        if t in (sc.PKT, sc.PKT_META):
            parts.append(f"r={r.rng}")
        if t in (sc.MAP_PTR, sc.MAP_VALUE, sc.MAP_VALUE_OR_NULL, sc.MAP_KEY) and r.mp is not None:
            parts.append(f"ks={r.mp.key_size},vs={r.mp.value_size}")
        if t in (sc.MEM, sc.MEM_OR_NULL):
            parts.append(f"sz={r.memsz}")
        if not (r.is_const() and r.tn.value == 0):
            parts += _bounds_parts(r)
    elif t == sc.MAP_PTR and r.mp is not None:
        parts.append(f"ks={r.mp.key_size},vs={r.mp.value_size}")
    return f"{sc.TYPE_STR[t]}({','.join(parts)})"
