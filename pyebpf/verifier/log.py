"""The verifier log's text: instructions as the kernel's ``print_bpf_insn`` writes them,
and register states as ``print_verifier_state`` does.

pyebpf.asm (llvm syntax) is not used here because the verifier log has its own
spelling (``(b7) r0 = 7``, ``if r0 == 0x0 goto pc+1``, ``call bpf_map_lookup_elem#1``).
"""

from __future__ import annotations

from pyebpf import isa
from pyebpf.isa import Form, Instruction
from pyebpf.verifier import cfg
from pyebpf.verifier import scalar as sc
from pyebpf.verifier.cfg import Program
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
        r = "r"  # the kernel's disassembler prints r for 32-bit atomics too
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


def _num(v: int) -> str:
    return str(v) if v <= _DEC else f"{v:#x}"


def scalar_str(r: sc.Reg) -> str:
    """A scalar as the kernel prints it: the value when constant, else its known bounds."""
    if r.is_const():
        return _snum(sc.s64(r.tn.value))
    parts: list[str] = []
    if r.id:
        # a scalar K apart from others (BPF_ADD_CONST in the id): id=N+K
        parts.append(f"id={r.id & ~(3 << 30)}" + (f"{r.off:+d}" if r.id & (3 << 30) else ""))
    parts += _bounds_parts(r)
    return "scalar(" + ",".join(parts) + ")"


def _bounds_parts(r: sc.Reg) -> list[str]:
    """print_scalar_ranges: each bound once, later bounds of the same kind (min with min,
    max with max) and the same value folded into it (``smin=umin=umin32=1``)."""
    s32min = r.s32min if _SDEC_MIN <= r.s32min <= _SDEC_MAX else r.s32min & U32
    s32max = r.s32max if _SDEC_MIN <= r.s32max <= _SDEC_MAX else r.s32max & U32
    rows = [["smin", r.smin, r.smin == sc.S64_MIN], ["smax", r.smax, r.smax == sc.S64_MAX],
            ["umin", r.umin, r.umin == 0], ["umax", r.umax, r.umax == U64],
            ["smin32", s32min, r.s32min == sc.S32_MIN],
            ["smax32", s32max, r.s32max == sc.S32_MAX],
            ["umin32", r.u32min, r.u32min == 0], ["umax32", r.u32max, r.u32max == U32]]
    parts: list[str] = []
    for i, (name, val, omit) in enumerate(rows):
        if omit:
            continue
        neg = name[0] == "s" and val < 0
        text = name + "="
        for other in rows[i + 2::2]:
            oname, oval, oomit = other
            if oomit or (oval & U64) != (val & U64) or (oname[0] == "s" and oval < 0) != neg:
                continue
            other[2] = True
            text += oname + "="
        parts.append(text + (_snum(val) if name[0] == "s" else _num(val)))
    if not r.tn.is_unknown():
        parts.append(f"var_off=({r.tn.value:#x}; {r.tn.mask:#x})")
    return parts


# the kernel prints unsigned numbers up to U16_MAX and signed ones within S16 in decimal,
# others in hex (is_unum_decimal, is_snum_decimal)
_DEC = 0xFFFF
_SDEC_MIN, _SDEC_MAX = -0x8000, 0x7FFF


def _snum(v: int) -> str:
    return str(v) if _SDEC_MIN <= v <= _SDEC_MAX else f"{v & U64:#x}"


def _map_str(mp: object) -> str:
    """A map as print_reg_state shows it: its name first when it has one."""
    name = getattr(mp, "name", "")
    sizes = f"ks={mp.key_size},vs={mp.value_size}"  # type: ignore[attr-defined]
    return f"map={name},{sizes}" if name else sizes


def reg_str(r: sc.Reg, frameno: int = -1, all_precise: bool = False) -> str:
    """A register's value as in ``R1=ctx()``, ``R2=fp-8``, ``R0=map_value(ks=4,vs=8)``.

    ``frameno`` is the frame being printed: a pointer into another frame's stack shows
    that frame's number (``fp[0]-8``).  A precise scalar is prefixed with ``P``
    (``R9=P4``); ``all_precise``: an unprivileged load, where the kernel keeps every
    scalar precise.
    """
    t = r.t
    if t == sc.SCALAR:
        if r.precise or all_precise:
            return "P" + scalar_str(r)
        return scalar_str(r)
    if t == sc.STACK:
        fp = f"fp[{r.frame}]" if 0 <= frameno != r.frame else "fp"
        if r.is_const():
            return f"{fp}{_snum(r.off + sc.s64(r.tn.value))}"  # verbose_snum
        # a variable offset: fp(off=-16,smin=...,var_off=(0x0; 0x8))
        return f"{fp}({','.join(([f'off={r.off}'] if r.off else []) + _bounds_parts(r))})"
    parts: list[str] = []
    if t in (sc.PKT, sc.PKT_META, sc.PKT_END, sc.MAP_VALUE, sc.MAP_VALUE_OR_NULL, sc.MEM,
             sc.MEM_OR_NULL, sc.CTX, sc.MAP_KEY, sc.MAP_PTR_OR_NULL, *sc.SOCK_TYPES,
             *sc.OR_NULL, sc.FLOW_KEYS):
        if r.id:
            parts.append(f"id={r.id}")
        if r.ref:
            parts.append(f"ref_obj_id={r.ref}")
        # a map's sizes come before the offset (the kernel prints its map_ptr first)
        if t in (sc.MAP_PTR, sc.MAP_VALUE, sc.MAP_VALUE_OR_NULL, sc.MAP_KEY,
                 sc.MAP_PTR_OR_NULL) and r.mp is not None:
            parts.append(_map_str(r.mp))
        if r.off:
            parts.append(f"off={r.off}")
        if t in (sc.PKT, sc.PKT_META):
            parts.append(f"r={_num(r.rng & U64)}")
        if t in (sc.MEM, sc.MEM_OR_NULL):
            parts.append(f"sz={r.memsz}")
        if r.is_const():  # a fixed offset: only a non-zero constant part is shown
            if r.tn.value:
                parts.append(f"imm={_snum(sc.s64(r.tn.value))}")
        else:
            parts += _bounds_parts(r)
    elif t == sc.MAP_PTR and r.mp is not None:
        parts.append(_map_str(r.mp))
    return f"{sc.TYPE_STR[t]}({','.join(parts)})"


def level2_header(prog: Program) -> list[str]:
    """The lines level 2 prints before the trace: ``func#N @start`` per subprogram
    (check_subprogs), then compute_live_registers' listing of the registers live before
    each instruction (digit i when r``i`` is live, ``.`` otherwise)."""
    out = [f"func#{i} @{start}" for i, start in enumerate(prog.subprogs)]
    out.append("Live regs before insn:")
    scc = loop_sccs(prog)
    for pc, insn in enumerate(prog.slots):
        if insn is None:
            continue
        live = prog.live[pc]
        mask = "".join(str(r) if (live >> r) & 1 else "." for r in range(10))
        mark = str(scc[pc]) if scc[pc] else ""
        out.append(f"{mark:>3}{pc:4d}: {mask} {format_insn(insn)}")
    return out


def loop_sccs(prog: Program) -> list[int]:
    """compute_scc: the number of the loop (strongly connected component of more than one
    instruction, a jump to itself, or a call of a helper that calls a callback: an
    implicit loop) each instruction belongs to, 0 for none; numbered
    1, 2, ... in the order Tarjan's walk from instruction 0 completes them."""
    n = prog.n
    index = [0] * n
    low = [0] * n
    on = [False] * n
    comp = [0] * n
    stack: list[int] = []
    counter = 1
    nxt_id = 1
    for root in range(n):
        if prog.slots[root] is None or index[root]:
            continue
        work = [(root, iter(cfg.successors(prog, root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on[root] = True
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if not (0 <= w < n) or prog.slots[w] is None:
                    continue
                if not index[w]:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on[w] = True
                    work.append((w, iter(cfg.successors(prog, w))))
                elif on[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    members.append(w)
                    if w == v:
                        break
                if len(members) > 1 or v in cfg.successors(prog, v) or \
                        cfg.calls_callback(prog.slots[v]):
                    for w in members:
                        comp[w] = nxt_id
                    nxt_id += 1
    return comp
