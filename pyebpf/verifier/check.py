# cython: annotation_typing=False
"""Abstract interpretation of a program: the kernel's ``do_check`` with state pruning.

Compiled with Cython in pure Python mode (check.pxd declares the C types: frames,
states and the checker are C structs, the hot methods C calls); this file is the code
and runs as it is where no compiled module is built.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Mapping

try:
    import cython
except ImportError:              # uncompiled, without Cython installed: its plain meaning
    from pyebpf import _cython_shim as cython

from pyebpf import funcproto, isa, uapi
from pyebpf.isa import Form
from pyebpf.verifier import env, precision, tnum
from pyebpf.verifier import log as vlog
from pyebpf.verifier import scalar as sc
from pyebpf.verifier.cfg import Program, Reject
from pyebpf.verifier.env import Arg, Helper, Mod, Ret
from pyebpf.verifier.liveness import Liveness
from pyebpf.verifier.scalar import Reg

# the register types (scalar.py) as C constants when compiled (check.pxd)
_T_NOT_INIT = sc.NOT_INIT
_T_SCALAR = sc.SCALAR
_T_CTX = sc.CTX
_T_MAP_PTR = sc.MAP_PTR
_T_MAP_VALUE_OR_NULL = sc.MAP_VALUE_OR_NULL
_T_MAP_VALUE = sc.MAP_VALUE
_T_MAP_KEY = sc.MAP_KEY
_T_STACK = sc.STACK
_T_PKT_META = sc.PKT_META
_T_PKT_END = sc.PKT_END
_T_PKT = sc.PKT
_T_MEM_OR_NULL = sc.MEM_OR_NULL
_T_MEM = sc.MEM
_T_FUNC = sc.FUNC

INSN_LIMIT = 1_000_000
_INSN_LIMIT = INSN_LIMIT  # a C constant when compiled
MAX_VAR_OFF = 1 << 29
# linked scalars with a constant delta (rX = rY; rX += K): flags in the id, the delta in
# off (BPF_ADD_CONST64 / BPF_ADD_CONST32)
ADD_CONST64 = 1 << 31
ADD_CONST32 = 1 << 30
ADD_CONST = ADD_CONST64 | ADD_CONST32
STACK = 512
_INVALID, _MISC, _ZERO, _SPILL = "?", "m", "0", "r"


def _reserved(insn: isa.Instruction, spec: isa.OpSpec) -> str | None:
    """The kernel's per-class reserved-field checks (done in do_check, as it reaches them)."""
    f, code, dst, src, off, imm = spec.form, insn.code, insn.dst, insn.src, insn.off, insn.imm
    cls = code & 7
    x = code & isa.BPF_X
    if f is Form.NEG:
        return "BPF_NEG" if x or src or off or imm else None
    if f is Form.END:
        bad = src or off or imm not in (16, 32, 64) or (cls == isa.BPF_ALU64 and x)
        return "BPF_END" if bad else None
    if f in (Form.ALU_REG, Form.ALU_IMM, Form.MOVSX):
        if spec.op == "mov" or f is Form.MOVSX:
            if x:
                off_ok = off in (0, 8, 16) or (off == 32 and cls != isa.BPF_ALU)
                return "BPF_MOV" if not off_ok or imm else None
            return "BPF_MOV" if src or off else None
        divmod_ = spec.op in ("div", "mod", "sdiv", "smod")
        if (imm if x else src) or off not in (0, 1) or (off == 1 and not divmod_):
            return "BPF_ALU"
        return None
    if f is Form.CALL:
        bad = (x or (src != isa.BPF_PSEUDO_KFUNC_CALL and off) or dst or cls == isa.BPF_JMP32
               or src not in (0, isa.BPF_PSEUDO_CALL, isa.BPF_PSEUDO_KFUNC_CALL))
        return "BPF_CALL" if bad else None
    if f in (Form.JA, Form.JA32):
        bad = x or src or dst or (imm if f is Form.JA else off)
        return "BPF_JA" if bad else None
    if f is Form.EXIT:
        return "BPF_EXIT" if x or imm or src or dst or cls == isa.BPF_JMP32 else None
    if f in (Form.JCOND_REG, Form.JCOND_IMM):
        return "BPF_JMP/JMP32" if (imm if x else src) else None
    if f is Form.ST:
        return "BPF_ST" if src else None
    if f is Form.STX:
        return "BPF_STX" if imm else None
    if f in (Form.LDABS, Form.LDIND):
        bad = dst or off or (f is Form.LDABS and src)
        return "BPF_LD_[ABS|IND]" if bad else None
    return None


_CONST_OPS = frozenset(("add", "sub", "mul", "and", "or", "xor", "lsh", "rsh", "arsh"))
# ALU operations as small ints for the compiled fast paths (0: any other)
_O_ADD = 1
_O_SUB = 2
_O_MUL = 3
_O_AND = 4
_O_OR = 5
_O_XOR = 6
_O_LSH = 7
_O_RSH = 8
_O_ARSH = 9
_O_MOV = 10
_OP_CODE = {"add": 1, "sub": 2, "mul": 3, "and": 4, "or": 5, "xor": 6, "lsh": 7, "rsh": 8,
            "arsh": 9, "mov": 10}
_M64 = 0xFFFFFFFFFFFFFFFF
_M32 = 0xFFFFFFFF
# what step() does with a slot (Dec.kind)
_K_ALU = 1
_K_LDX = 2
_K_ST = 3
_K_ATOMIC = 4
_K_LDDW = 5
_K_LDABS = 6
_K_MAY_GOTO = 7
_K_JA = 8
_K_JCOND = 9
_K_CALL = 10
_K_CALLX = 11
_K_EXIT = 12
_KIND = {Form.ALU_REG: _K_ALU, Form.ALU_IMM: _K_ALU, Form.NEG: _K_ALU, Form.END: _K_ALU,
         Form.MOVSX: _K_ALU, Form.LDX: _K_LDX, Form.ST: _K_ST, Form.STX: _K_ST,
         Form.ATOMIC: _K_ATOMIC, Form.LDDW: _K_LDDW, Form.LDABS: _K_LDABS,
         Form.LDIND: _K_LDABS, Form.JA: _K_JA, Form.JA32: _K_JA, Form.JCOND_REG: _K_JCOND,
         Form.JCOND_IMM: _K_JCOND, Form.CALL: _K_CALL, Form.CALLX: _K_CALLX,
         Form.EXIT: _K_EXIT}


def _fold_ok(opc: int, b: int, is64: bool) -> bool:
    """Whether :func:`_fold` applies: not a shift by the width or more."""
    if opc < _O_LSH:
        return True
    return b < (64 if is64 else 32)


@cython.locals(mask=cython.ulonglong)
def _fold(opc: int, a: int, b: int, is64: bool) -> int:
    """``a op b`` on known scalars (both as u64) at the instruction's width (see _fold_ok).
    C arithmetic when compiled: every result is reduced modulo 2**64 as the Python ints
    are masked."""
    if is64:
        mask = _M64
    else:
        mask = _M32
        a &= _M32
        b &= _M32
    if opc == _O_ADD:
        return (a + b) & mask
    if opc == _O_SUB:
        return (a - b) & mask
    if opc == _O_MUL:
        return (a * b) & mask
    if opc == _O_AND:
        return a & b
    if opc == _O_OR:
        return (a | b) & mask
    if opc == _O_XOR:
        return (a ^ b) & mask
    if opc == _O_LSH:
        return (a << b) & mask
    if opc == _O_RSH:
        return a >> b
    if a >> (63 if is64 else 31):  # arsh of a negative value: ones shifted in
        return ((a >> b) | ~(mask >> b)) & mask
    return a >> b


@cython.final
@cython.cclass
class Dec:
    """One slot decoded once for the step loop: the table row and its fields."""

    def __init__(self, insn: isa.Instruction, spec: isa.OpSpec | None) -> None:
        self.insn = insn
        self.spec = spec
        self.pc = insn.pc
        self.dst = insn.dst
        self.src = insn.src
        self.off = insn.off
        self.imm = insn.imm
        self.kind = 0
        self.form = None
        self.op = ""
        self.opc = 0
        self.is64 = False
        self.imm_u64 = 0
        if spec is None:
            return
        self.form = spec.form
        self.op = spec.op
        self.opc = _OP_CODE.get(spec.op, 0)
        self.kind = _K_MAY_GOTO if spec.op == "may_goto" else _KIND.get(spec.form, 0)
        if spec.form is Form.END:
            self.is64 = insn.code & 7 == isa.BPF_ALU64
        else:
            self.is64 = spec.width == 64
        self.alu_imm = spec.form is Form.ALU_IMM
        # the immediate operand as the ALU/JMP instruction sees it, as a u64
        self.imm_u64 = (insn.imm if self.is64 else insn.imm & _M32) & _M64


def _no_row(insn: isa.Instruction) -> str:
    """Why the kernel refuses an opcode byte it knows used with fields no ISA row has."""
    code, cls, op = insn.code, insn.code & 7, insn.code & 0xF0
    if cls in (isa.BPF_ALU, isa.BPF_ALU64):
        if op == 0xB0:  # BPF_MOV
            if cls == isa.BPF_ALU64 and code & isa.BPF_X and insn.off == 1:
                return "addr_space_cast insn can only convert between address space 1 and 0"
            return "BPF_MOV uses reserved fields"
        return {0xD0: "BPF_END", 0x80: "BPF_NEG"}.get(op, "BPF_ALU") + " uses reserved fields"
    if cls == isa.BPF_STX and code & 0xE0 == isa.BPF_ATOMIC:
        return f"BPF_ATOMIC uses invalid atomic opcode {insn.imm & 0xFF:02x}"
    if cls in (isa.BPF_JMP, isa.BPF_JMP32):
        return {0x00: "BPF_JA", 0x80: "BPF_CALL", 0x90: "BPF_EXIT"}.get(
            op, "BPF_JMP/JMP32") + " uses reserved fields"
    return f"unknown opcode {code:02x}"


_FLIP = {"jeq": "jne", "jne": "jeq", "jgt": "jle", "jle": "jgt", "jge": "jlt",
         "jlt": "jge", "jsgt": "jsle", "jsle": "jsgt", "jsge": "jslt", "jslt": "jsge",
         "jset": "jnset"}


# reg_not_null: the pointer types a comparison with 0 is known for (ctx, stack and packet
# pointers are not among them: both branches are explored)
_NOT_NULL = (_T_MAP_VALUE, _T_MAP_KEY, _T_MAP_PTR, _T_MEM, *sc.SOCK_TYPES)
# reg_type_mismatch_ok's exceptions: the pointers a load or store is converted for
_NO_MIX = (_T_CTX, *sc.SOCK_TYPES)
# what a context load of each env.ctx_access kind yields
_CTX_KINDS = {"pkt": _T_PKT, "pkt_end": _T_PKT_END, "pkt_meta": _T_PKT_META,
              "sock": sc.SOCK, "sock_or_null": sc.SOCK_OR_NULL,
              "sock_common_or_null": sc.SOCK_COMMON_OR_NULL, "flow_keys": sc.FLOW_KEYS}
# alu_state bits of the kernel's ALU sanitation (only compared for equality here)
_ALU_SANITIZE_SRC = 1
_ALU_SANITIZE_DST = 2
_ALU_NEG_VALUE = 4
_ALU_NON_POINTER = 8
_ALU_IMMEDIATE = 16
_NOT_ROOT = "pointer arithmetic with it prohibited for !root"
_RANGE_WITHIN = 2  # states_equal/regsafe: scalars by range, precise or not


_SWAP = {"jgt": "jlt", "jlt": "jgt", "jge": "jle", "jle": "jge", "jsgt": "jslt",
         "jslt": "jsgt", "jsge": "jsle", "jsle": "jsge", "jeq": "jeq", "jne": "jne"}


_EXPECTED = {
    Arg.ARG_CONST_MAP_PTR: ((_T_MAP_PTR,), "map_ptr"),
    Arg.ARG_PTR_TO_CTX: ((_T_CTX,), "ctx"),
    Arg.ARG_PTR_TO_MAP_KEY: (sc.MEM_TYPES, "fp, pkt, pkt_meta, map_key, map_value, mem, "
                             "ringbuf_mem, buf, trusted_ptr_"),
    Arg.ARG_PTR_TO_MAP_VALUE: (sc.MEM_TYPES, "fp, pkt, pkt_meta, map_key, map_value, "
                               "mem, ringbuf_mem, buf, trusted_ptr_"),
    # 6.18: ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, memory's list
    Arg.ARG_PTR_TO_LONG: (sc.KEY_TYPES, "fp, pkt, pkt_meta, map_key, map_value, mem, "
                          "ringbuf_mem, buf, trusted_ptr_"),
    Arg.ARG_PTR_TO_MEM: (sc.MEM_TYPES, "fp, pkt, pkt_meta, map_key, map_value, mem, "
                         "ringbuf_mem, buf, trusted_ptr_"),
    Arg.ARG_CONST_SIZE: ((_T_SCALAR,), "scalar"),
    Arg.ARG_CONST_SIZE_OR_ZERO: ((_T_SCALAR,), "scalar"),
    Arg.ARG_CONST_ALLOC_SIZE_OR_ZERO: ((_T_SCALAR,), "scalar"),
    Arg.ARG_PTR_TO_SPIN_LOCK: ((_T_MAP_VALUE,), "map_value, ptr_"),
    Arg.ARG_PTR_TO_FUNC: ((_T_FUNC,), "func"),
    Arg.ARG_PTR_TO_STACK: ((_T_STACK,), "fp"),
    Arg.ARG_PTR_TO_CONST_STR: ((_T_MAP_VALUE,), "map_value"),
    Arg.ARG_PTR_TO_RINGBUF_MEM: ((_T_MEM,), "ringbuf_mem"),
    # pointers pyebpf never makes (sockets, BTF-typed kernel objects): only NULL, where the
    # prototype takes it, gets past the type check
    Arg.ARG_PTR_TO_BTF_ID_SOCK_COMMON: ((), "sock_common, sock, tcp_sock, xdp_sock, ptr_, "
                                        "trusted_ptr_"),
    Arg.ARG_PTR_TO_SOCK_COMMON: ((sc.SOCK_COMMON, sc.SOCK, sc.TCP_SOCK),
                                 "sock_common, sock, tcp_sock, xdp_sock"),
    Arg.ARG_PTR_TO_SOCKET: ((), "sock"),
    Arg.ARG_PTR_TO_BTF_ID: ((), "ptr_, trusted_ptr_, rcu_ptr_"),
    Arg.ARG_PTR_TO_PERCPU_BTF_ID: ((), "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_"),
    Arg.ARG_PTR_TO_DYNPTR: ((_T_STACK,), "fp, dynptr_ptr"),
    Arg.ARG_PTR_TO_TIMER: ((_T_MAP_VALUE,), "map_value"),
    Arg.ARG_PTR_TO_KPTR: ((_T_MAP_VALUE,), "map_value, ptr_"),
    Arg.ARG_PTR_TO_INT: (sc.KEY_TYPES, "fp, pkt, pkt_meta, map_key, map_value, mem, "
                         "ringbuf_mem, buf, trusted_ptr_"),
    Arg.ARG_PTR_TO_FIXED_SIZE_MEM: (sc.MEM_TYPES, "fp, pkt, pkt_meta, map_key, map_value, "
                                    "mem, ringbuf_mem, buf, trusted_ptr_"),
    Arg.ARG_PTR_TO_CTX_OR_NULL: ((_T_CTX,), "ctx"),
}
# arguments whose checks pyebpf does not model (dynptr state, bpf_timer and kptr fields):
# a program that reaches one with a pointer of the right type is refused, saying so
_UNMODELLED_ARGS = {Arg.ARG_PTR_TO_DYNPTR: "dynptr", Arg.ARG_PTR_TO_TIMER: "bpf_timer",
                    Arg.ARG_PTR_TO_KPTR: "kptr"}
_UNMODELLED_RETS = {Ret.RET_PTR_TO_SOCKET_OR_NULL: "socket", Ret.RET_PTR_TO_TCP_SOCK_OR_NULL:
                    "tcp_sock", Ret.RET_PTR_TO_SOCK_COMMON_OR_NULL: "sock_common",
                    Ret.RET_PTR_TO_BTF_ID_OR_NULL: "BTF-typed kernel object",
                    Ret.RET_PTR_TO_BTF_ID: "BTF-typed kernel object",
                    Ret.RET_PTR_TO_BTF_ID_TRUSTED: "BTF-typed kernel object",
                    Ret.RET_PTR_TO_MEM_OR_BTF_ID: "per-CPU kernel variable",
                    Ret.RET_PTR_TO_DYNPTR_MEM_OR_NULL: "dynptr slice"}
_GET_FUNC_IP = int(env.F.BPF_FUNC_get_func_ip)
_XSKMAP = int(env.MT.BPF_MAP_TYPE_XSKMAP)
_SOCK_MAP_TYPES = (int(env.MT.BPF_MAP_TYPE_SOCKMAP), int(env.MT.BPF_MAP_TYPE_SOCKHASH))
_MAP_WRITES = ("map_delete_elem", "map_update_elem", "map_push_elem", "map_pop_elem")
_GET_FUNC_IP_TYPES = funcproto.GET_FUNC_IP_TYPES
_SYSCALL_TYPE = int(env.PT.BPF_PROG_TYPE_SYSCALL)
# what a helper returning a socket pointer without taking a reference gives (a fresh id
# for its NULL check); the helpers that take one (sk_lookup_*) stay unmodelled
_SOCK_RET_HELPERS = ("sk_fullsock", "tcp_sock", "get_listener_sock")
_RET_SOCK = {Ret.RET_PTR_TO_SOCKET_OR_NULL: sc.SOCK_OR_NULL,
             Ret.RET_PTR_TO_TCP_SOCK_OR_NULL: sc.TCP_SOCK_OR_NULL}


def _check_ptr_off(r: Reg, rn: int) -> None:
    """__check_ptr_off_reg (check_func_arg_reg_off): a context or socket pointer goes to a
    helper as it was loaded, without a fixed or a variable offset."""
    name = sc.TYPE_STR[r.t]
    if r.off < 0:
        raise Reject(f"negative offset {name} ptr R{rn} off={r.off} disallowed")
    if r.off:
        raise Reject(f"dereference of modified {name} ptr R{rn} off={r.off} disallowed")
    if not r.is_const() or r.tn.value:
        raise Reject(f"variable {name} access var_off={tnum.fmt(r.tn)} disallowed")


_SPIN_LOCK = int(env.F.BPF_FUNC_spin_lock)
_SPIN_UNLOCK = int(env.F.BPF_FUNC_spin_unlock)


def _held_lock(st: State) -> tuple | None:
    """The bpf_spin_lock the state holds: a reference (id, insn, map), None if none."""
    for x in st.refs:
        if len(x) == 3:
            return x
    return None


def _same_lock(a: tuple, b: tuple) -> bool:
    """refsafe: a pointer reference matches a pointer reference, a lock a lock of the
    same map."""
    if len(a) != len(b):
        return False
    return len(a) == 2 or a[2] is b[2]


def _ids(idmap: dict, a: int, b: int) -> bool:
    """check_ids: ``a`` (old state) and ``b`` (current) name the same object throughout."""
    if not a and not b:
        return True
    if not a or not b:
        return False
    if a in idmap:
        return idmap[a] == b
    idmap[a] = b
    return True


def _widens(o: Reg, c: Reg, idmap: dict) -> bool:
    """maybe_widen_reg: both scalars, neither precise, and not the same (regs_exact)."""
    if o.t != _T_SCALAR or c.t != _T_SCALAR or o.precise or c.precise:
        return False
    same = (o.tn.value == c.tn.value and o.tn.mask == c.tn.mask and o.smin == c.smin
            and o.smax == c.smax and o.umin == c.umin and o.umax == c.umax
            and o.s32min == c.s32min and o.s32max == c.s32max and o.u32min == c.u32min
            and o.u32max == c.u32max and _ids(idmap, o.id, c.id))
    return not same


_AT_PKT_END, _BEYOND_PKT_END = -1, -2  # packet pointer ranges learnt from a failed check


def _pkt_branch_taken(a: Reg, b: Reg, op: str) -> int:
    """is_pkt_ptr_branch_taken: a pointer known to be at or beyond the packet's end
    decides its next comparison with pkt_end."""
    if b.t == _T_PKT_END:
        pkt = a
    elif a.t == _T_PKT_END:
        pkt, op = b, _SWAP.get(op, op)
    else:
        return -1
    if pkt.rng >= 0:
        return -1
    if op in ("jle", "jgt") and pkt.rng == _BEYOND_PKT_END:
        return 1 if op == "jgt" else 0
    if op in ("jlt", "jge"):
        return 1 if op == "jge" else 0
    return -1


@cython.locals(a=Reg, b=Reg)
def _init_pkt(r: Reg) -> bool:
    """reg_is_init_pkt_pointer: the data pointer as read from the context."""
    return r.t == _T_PKT and r.id == 0 and r.off == 0 and r.is_const() and r.tn.value == 0


def _branch_taken(a: Reg, b: Reg, op: str, is64: bool) -> int:
    """is_branch_taken: 1 always, 0 never, -1 either way."""
    if a.t != _T_SCALAR or b.t != _T_SCALAR:
        if is64 and a.t in sc.PKT_TYPES and b.t in sc.PKT_TYPES:
            return _pkt_branch_taken(a, b, op)
        ptr, other = (a, b) if a.t != _T_SCALAR else (b, a)
        if other.t == _T_SCALAR and other.is_const() and other.tn.value == 0 and \
                ptr.t in _NOT_NULL:
            if op == "jeq":
                return 0
            if op == "jne":
                return 1
        return -1
    if is64:
        smin, smax, umin, umax = a.smin, a.smax, a.umin, a.umax
        bsmin, bsmax, bumin, bumax = b.smin, b.smax, b.umin, b.umax
        ta, tb = a.tn, b.tn
    else:
        smin, smax, umin, umax = a.s32min, a.s32max, a.u32min, a.u32max
        bsmin, bsmax, bumin, bumax = b.s32min, b.s32max, b.u32min, b.u32max
        ta, tb = tnum.subreg(a.tn), tnum.subreg(b.tn)
    if op in ("jeq", "jne"):
        eq = -1
        if ta.is_const() and tb.is_const():
            eq = int(ta.value == tb.value)
        elif umin > bumax or umax < bumin or smin > bsmax or smax < bsmin:
            eq = 0
        elif (ta.value ^ tb.value) & ~(ta.mask | tb.mask) & tnum.U64:
            eq = 0
        if eq == -1:
            return -1
        return eq if op == "jeq" else 1 - eq
    if op == "jset":
        if not tb.is_const():
            return -1
        if ta.value & tb.value:
            return 1
        if not ((ta.value | ta.mask) & tb.value):
            return 0
        return -1
    if op == "jgt":
        yes, no = umin > bumax, umax <= bumin
    elif op == "jge":
        yes, no = umin >= bumax, umax < bumin
    elif op == "jlt":
        yes, no = umax < bumin, umin >= bumax
    elif op == "jle":
        yes, no = umax <= bumin, umin > bumax
    elif op == "jsgt":
        yes, no = smin > bsmax, smax <= bsmin
    elif op == "jsge":
        yes, no = smin >= bsmax, smax < bsmin
    elif op == "jslt":
        yes, no = smax < bsmin, smin >= bsmax
    else:  # jsle
        yes, no = smax <= bsmin, smin > bsmax
    return 1 if yes else (0 if no else -1)


def _linked_copy(known: Reg, r: Reg) -> Reg:
    """``r`` (linked to ``known``) after ``known`` gained range: a copy of ``known``,
    plus their deltas' difference when they differ (32-bit links zero-extend)."""
    if (r.id ^ known.id) & ADD_CONST == ADD_CONST:
        return r  # a 32-bit and a 64-bit link: the delta does not carry over
    if not (r.id | known.id) & ADD_CONST or r.off == known.off:
        return known.copy()
    out = known.copy()
    out.id, out.off = r.id, r.off
    delta = sc.const_scalar(sc.s32(r.off) - sc.s32(known.off))
    sc.alu_scalar("add", out, delta, not r.id & ADD_CONST32)
    return out


def _sane_offset(reg: Reg, tname: str) -> None:
    """check_reg_sane_offset: pointer arithmetic's operands and result stay within
    BPF_MAX_VAR_OFF (the scalar, the pointer's variable part and its fixed offset)."""
    if reg.is_const():
        val = sc.s64(reg.tn.value)
        if not -MAX_VAR_OFF < val < MAX_VAR_OFF:
            raise Reject(f"math between {tname} pointer and {val} is not allowed")
    if not -MAX_VAR_OFF < reg.off < MAX_VAR_OFF:
        raise Reject(f"{tname} pointer offset {reg.off} is not allowed")
    if reg.smin == sc.S64_MIN:
        raise Reject(f"math between {tname} pointer and register with unbounded min value "
                     "is not allowed")
    if not -MAX_VAR_OFF < reg.smin < MAX_VAR_OFF:
        raise Reject(f"value {reg.smin} makes {tname} pointer be out of bounds")


# do_refine_retval_range: the RET_INTEGER helpers whose result the kernel bounds; every
# other integer-returning helper gives an unknown scalar (all 64 bits)
_RET_STR_LEN = frozenset(("get_stack", "get_task_stack", "probe_read_str",
                          "probe_read_kernel_str", "probe_read_user_str"))
_MAX_ERRNO = 4095
_NR_CPU_IDS: list[int] = []


def nr_cpu_ids() -> int:
    """The kernel's nr_cpu_ids on this machine (the possible CPUs), read once."""
    if not _NR_CPU_IDS:
        from pyebpf.kernel import possible_cpus

        _NR_CPU_IDS.append(possible_cpus())
    return _NR_CPU_IDS[0]


def _refine_retval(r0: Reg, name: str, msize_max: int) -> None:
    if name in _RET_STR_LEN:
        # a length up to the buffer's size, or a negative errno
        r0.smax = sc.s64(msize_max)
        r0.s32max = sc.s32(msize_max)  # C's truncation of the u64 into the s32 field
        r0.smin = r0.s32min = -_MAX_ERRNO
        sc.sync(r0)
    elif name == "get_smp_processor_id":
        top = nr_cpu_ids() - 1
        r0.umin = r0.u32min = r0.smin = r0.s32min = 0
        r0.umax = r0.u32max = r0.smax = r0.s32max = top
        sc.sync(r0)


def _invalid_scalar(where: str, r0: Reg, lo: int, hi: int) -> str:
    """verbose_invalid_scalar: R0 out of the range, with the signed bounds that are known."""
    have = ""
    if r0.smin > -(1 << 63):
        have += f" smin={r0.smin}"
    if r0.smax < (1 << 63) - 1:
        have += f" smax={r0.smax}"
    return (f"{where} the register R0 has{have or ' unknown scalar value'} "
            f"should have been in [{lo}, {hi}]")


def _walk_start(insn: isa.Instruction) -> int:
    """1 where Checker.precise may start a walk (precise_fast looks for an earlier walk's
    start only after such instructions): conditional jumps, calls, exits, register ALU
    operations (pointer arithmetic), stores."""
    cls, op = insn.code & 7, insn.code & 0xF0
    if cls in (isa.BPF_JMP, isa.BPF_JMP32):
        return int(op != isa.BPF_JA)
    if cls in (isa.BPF_ALU, isa.BPF_ALU64):
        return int(bool(insn.code & isa.BPF_X))
    return int(cls in (isa.BPF_ST, isa.BPF_STX))


@cython.final
@cython.cclass
class Frame:
    """One call frame: registers, stack slots (spi -> [8 byte kinds, spilled reg])."""

    def __init__(self, frameno: int, callsite: int, subprog: int) -> None:
        self.regs = [Reg() for _ in range(11)]
        self.stack: dict[int, list] = {}
        self.callsite = callsite
        self.cb = 0  # 1: a callback frame (bpf_loop, for_each_map_elem)
        self.callback_depth = 0  # bpf_loop iterations this frame has explored at its call
        self.frameno = frameno
        self.subprog = subprog

    def copy(self) -> Frame:
        f = cython.declare(Frame, Frame.__new__(Frame))
        # registers are never changed in place once in a state (every change makes a
        # new Reg), so states share them: a copy is one list per frame
        f.regs = list(self.regs)
        f.stack = {k: [list(v[0]), v[1]] for k, v in self.stack.items()}
        f.callsite, f.frameno, f.subprog = self.callsite, self.frameno, self.subprog
        f.cb = self.cb
        f.callback_depth = self.callback_depth
        return f


@cython.final
@cython.cclass
class State:
    """One verifier state: the frames of the call chain and the held references."""

    def __init__(self) -> None:
        self.hits = self.misses = 0
        self.frames: list[Frame] = []
        self.refs: list[tuple[int, int]] = []  # (ref id, alloc insn)
        self.parent: State | None = None
        self.branches = 0
        self.in_free_list = False  # evicted while still needed: it counts until freed
        self.cleaned = False  # dead slots and registers forgotten (Liveness.clean)
        # precision tracking (precision.py): the instructions this state walked since its
        # parent checkpoint (first_idx .. last_idx, insn_idx now) and where they jumped
        # from: (insn, previous insn, stack access flags, linked registers)
        self.hist: tuple = ()  # shared by copies: a push makes a new tuple
        self.first_idx = 0
        self.last_idx = -1
        self.insn_idx = 0
        # callback iterations entered on this path: states of different iterations are
        # not one loop (the infinite-loop check)
        self.callback_unroll_depth = 0

    def copy(self) -> State:
        s = cython.declare(State, State())
        s.frames = [cython.cast(Frame, f).copy() for f in self.frames]
        s.refs = list(self.refs)
        s.parent = self.parent
        s.hist = self.hist
        s.first_idx, s.last_idx, s.insn_idx = self.first_idx, self.last_idx, self.insn_idx
        s.callback_unroll_depth = self.callback_unroll_depth
        return s

    @property
    def cur(self) -> Frame:
        return self.frames[-1]


@cython.final
@cython.cclass
class Checker:
    """Walks every path of a program, keeping the kernel's verifier state."""

    def __init__(self, prog: Program, prog_type: int, maps: Mapping[int, env.MapInfo],
                 helpers: Mapping[int, Helper] | None, log_level: int,
                 privileged: bool = True, expected_attach_type: int = 0) -> None:
        self.p = prog
        self.attach = expected_attach_type  # PROG_LOAD's expected_attach_type
        # False: a loader without CAP_BPF/CAP_PERFMON (allow_ptr_leaks, allow_uninit_stack,
        # bypass_spec_v1/v4 and bpf_capable all false in the kernel's env)
        self.priv = privileged
        # per-insn ALU sanitation state (insn_aux_data's alu_state, alu_limit)
        self.alu_aux: dict[int, tuple[int, int]] = {}
        self.ptr_aux: dict[int, int] = {}  # insn_aux_data.ptr_type of loads and stores
        self.prog_type = prog_type
        self.maps = maps
        self.helpers = helpers
        self.gpl = True  # prog->gpl_compatible (the license); bpf_check sets it
        self.log_level = log_level
        self.lines: list[str] = []
        # the kernel's log is a byte buffer rewound on pops: True when the next text continues
        # the last line (see path_done)
        self.cont = False
        # registers and stack slots the current instruction touched (env->scratched_regs,
        # scratched_stack_slots): the ones its `` ; `` state shows
        self.scr = 0
        self.scr_stack = 0
        self.from_pc = -1  # the jump a popped branch comes from (level 2's ``from X to Y``)
        self.id_gen = 0
        self.processed = 0
        self.jmps = 0
        self.prev_jmps = 0
        self.prev_insns = 0
        self.visited: dict[int, list[State]] = {}
        self.total_states = 0
        self.peak_states = 0
        self.cur_states = 0
        self.num_backedges = 0  # copies of states pruned inside a loop (SCC back-edges)
        self.max_states_per_insn = 0
        self.stack_depth = [0] * len(prog.subprogs)
        self.max_ctx_offset = 0  # prog->aux->max_ctx_offset
        self.ctx_loads: dict[int, tuple[int, int]] = {}  # pc: (off, size), for conversion
        self.detached = False  # lines were logged after the instruction's (see print_trace)
        self.stack: list[tuple[State, int, int, int]] = []
        # helper calls that take a callback: the callback returns to them (force checkpoints)
        self.cb_sites = {i.pc for i in prog.slots if i is not None and i.code == 0x85
                         and i.src == 0 and self._takes_callback(i.imm)}
        prog.prune |= self.cb_sites
        # stack slot liveness (kernel/bpf/liveness.c): level 2 logs its updates
        self.lv = Liveness(prog, self.out if log_level >= 2 else None, self.cb_sites)
        # precision tracking (precision.py)
        self.jmp_pts = self._jmp_points()
        self.scc = vlog.loop_sccs(prog)
        self.scc_visits = {}
        self.insn_lines = -1  # len(lines) once the instruction's text is out
        self.pc_now = 0
        self.prev_pc = -1
        self.hist_at = -1  # where the current instruction's history entry is, -1: none
        self.hist_flag = 0  # a register spill/fill of the stack: its slot, for the history
        self.zero_used = False  # a variable-offset store of zero kept STACK_ZERO bytes
        # backtracking walks already made in one state (precision.mark_chain)
        self.bt_memo = None
        self.bt_memo_state = None
        self.bt_memo_first = -1
        # code, dst, src of every slot (0, 0, 0: an LD_IMM64's second) and whether a
        # precision walk may start there, for precise_fast
        self.insn_bytes = bytes(b for i in prog.slots for b in (
            (i.code, i.dst & 0xF, i.src & 0xF, _walk_start(i)) if i is not None
            else (0, 0, 0, 0)))

    def _jmp_points(self) -> frozenset[int]:
        """mark_jmp_point: the instructions reached other than by falling through (jump
        targets, subprogram and callback entries, where calls return), whose predecessor
        the jump history records for backtracking."""
        pts = set()
        for i in self.p.slots:
            if i is None:
                continue
            cls, op = i.code & 7, i.code & 0xF0
            if i.slots == 2 and i.src == isa.BPF_PSEUDO_FUNC:
                pts.add(i.pc + i.imm + 1)
                pts.add(i.pc + 2)
            elif cls in (isa.BPF_JMP, isa.BPF_JMP32):
                if op == isa.BPF_CALL:
                    if i.src == isa.BPF_PSEUDO_CALL:
                        pts.add(i.pc + i.imm + 1)
                        pts.add(i.pc + 1)
                    elif i.pc in self.cb_sites:
                        pts.add(i.pc)
                        pts.add(i.pc + 1)
                elif op == isa.BPF_JA:
                    pts.add(i.pc + (i.imm if cls == isa.BPF_JMP32 else i.off) + 1)
                elif op != isa.BPF_EXIT:
                    pts.add(i.pc + i.off + 1)
        return frozenset(pts)

    def push_hist(self, st: State, flags: int, linked: tuple = ()) -> None:
        """push_jmp_history: one entry per instruction (flags of a second push join it)."""
        if self.hist_at >= 0:
            idx, prev, fl, lk = st.hist[self.hist_at]
            st.hist = (*st.hist[:self.hist_at], (idx, prev, fl | flags, linked or lk))
            return
        self.hist_at = len(st.hist)
        st.hist = (*st.hist, (self.pc_now, self.prev_pc, flags, linked))

    def precise(self, st: State, regno: int) -> None:
        """mark_chain_precision of a scalar register of the current frame."""
        if not self.priv:
            return
        st.insn_idx = self.pc_now
        if cython.cast(Reg, cython.cast(Frame, st.frames[-1]).regs[regno]).t == _T_SCALAR:
            if self.log_level < 2 and self.precise_fast(st, regno):
                return
            precision.mark_chain(self, st, regno)

    @cython.locals(mask=cython.ulonglong, dbit=cython.ulonglong, sbit=cython.ulonglong,
                   i=cython.Py_ssize_t, cnt=cython.Py_ssize_t, first=cython.Py_ssize_t,
                   code=cython.int, cls=cython.int, op=cython.int, frame=cython.int,
                   hist=tuple, memo=set, key=cython.ulonglong, ib=bytes,
                   dst=cython.int, src=cython.int, first_key=cython.longlong, h=tuple,
                   check=cython.int)
    def precise_fast(self, st: State, regno: int) -> bool:
        """precision.mark_chain's walk, compiled, for its common case: one register of the
        current frame back through the state's own plain instructions (ALU, jumps, loads
        that are not fills) until it is set from a constant or the walk reaches a point an
        earlier walk of this state went through.  False (nothing recorded) when the walk
        needs more: a parent state, calls, exits, spills and fills, linked registers."""
        if self.bt_memo_state is not st or self.bt_memo_first != st.first_idx:
            return False
        memo = self.bt_memo
        hist = st.hist
        cnt = len(hist)
        frame = len(st.frames) - 1
        mask = 1 << regno
        i = st.insn_idx
        first = st.first_idx
        ib = self.insn_bytes
        first_key = -1
        while True:
            # an earlier walk can only have started at this instruction if it may start one
            check = ib[4 * i + 3]
            # get_prev_insn_idx
            h = hist[cnt - 1] if cnt else None
            if i == first and (cnt == 0 or (cnt == 1 and h[0] == i)):
                return False
            if h is not None and h[0] == i:
                i = h[1]
                cnt -= 1
                h = hist[cnt - 1] if cnt else None
            else:
                i -= 1
            key = (((cython.cast(cython.ulonglong, cnt) << 20 | i) << 3 | frame) << 11) | mask
            if first_key < 0:
                # where a later walk of this state, reaching it, can stop (see mark_chain)
                first_key = key
            elif check and key in memo:
                break
            code = ib[4 * i]
            if code == 0:  # the second slot of an LD_IMM64
                continue
            if h is not None and h[0] == i and (h[2] or h[3]):
                return False
            cls = code & 7
            dst = ib[4 * i + 1]
            src = ib[4 * i + 2]
            dbit = cython.cast(cython.ulonglong, 1) << dst
            sbit = cython.cast(cython.ulonglong, 1) << src
            if cls == 4 or cls == 7:  # ALU, ALU64
                if mask & dbit:
                    op = code & 0xF0
                    if op == 0xB0:
                        mask &= ~dbit
                        if code & 8:
                            mask |= sbit
                    elif op != 0xD0 and op != 0x80 and code & 8:
                        mask |= sbit
            elif cls == 5 or cls == 6:  # JMP, JMP32
                op = code & 0xF0
                if op == 0x80 or op == 0x90:
                    return False
                if op != 0 and code & 8 and mask & (dbit | sbit):
                    mask |= dbit | sbit
            elif cls == 1:  # LDX (a fill would have a history entry with flags)
                mask &= ~dbit
            elif cls == 0:  # LD_IMM64, LD_ABS/IND
                if mask & dbit:
                    if code & 0xE0 != 0:
                        return False
                    mask &= ~dbit
            else:  # ST, STX, atomics
                if mask & dbit or code & 0xE0 == 0xC0:
                    return False
            if not mask:
                break
        if first_key >= 0:
            memo.add(first_key)
        return True

    # --- logging ---------------------------------------------------------------
    def out(self, text: str) -> None:
        if self.log_level:
            if self.cont:
                self.lines[-1] += text
                self.cont = False
            else:
                self.lines.append(text)

    def state_str(self, st: State, only: set[int] | None = None, fi: int = -1) -> str:
        """print_verifier_state of frame ``fi`` (the current one by default)."""
        f = st.frames[fi]
        fno = f.frameno
        allp = not self.priv
        parts = []
        allp = not self.priv
        for i, r in enumerate(f.regs):
            if r.t != _T_NOT_INIT and (only is None or i in only):
                parts.append(f"R{i}={vlog.reg_str(r, fno, allp)}")
        if only is None or self.scr_stack:
            for spi in sorted(f.stack):
                kinds, sp = f.stack[spi]
                if only is not None and not (self.scr_stack >> spi) & 1:
                    continue
                if kinds[7] == _SPILL and sp is not None:
                    # a partial spill shows the other bytes' kinds before the value
                    n = 8
                    while n and kinds[n - 1] == _SPILL:
                        n -= 1
                    parts.append(f"fp{-(spi + 1) * 8}={''.join(kinds[:n])}"
                                 f"{vlog.reg_str(sp, fno, allp)}")
                elif any(k != _INVALID for k in kinds):
                    parts.append(f"fp{-(spi + 1) * 8}={''.join(kinds)}")
        pre = f"frame{f.frameno}: " if f.frameno else ""
        refs = ""
        if st.refs and st.refs[0][0]:
            refs = (" refs=" if parts else "refs=") + ",".join(str(x[0]) for x in st.refs
                                                              if x[0])
        cb = " cb" if f.cb else ""  # a callback's frame (in_callback_fn)
        return pre + " ".join(parts) + refs + cb

    def new_id(self) -> int:
        self.id_gen += 1
        return self.id_gen

    # --- register access ---------------------------------------------------------
    def read(self, st: State, r: int) -> Reg:
        if r > 10:
            raise Reject(f"R{r} is invalid", errno.EINVAL)
        self.scr |= 1 << r
        reg = st.frames[-1].regs[r]
        if reg.t == _T_NOT_INIT:
            raise Reject(f"R{r} !read_ok")
        return reg

    def check_dst(self, r: int) -> None:
        if r > 10:
            raise Reject(f"R{r} is invalid", errno.EINVAL)
        if r == 10:
            raise Reject("frame pointer is read only")

    # --- the main loop -------------------------------------------------------------
    @cython.locals(jmp_pts=bytes)
    def run(self) -> None:
        st = State()
        f = Frame(0, -1, 0)
        f.regs[1] = Reg(_T_CTX)
        f.regs[10] = Reg(_T_STACK)
        for r in (f.regs[1], f.regs[10]):
            r.set_const(0)
        st.frames.append(f)
        stack: list[tuple[State, int, int, int]] = []
        self.stack = stack
        pc = 0
        print_state = True
        log = self.log_level
        slots = self.p.slots
        prune = self.p.prune
        self.live = self.p.live
        # per-slot decode done once: the table row and whether it is a jump
        specs = [i.spec if i is not None else None for i in slots]
        is_jmp = [i is not None and i.code & 7 in (isa.BPF_JMP, isa.BPF_JMP32) for i in slots]
        is_exit = [i is not None and i.code == isa.BPF_JMP | isa.BPF_EXIT for i in slots]
        ret_from = -1  # level 2: the exit a subprogram just returned from
        self.reserved = [_reserved(i, sp) if sp is not None else None
                         for i, sp in zip(slots, specs, strict=True)]
        decs = [Dec(i, sp) if i is not None else None for i, sp in zip(slots, specs, strict=True)]
        jmp_pts = bytes(pc in self.jmp_pts for pc in range(len(slots)))
        seen = self.seen = bytearray(len(slots))  # aux->seen: the instructions walked
        prev = -1
        while True:
            if self.processed >= _INSN_LIMIT:
                raise Reject(f"BPF program is too large. Processed {self.processed + 1} insn",
                             errno.E2BIG)
            self.processed += 1
            self.pc_now = pc
            self.prev_pc = prev
            self.hist_at = -1
            if pc in prune:
                pruned = self.is_state_visited(st, pc)
                if pruned:
                    if log:
                        # the previous instruction's state is not printed (do_check prints
                        # it only when the walk goes on)
                        if print_state and log >= 2 and self.from_pc >= 0:
                            self.out("")
                            self.out(f"from {self.from_pc} to {pc}: safe")
                        elif ret_from >= 0:
                            self.out("")
                            self.out(f"from {ret_from} to {pc}: safe")
                        else:
                            self.out(f"{pc}: safe")
                    self.scr = 0
                    self.scr_stack = 0
                    ret_from = -1
                    pc, st = self.path_done(st, stack)
                    if st is None:
                        return
                    prev = self.from_pc
                    print_state = True
                    continue
            if jmp_pts[pc]:
                self.push_hist(st, 0)
            insn = slots[pc]
            if ret_from >= 0:
                # level 2 shows the state a return from a subprogram or callback lands in
                self.out("")
                self.out(f"from {ret_from} to {pc}: {self.state_str(st)}")
                ret_from = -1
            if log:
                if self.scr or self.scr_stack:
                    self.print_trace(st, pc)
                if print_state:
                    if log >= 2 and self.from_pc >= 0:
                        self.out("")
                        self.out(f"from {self.from_pc} to {pc}: {self.state_str(st)}")
                    self.out(f"{pc}: {self.state_str(st)}")
                    print_state = False
                self.out(f"{pc}: {vlog.format_insn(insn)}")
                self.insn_lines = len(self.lines)
                self.scr = 0
                self.scr_stack = 0
            spec = specs[pc]
            if spec is None:
                raise Reject(_no_row(insn), errno.EINVAL)
            if is_jmp[pc]:
                self.jmps += 1
            seen[pc] = 1
            self.lv.pc = pc  # stack liveness: the reads and writes of this instruction
            if self.lv.cur is None:
                self.lv.ensure(st)
            nxt = self.step(st, decs[pc], stack)
            self.lv.commit(st, pc)
            if nxt is None:  # path ended at exit
                pc, st = self.path_done(st, stack)
                if st is None:
                    return
                prev = self.from_pc
                print_state = True
                continue
            if log >= 2 and is_exit[pc]:  # returned from a subprogram or a callback
                ret_from = pc
            prev = pc
            pc = nxt

    def path_done(self, st: State, stack: list) -> tuple[int, State | None]:
        p = st.parent
        child = None
        while p is not None:
            p.branches -= 1
            if p.branches:
                break
            if self.scc_visits:
                precision.exit_scc(self, p)
            if child is not None:
                self.maybe_free(child)  # update_branch_counts frees the previous one
            child = p
            p = p.parent
        self.lv.update(st)
        if not stack:
            return 0, None
        nst, pc, prev, pos = stack.pop()
        if self.log_level == 1:
            # pop_stack rewinds the log to where the branch was pushed: after the jump's
            # text and its newline, which the jump's `` ; `` state (printed after the push)
            # overwrote with its first padding space, so the next text continues that line
            npos, nlen = pos
            del self.lines[npos:]
            if self.lines and len(self.lines[-1]) != nlen:
                self.lines[-1] = self.lines[-1][:nlen] + " "
                self.cont = True
        self.from_pc = prev
        self.scr = 0
        self.scr_stack = 0
        self.detached = False
        return pc, nst

    def push(self, st: State, pc: int, prev: int, stack: list) -> State:
        if len(stack) >= 8192:
            raise Reject(f"The sequence of {len(stack)} jumps is too complex.", errno.E2BIG)
        c = st.copy()
        if c.parent is not None:
            c.parent.branches += 1
        lines = self.lines
        stack.append((c, pc, prev, (len(lines), len(lines[-1]) if lines else 0)))
        return c

    # --- pruning ---------------------------------------------------------------------
    def is_state_visited(self, st: State, pc: int) -> bool:
        # where the state is, for its checkpoint and precision tracking (precision.py)
        st.insn_idx = pc
        st.last_idx = self.prev_pc
        lst = self.visited.get(pc)
        if lst is None:
            lst = self.visited[pc] = []
        if lst:
            self.clean_states(st, pc, lst)
        if pc in self.cb_sites:
            return self.callback_site_visited(st, pc, lst)
        # a state that walked more than 40 jumps gets a checkpoint whatever the counts (so
        # that its jump history stays short)
        force = len(st.hist) > 40
        add = force or (self.jmps - self.prev_jmps >= 2 and self.processed - self.prev_insns >= 8)
        live = self.live[pc]
        keep: list[State] = []
        found = False
        seen = len(lst) if len(self.p.subprogs) == 1 else self.bucket_len(st, pc)
        for old in lst:
            if found:
                keep.append(old)
                continue
            if old.branches:
                if old.callback_unroll_depth == st.callback_unroll_depth and \
                        self.states_equal(old, st, live, exact=True):
                    raise Reject(f"infinite loop detected at insn {pc}", errno.EINVAL,
                                 extra=(f"cur state: {self.state_str(st)}",
                                        f"old state: {self.state_str(old)}"))
                if not force and self.jmps - self.prev_jmps < 20 and \
                        self.processed - self.prev_insns < 100:
                    add = False
            else:
                # a loop's checkpoint whose back-edges still wait: its precision marks are
                # not final, so its scalars are compared whatever their precision
                loop = bool(self.scc_visits) and precision.has_backedges(self, old)
                if self.states_equal(old, st, live, _RANGE_WITHIN if loop else 0):
                    old.hits += 1
                    found = True
                    keep.append(old)
                    self.prune_hit(old, st, pc, loop)
                    continue
            # a miss counts only when this visit adds a state (so that a loop's iterations
            # do not evict the states its first ones recorded)
            if add:
                old.misses += 1
            # the kernel's eviction: states that keep missing stop being compared
            if old.misses > old.hits * 3 + 3:
                # to the free list: it stops being compared, but counts (peak_states)
                # until maybe_free_verifier_state frees it
                old.in_free_list = True
                self.maybe_free(old)
                continue
            keep.append(old)
        lst[:] = keep
        if found:
            return True
        # the states compared (before any was evicted or this one added)
        self.max_states_per_insn = max(self.max_states_per_insn, seen)
        if not add:
            return False
        self.prev_jmps, self.prev_insns = self.jmps, self.processed
        self.add_state(st, lst)
        return False

    def maybe_free(self, old: State) -> None:
        """maybe_free_verifier_state: an evicted checkpoint is freed (and stops counting
        for peak_states) once no path runs from it and the loop it is in, if any, is
        done (its marks are complete)."""
        if not old.in_free_list or old.branches or (
                self.scc_visits and precision.in_open_scc(self, old)):
            return
        old.in_free_list = False
        self.cur_states -= 1

    def prune_hit(self, old: State, st: State, pc: int, loop: bool) -> None:
        """A state pruned against ``old``: what ``old`` needed precise, this path needs
        too (propagate_precision); in a loop still explored, a back-edge to revisit."""
        if not self.priv:
            return
        if pc in self.jmp_pts:
            self.push_hist(st, 0)
        precision.propagate(self, old, st)
        if loop:
            precision.add_backedge(self, old, st)

    @cython.locals(old=State, i=cython.Py_ssize_t)
    def clean_states(self, st: State, pc: int, lst: list) -> None:
        """clean_live_states: cached states at ``pc`` whose paths are all done forget
        the stack slots and registers no path from them reads (once each)."""
        for old in lst:
            if old.branches or old.cleaned or len(old.frames) != len(st.frames):
                continue
            for i in range(len(st.frames)):  # same_callsites
                if cython.cast(Frame, old.frames[i]).callsite != \
                        cython.cast(Frame, st.frames[i]).callsite:
                    break
            else:
                self.lv.clean(old, pc, self.live)

    def bucket_len(self, st: State, pc: int) -> int:
        """The kernel keeps explored states in buckets ``(insn ^ callsite) % insn_cnt``
        (explored_state), and counts a whole bucket for max_states_per_insn: with
        subprograms, states of other instructions and call sites share a bucket."""
        n = self.p.n
        want = ((pc ^ st.frames[-1].callsite) & 0xFFFFFFFF) % n
        count = 0
        for p, lst in self.visited.items():
            for old in lst:
                if ((p ^ old.frames[-1].callsite) & 0xFFFFFFFF) % n == want:
                    count += 1
        return count

    def callback_site_visited(self, st: State, pc: int, lst: list[State]) -> bool:
        """A helper call that takes a callback: each visit is one more iteration.

        As the kernel does for such calls, a state within an earlier one (even one
        still being explored) ends the path.  Where the kernel relies on precision
        tracking to stop caring about loop counters, pyebpf widens: scalars that differ
        from the previous visit become unknown, so the iterations reach a fixed point.
        """
        live = self.p.live[pc]
        for old in lst:
            # while the callback is explored (old.branches), the kernel compares scalars
            # whatever their precision (RANGE_WITHIN): the iterations' marks are not
            # final; a finished checkpoint is compared as anywhere else (its loop's
            # back-edges pending: RANGE_WITHIN too)
            loop = bool(old.branches) or (bool(self.scc_visits) and
                                          precision.has_backedges(self, old))
            if self.states_equal(old, st, live, _RANGE_WITHIN if loop else 0):
                old.hits += 1
                self.prune_hit(old, st, pc, loop)
                return True
        self.max_states_per_insn = max(self.max_states_per_insn, self.bucket_len(st, pc))
        # a forced checkpoint restarts the count of jumps and instructions between them
        self.prev_jmps, self.prev_insns = self.jmps, self.processed
        self.add_state(st, lst)
        return False

    def add_state(self, st: State, lst: list[State]) -> None:
        """Keep a copy of ``st`` as a checkpoint; it stays open while its paths run."""
        cp = st.copy()
        cp.branches = 1
        cp.parent = st.parent
        st.parent = cp
        st.first_idx = st.insn_idx
        st.hist = ()
        lst.append(cp)
        precision.enter_scc(self, cp)
        self.total_states += 1
        self.cur_states += 1
        self.peak_states = max(self.peak_states, self.cur_states + self.num_backedges)

    def widen(self, old: State, cur: State) -> None:
        """widen_imprecise_scalars: a scalar of ``cur`` (register or spill) that is not
        precise in either state and not exactly ``old``'s becomes unknown, so that a
        callback's iterations (a counter kept in its ctx, say) reach a fixed point."""
        if len(old.frames) != len(cur.frames):
            return
        idmap: dict[int, int] = {}
        for fo, fc in zip(old.frames, cur.frames, strict=True):
            for i in range(10):
                if _widens(fo.regs[i], fc.regs[i], idmap):
                    fc.regs[i] = sc.unknown_scalar()
            for spi, slot in fc.stack.items():
                so = fo.stack.get(spi)
                if so is None or slot[1] is None or so[1] is None or \
                        so[0][7] != _SPILL or slot[0][7] != _SPILL:
                    continue
                if _widens(so[1], slot[1], idmap):
                    slot[1] = sc.unknown_scalar()

    def prev_entry(self, st: State, pc: int) -> State | None:
        """find_prev_entry: the checkpoint at ``pc`` this path went through last (the
        previous iteration's state at a callback's call site)."""
        lst = self.visited.get(pc)
        if not lst:
            return None
        p = st.parent
        while p is not None:
            if len(p.frames) == len(st.frames) and any(x is p for x in lst) and all(
                    cython.cast(Frame, a).callsite == cython.cast(Frame, b).callsite
                    for a, b in zip(p.frames, st.frames, strict=True)):
                return p
            p = p.parent
        return None

    @cython.locals(i=cython.Py_ssize_t, nframes=cython.Py_ssize_t, depth=cython.Py_ssize_t,
                   r=cython.int, inner=cython.bint, fo=Frame, fc=Frame)
    def states_equal(self, old: State, cur: State, live: int, exact: int) -> bool:
        if len(old.frames) != len(cur.frames) or len(old.refs) != len(cur.refs):
            return False
        idmap: dict[int, int] = {}
        for i in range(len(old.refs)):
            if not _ids(idmap, old.refs[i][0], cur.refs[i][0]):
                return False
            if not _same_lock(old.refs[i], cur.refs[i]):
                return False
        nframes = len(old.frames)
        for depth in range(nframes):
            fo = old.frames[depth]
            fc = cur.frames[depth]
            if fo.callsite != fc.callsite:
                return False
            inner = depth == nframes - 1
            for r in range(11):
                if inner and not (live >> r) & 1:
                    continue
                if not self.regsafe(fo.regs[r], fc.regs[r], idmap, exact):
                    return False
            if not fo.stack and not fc.stack:
                continue
            for spi in set(fo.stack) | set(fc.stack):
                so = fo.stack.get(spi)
                scur = fc.stack.get(spi)
                ko = so[0] if so else [_INVALID] * 8
                kc = scur[0] if scur else [_INVALID] * 8
                if exact == 1:
                    if ko != kc:
                        return False
                    if ko[7] == _SPILL and not self.regsafe(so[1], scur[1], idmap, 1):
                        return False
                    continue
                if not self.stacksafe_slot(ko, so[1] if so else None, kc,
                                           scur[1] if scur else None, idmap, exact):
                    return False
        return True

    def stacksafe_slot(self, ko: list, ro: Reg | None, kc: list, rc: Reg | None,
                       idmap: dict, exact: int) -> bool:
        """stacksafe for one 8-byte slot: a spilled scalar and STACK_MISC bytes (an unknown
        scalar when read) compare as registers, so an imprecise spill accepts misc bytes
        and the other way round; other bytes must be as good as the old ones."""
        j = 0
        while j < 8:
            x = ko[j]
            if x == _INVALID or (x == _MISC and self.priv):
                j += 1
                continue
            if j == 0 or j == 4:
                a = self._scalar_for_stack(ko, ro, j)
                b = self._scalar_for_stack(kc, rc, j)
                if a is not None and b is not None:
                    if not self.regsafe(a, b, idmap, exact):
                        return False
                    j += 8 if j == 0 else 4
                    continue
            y = kc[j]
            if x == _MISC and y == _ZERO:
                j += 1
                continue
            if x != y:
                return False
            if j == 7 and x == _SPILL:
                if ro is None or rc is None or not self.regsafe(ro, rc, idmap, exact):
                    return False
            j += 1
        return True

    def _scalar_for_stack(self, kinds: list, r: Reg | None, im: int) -> Reg | None:
        """scalar_reg_for_stack: the scalar bytes ``im``.. of a slot hold when read."""
        if kinds[im] == _SPILL:
            return r if r is not None and r.t == _T_SCALAR else None
        for k in kinds[im:]:
            if k != _MISC and not (k == _INVALID and self.priv):
                return None
        return sc.unknown_scalar()

    def regsafe(self, o: Reg, c: Reg, idmap: dict[int, int], exact: int) -> bool:
        """``exact``: 0 (NOT_EXACT: an imprecise scalar of ``o`` accepts any scalar),
        _RANGE_WITHIN (scalars compared by range whatever their precision), 1 (EXACT)."""
        if exact == 1:
            return o.same(c) and _ids(idmap, o.id, c.id)
        if o.t == _T_NOT_INIT:
            return True
        if c.t != o.t:
            return False
        if o.t == _T_SCALAR:
            if exact == 0 and not o.precise and self.priv:
                return True
            if (o.id & ADD_CONST) != (c.id & ADD_CONST):
                return False
            if o.id & ADD_CONST and o.off != c.off:
                return False
            if o.id and not _ids(idmap, o.id, c.id):
                return False
            return (o.smin <= c.smin and o.smax >= c.smax and o.umin <= c.umin
                    and o.umax >= c.umax and o.s32min <= c.s32min and o.s32max >= c.s32max
                    and o.u32min <= c.u32min and o.u32max >= c.u32max
                    and tnum.contains(o.tn, c.tn))
        if o.off != c.off or o.mp is not c.mp or o.frame != c.frame or o.memsz != c.memsz:
            return False
        if o.t in (_T_PKT, _T_PKT_META):
            # a range known to be at or beyond pkt_end (negative) is a fact about the
            # pointer, not a weaker range: it must be the same
            if o.rng < 0 or c.rng < 0:
                if o.rng != c.rng:
                    return False
            elif o.rng > c.rng:
                return False
        if not _ids(idmap, o.id, c.id) or not _ids(idmap, o.ref, c.ref):
            return False
        return (o.smin <= c.smin and o.smax >= c.smax and o.umin <= c.umin
                and o.umax >= c.umax and tnum.contains(o.tn, c.tn))

    # --- one instruction ---------------------------------------------------------------
    def step(self, st: State, d: Dec, stack: list) -> int | None:
        insn = d.insn
        spec = d.spec
        f = d.form
        pc = d.pc
        bad = self.reserved[pc]
        if bad:
            raise Reject(f"{bad} uses reserved fields", errno.EINVAL)
        k = d.kind
        if k == _K_ALU:
            self.alu(st, d)
        elif k == _K_JCOND:
            return self.cond_jmp(st, d, stack)
        elif f is Form.LDX:
            self.read(st, insn.src)
            self.check_dst(insn.dst)
            ptr_t = st.frames[-1].regs[insn.src].t
            val = self.mem_access(st, insn.src, insn.off, spec.width, write=False,
                                  sx=spec.op == "ldxs")
            self.save_aux_ptr_type(pc, ptr_t)
            st.frames[-1].regs[insn.dst] = val
            self.trace(st, [insn.dst])
        elif f in (Form.ST, Form.STX):
            self.read(st, insn.dst)
            src = None
            if f is Form.STX:
                src = self.read(st, insn.src)
                if src.t == _T_SCALAR and (not src.id or src.id & ADD_CONST) and \
                        not src.is_const() and \
                        self.priv and src.umax.bit_length() <= spec.width * 8:
                    dreg = st.frames[-1].regs[insn.dst]
                    if dreg.t == _T_STACK and dreg.is_const() and \
                            (dreg.off + insn.off) % 8 == 0:
                        # assign_scalar_id_before_mov: the spill and the register stay
                        # linked (a bound learnt on one holds for the other)
                        src = self.id_before_mov(st, insn.src, src)
            ptr_t = st.frames[-1].regs[insn.dst].t
            self.mem_access(st, insn.dst, insn.off, spec.width, write=True, src=src,
                            imm=insn.imm if f is Form.ST else None,
                            vreg=insn.src if f is Form.STX else -1)
            self.save_aux_ptr_type(pc, ptr_t)
        elif f is Form.ATOMIC:
            self.atomic(st, insn, spec)
        elif f is Form.LDDW:
            self.check_dst(insn.dst)
            self.lddw(st, insn)
            return pc + 2
        elif f in (Form.LDABS, Form.LDIND):
            self.ld_abs(st, insn, spec)
        elif k == _K_MAY_GOTO:
            # either way at run time: explore the jump later, the fall-through now
            self.push(st, pc + insn.off + 1, pc, stack)
            return pc + 1
        elif f in (Form.JA, Form.JA32):
            return pc + (insn.imm if f is Form.JA32 else insn.off) + 1
        elif f is Form.CALL:
            if insn.src != isa.BPF_PSEUDO_CALL and _held_lock(st) is not None and (
                    insn.src != 0 or insn.imm != _SPIN_UNLOCK):
                raise Reject("function calls are not allowed while holding a lock",
                             errno.EINVAL)
            if insn.src == isa.BPF_PSEUDO_CALL:
                return self.call_subprog(st, insn)
            self.call_helper(st, insn)
        elif f is Form.CALLX:
            raise Reject(f"unknown opcode {insn.code:02x}", errno.EINVAL)
        elif f is Form.EXIT:
            return self.exit(st, insn)
        return pc + 1

    def trace(self, st: State, regs: list[int]) -> None:
        """Registers the instruction wrote: shown with the ones it read after it."""
        for r in regs:
            self.scr |= 1 << r

    def print_trace(self, st: State, pc: int = -1) -> None:
        """print_insn_state: the touched registers and stack slots after the instruction
        (the ``;`` is there even when none of them is initialised).  When other lines came
        after the instruction's (a call's ``caller:``/``callee:``, precision backtracking,
        SCC lines), the state gets its own line, numbered with the current instruction
        (``pc``, or the one being checked)."""
        if self.lines and (self.detached or len(self.lines) != self.insn_lines):
            self.detached = False
            text = self.state_str(st, {r for r in range(11) if (self.scr >> r) & 1})
            self.lines.append(f"{pc if pc >= 0 else self.pc_now}:" + (f" {text}" if text else ""))
        elif self.lines:
            text = self.state_str(st, {r for r in range(11) if (self.scr >> r) & 1})
            line = self.lines[-1]
            # vlog_alignment: ``;`` at column 38, or at the next multiple of 8 minus 2
            # that leaves at least 4 columns after a long instruction
            n = len(line) + 1
            col = (max(n + 4, 40) + 7) // 8 * 8 - 2
            self.lines[-1] = f"{line:<{col}};" + (f" {text}" if text else "")
        self.scr = 0
        self.scr_stack = 0

    # --- ALU ---------------------------------------------------------------------------
    @cython.locals(dreg=Reg, sreg=Reg, fr=Frame)
    def alu(self, st: State, dec: Dec) -> None:
        insn = dec.insn
        spec = dec.spec
        f = dec.form
        op = dec.op
        is64 = dec.is64
        fr = st.frames[-1]
        regs = fr.regs
        if dec.alu_imm and 0 <= dec.dst < 10:
            # the common immediate forms on known values, without building the operand
            if dec.opc == _O_MOV:
                regs[dec.dst] = sc.const_u64(dec.imm_u64)
                if self.log_level:
                    self.trace(st, [insn.dst])
                return
            dreg = regs[dec.dst]
            if dreg.t == _T_SCALAR and not dreg.tn.mask and dec.opc and dec.opc != _O_MOV:
                if _fold_ok(dec.opc, dec.imm_u64, is64):
                    regs[dec.dst] = sc.const_u64(_fold(dec.opc, dreg.tn.value, dec.imm_u64,
                                                       is64))
                    if self.log_level:
                        self.trace(st, [insn.dst])
                    return
        if f is Form.ALU_REG or f is Form.MOVSX:
            src = self.read(st, insn.src)
        else:
            src = sc.const_scalar(insn.imm if is64 or op != "mov" else insn.imm & 0xFFFFFFFF)
            if f is Form.ALU_IMM and not is64:
                src = sc.const_scalar(insn.imm & 0xFFFFFFFF)
        if op == "mov" or f is Form.MOVSX:
            self.check_dst(insn.dst)
            if not self.priv and src.t != _T_SCALAR and (f is Form.MOVSX or not is64):
                if is64:
                    raise Reject(f"R{insn.src} sign-extension part of pointer")
                raise Reject(f"R{insn.src} partial copy of pointer")
            if f is Form.MOVSX:
                if src.t == _T_SCALAR:
                    # a value the extension keeps as it is stays linked to its source
                    # (assign_scalar_id_before_mov)
                    no_sext = src.umax < (1 << (insn.off - 1))
                    if no_sext and not src.is_const() and not src.id:
                        src = src.copy()
                        src.id = self.new_id()
                        regs[insn.src] = src
                    dst = src.copy()
                    if not no_sext:
                        dst.id = 0
                else:
                    dst = sc.unknown_scalar()
                (sc.coerce_sx if is64 else sc.coerce_sx32)(dst, insn.off // 8)
            elif f is Form.ALU_IMM:
                dst = sc.const_scalar(insn.imm if is64 else insn.imm & 0xFFFFFFFF)
            elif is64:
                if src.t == _T_SCALAR:
                    src = self.id_before_mov(st, insn.src, src)
                dst = src.copy()
            else:
                if src.t != _T_SCALAR:
                    dst = sc.unknown_scalar()
                    sc.zext32(dst)
                    sc.sync(dst)
                else:
                    if src.umax <= 0xFFFFFFFF:
                        # assign_scalar_id_before_mov: w1 = w2 links a value that fits
                        # in 32 bits to its source
                        src = self.id_before_mov(st, insn.src, src)
                    dst = src.copy()
                    if dst.umax > 0xFFFFFFFF or dst.smin < 0:
                        dst.id = 0
                        dst.off = 0
                    sc.coerce(dst, 4)
            regs[insn.dst] = dst
            self.trace(st, [insn.dst])
            return
        dst = self.read(st, insn.dst)
        if not self.priv and (f is Form.NEG or f is Form.END) and dst.t != _T_SCALAR:
            raise Reject(f"R{insn.dst} pointer arithmetic prohibited")
        self.check_dst(insn.dst)
        if f is Form.ALU_IMM and op in ("div", "mod", "sdiv", "smod") and insn.imm == 0:
            raise Reject("div by zero", errno.EINVAL)
        if f is Form.ALU_IMM and op in ("lsh", "rsh", "arsh") and \
                not 0 <= insn.imm < (64 if is64 else 32):
            raise Reject(f"invalid shift {insn.imm}", errno.EINVAL)
        dreg = dst
        sreg = src
        if not self.priv and f is Form.ALU_REG and (dec.opc == _O_ADD or dec.opc == _O_SUB) \
                and dreg.t == _T_SCALAR and sreg.t == _T_SCALAR:
            self.alu_sanitation(insn, _ALU_NON_POINTER, 0)  # sanitize_val_alu
        if dreg.t == _T_SCALAR and sreg.t == _T_SCALAR and not dreg.tn.mask and \
                not sreg.tn.mask and dec.opc and dec.opc != _O_MOV and f is not Form.NEG:
            # both known: the result is known (what tnum and bounds arithmetic give too)
            if _fold_ok(dec.opc, sreg.tn.value, is64):
                regs[insn.dst] = sc.const_u64(_fold(dec.opc, dreg.tn.value, sreg.tn.value,
                                                    is64))
                if self.log_level:
                    self.trace(st, [insn.dst])
                return
        dst = dst.copy()
        if f in (Form.NEG, Form.END):
            if dst.t != _T_SCALAR:
                dst = sc.unknown_scalar()
            elif f is Form.NEG:
                sc.alu_scalar("neg", dst, dst, is64)
            else:
                if spec.op == "le" and spec.width == 64:
                    # a no-op on a little-endian host: the register is unchanged (id too)
                    self.trace(st, [insn.dst])
                    return
                sc.byte_swap(dst, spec.op == "le", spec.width)
            dst.id = 0
            regs[insn.dst] = dst
            self.trace(st, [insn.dst])
            return
        if dst.t != _T_SCALAR or src.t != _T_SCALAR:
            if f is Form.ALU_REG and self.priv:
                # a scalar becomes a pointer's offset: it must stay exact
                if dst.t != _T_SCALAR and src.t == _T_SCALAR:
                    self.precise(st, insn.src)
                elif dst.t == _T_SCALAR and src.t != _T_SCALAR:
                    self.precise(st, insn.dst)
            dst = self.ptr_alu(st, insn, op, dst, src, is64, f is Form.ALU_REG)
        else:
            linked = dst.id
            dst.id = 0
            dst.off = 0
            sc.alu_scalar(op, dst, src, is64)
            if linked and self.priv and (op == "add" or op == "sub") and src.is_const():
                # rX += K on a linked scalar: still linked, K apart (sync_linked_regs)
                k = sc.s64(src.tn.value) if is64 else sc.s32(src.tn.value)
                delta = k if op == "add" else -k
                if not linked & ADD_CONST and sc.S32_MIN <= delta <= sc.S32_MAX:
                    dst.id = linked | (ADD_CONST64 if is64 else ADD_CONST32)
                    dst.off = delta
        regs[insn.dst] = dst
        self.trace(st, [insn.dst])

    def ptr_alu(self, st: State, insn: isa.Instruction, op: str, dst: Reg, src: Reg,
                is64: bool, x: bool) -> Reg:
        """adjust_ptr_min_max_vals: the pointer arithmetic a program may do.

        The kernel's order: 32-bit forms, maybe-NULL pointers, the pointer type, the
        offsets' sanity, ALU sanitation for !root (add/sub with a register), the
        operator, then the result's bounds (for !root: still inside the object).
        """
        d = insn.dst
        opstr = vlog.ALU_OP_STR[isa.ALU_OPS.get(op, 0) >> 4] if op in isa.ALU_OPS else op
        if dst.t != _T_SCALAR and src.t != _T_SCALAR:
            if op == "sub" and self.priv:
                return sc.unknown_scalar()
            raise Reject(f"R{d} pointer {opstr} pointer prohibited")
        off_is_dst = dst.t == _T_SCALAR  # scalar op= pointer
        if off_is_dst:
            ptr, off = src, dst
        else:
            ptr, off = dst, src
        if not is64:
            if not self.priv:
                raise Reject(f"R{d} 32-bit pointer arithmetic prohibited")
            return self._alu32_ptr(d, op, ptr)
        if ptr.t in sc.OR_NULL:
            raise Reject(f"R{d} pointer arithmetic on {sc.TYPE_STR[ptr.t]} prohibited, "
                         "null-check it first")
        if ptr.t in (_T_PKT_END, _T_MAP_PTR, *sc.SOCK_TYPES):
            if not (ptr.t == _T_MAP_PTR and off.is_const() and off.smin == 0 and op == "add"):
                raise Reject(f"R{d} pointer arithmetic on {sc.TYPE_STR[ptr.t]} prohibited")
        tname = sc.TYPE_STR[ptr.t]
        known = off.is_const()
        _sane_offset(off, tname)
        _sane_offset(ptr, tname)
        sanitize = not self.priv and x and op in ("add", "sub")
        mask_left, state, limit = False, 0, 0
        if sanitize:
            mask_left, state, limit = self.sanitize_ptr(insn, op, ptr, off, off_is_dst)
        if op in ("and", "or", "xor"):
            raise Reject(f"R{d} bitwise operator {opstr} on pointer prohibited")
        if op not in ("add", "sub"):
            raise Reject(f"R{d} pointer arithmetic with {opstr} operator prohibited")
        if op == "sub" and off_is_dst:
            raise Reject(f"R{d} tried to subtract pointer from scalar")
        if op == "sub" and ptr.t == _T_STACK:
            raise Reject(f"R{d} subtraction from stack pointer prohibited")
        res = ptr.copy()
        if known:
            delta = off.smin if op == "add" else -off.smin
            res.off = ptr.off + delta
        else:
            tmp = ptr.copy()
            tmp.t = _T_SCALAR
            sc.alu_scalar(op, tmp, off, True)
            for k in ("tn", "smin", "smax", "umin", "umax"):
                setattr(res, k, getattr(tmp, k))
            # pointers carry no 32-bit bounds (__mark_reg32_unbounded), reg_bounds_sync
            # derives them from the 64-bit ones
            res.s32min, res.s32max, res.u32min, res.u32max = sc.S32_MIN, sc.S32_MAX, 0, \
                sc.tnum.U32
            sc.sync(res)
            if ptr.t in (_T_PKT, _T_PKT_META):
                res.id = self.new_id()
                res.rng = 0
        _sane_offset(res, tname)
        if not self.priv:
            self.sanitize_check_bounds(d, res)
        if sanitize:
            # the commit window: how far the pointer moved must be the same on every path
            after = self.ptr_limit(d, d, op, res, mask_left)
            self.alu_sanitation(insn, state, abs(sc.s32(limit - after)))
        return res

    @staticmethod
    def ptr_limit(d: int, preg: int, op: str, ptr: Reg, mask_left: bool) -> int:
        """retrieve_ptr_limit: room left in the object in the masking direction (u32).

        ``d`` is the destination register, ``preg`` the one holding the pointer."""
        if ptr.t == _T_STACK:
            top = STACK + mask_left
            limit = -(ptr.tn.value + ptr.off) & _M32
        elif ptr.t == _T_MAP_VALUE:
            top = ptr.mp.value_size
            limit = ((ptr.smin if mask_left else ptr.umax) + ptr.off) & _M32
        else:
            raise Reject(f"R{preg} has pointer with unsupported alu operation, {_NOT_ROOT}")
        if limit >= top:
            raise Reject(f"R{d} tried to {op} beyond pointer bounds, {_NOT_ROOT}")
        return limit

    def sanitize_ptr(self, insn: isa.Instruction, op: str, ptr: Reg, off: Reg,
                     off_is_dst: bool) -> tuple[bool, int, int]:
        """sanitize_ptr_alu before the operation (!root, register operand): the offset's
        sign must be known and the pointer one the kernel can mask."""
        off_is_imm = off.is_const()
        off_is_neg = off.smin < 0
        if not off_is_imm and (off.smin < 0) != (off.smax < 0):
            r = insn.dst if off_is_dst else insn.src
            raise Reject(f"R{r} has unknown scalar with mixed signed bounds, {_NOT_ROOT}")
        mask_left = (op == "add" and off_is_neg) or (op == "sub" and not off_is_neg)
        limit = self.ptr_limit(insn.dst, insn.src if off_is_dst else insn.dst, op, ptr,
                               mask_left)
        state = (_ALU_NEG_VALUE if off_is_neg else 0) | \
            (_ALU_IMMEDIATE if off_is_imm else 0) | \
            (_ALU_SANITIZE_DST if off_is_dst else _ALU_SANITIZE_SRC)
        return mask_left, state, limit

    def alu_sanitation(self, insn: isa.Instruction, state: int, limit: int) -> None:
        """update_alu_sanitation_state: one masking per instruction, whatever the path."""
        old = self.alu_aux.get(insn.pc)
        if old is not None and old != (state, limit):
            op = "add" if insn.code & 0xF0 == 0x00 else "sub"
            raise Reject(f"R{insn.dst} tried to {op} from different maps, paths or scalars, "
                         f"{_NOT_ROOT}")
        self.alu_aux[insn.pc] = (state, limit)

    def sanitize_check_bounds(self, d: int, res: Reg) -> None:
        """For !root the pointer must stay inside its object after the arithmetic."""
        if res.t == _T_STACK:
            o = sc.s32(res.off + res.tn.value)
            if not res.is_const():
                raise Reject(f"R{d} variable stack access prohibited for !root, "
                             f"var_off={tnum.fmt(res.tn)} off={o}")
            if o >= 0 or o < -STACK:
                raise Reject(f"R{d} stack pointer arithmetic goes out of range, "
                             f"prohibited for !root; off={o}")
        elif res.t == _T_MAP_VALUE:
            try:
                self.region(d, res, res.off, 1, res.mp.value_size, _T_MAP_VALUE)
            except Reject as rej:
                self.out(rej.msg)
                raise Reject(f"R{d} pointer arithmetic of map value goes out of range, "
                             "prohibited for !root") from None

    @staticmethod
    def _alu32_ptr(d: int, op: str, ptr: Reg) -> Reg:
        if op == "sub":
            r = sc.unknown_scalar()
            sc.zext32(r)
            return r
        raise Reject(f"R{d} 32-bit pointer arithmetic prohibited")

    # --- memory ------------------------------------------------------------------------
    def save_aux_ptr_type(self, pc: int, t: int) -> None:
        """save_aux_ptr_type: one load or store may not see the context (or a socket) on
        one path and another pointer on another (the kernel rewrites such accesses in
        place: reg_type_mismatch_ok)."""
        prev = self.ptr_aux.setdefault(pc, t)
        if prev != t and (prev in _NO_MIX or t in _NO_MIX):
            raise Reject("same insn cannot be used with different pointers", errno.EINVAL)

    def mem_access(self, st: State, regno: int, off: int, size: int, write: bool,
                   src: Reg | None = None, imm: int | None = None, sx: bool = False,
                   vreg: int = -1) -> Reg:
        """check_mem_access; ``vreg`` is the register a store takes its value from."""
        reg = st.frames[-1].regs[regno]
        t = reg.t
        val = sc.unknown_scalar()
        if t == _T_STACK:
            if not reg.is_const():
                self.zero_used = False
                val = self.stack_var_off(st, regno, reg, off, size, write, src, imm, sx)
                if self.zero_used and vreg >= 0:
                    # check_stack_write_var_off: a zero kept in STACK_ZERO bytes must stay
                    # exact in the register it came from
                    self.precise(st, vreg)
                return val
            total = reg.off + off
            if (total) % size:
                raise Reject(f"misaligned stack access off 0+{reg.off}+{off} size {size}")
            if total < -STACK or total + size > 0:
                kind = "write to" if write else "read from"
                raise Reject(f"invalid {kind} stack R{regno} off={total} size={size}")
            frame = st.frames[reg.frame] if reg.frame < len(st.frames) else st.cur
            sub = frame.subprog
            self.stack_depth[sub] = max(self.stack_depth[sub], -total)
            spi = (-total - 1) // 8
            self.hist_flag = 0
            if write:
                if size == 8 and total % 8 == 0:  # only whole-slot writes kill a slot
                    self.lv.mark_write(frame.frameno, 1 << spi)
                self.stack_write(frame, total, size, src, imm)
                if self.hist_flag:
                    self.push_hist(st, self.hist_flag)
                    self.hist_flag = 0
                elif vreg >= 0 and src is not None and src.t == _T_SCALAR and \
                        src.is_const() and src.tn.value == 0:
                    # STACK_ZERO (not a register spill): its zero must stay exact
                    self.precise(st, vreg)
                return val
            self.lv.mark_read(st, frame.frameno, self.lv.pc, 1 << spi)
            val = self.stack_read(frame, total, size)
            if self.hist_flag:
                self.push_hist(st, self.hist_flag)
                self.hist_flag = 0
        elif t == _T_CTX:
            if write and not self.priv and src is not None and src.is_ptr():
                raise Reject(f"R{vreg} leaks addr into ctx")
            # check_ptr_off_reg's order: negative, modified, variable
            if reg.off < 0:
                raise Reject(f"negative offset ctx ptr R{regno} off={reg.off} disallowed")
            if reg.off:
                raise Reject(f"dereference of modified ctx ptr R{regno} off={reg.off} "
                             "disallowed")
            if not reg.is_const():
                raise Reject(f"variable ctx access var_off={tnum.fmt(reg.tn)} disallowed")
            kind = env.ctx_access(self.prog_type, off, size, write, self.priv, self.attach)
            if kind is None or (sx and kind != "scalar"):
                # a sign-extending load of a pointer field is no valid access either
                raise Reject(f"invalid bpf_context access off={off} size={size}")
            # check_ctx_access remembers the last byte accessed (a syscall program's test
            # run wants a ctx at least that long)
            self.max_ctx_offset = max(self.max_ctx_offset, off + size)
            if not write:
                self.ctx_loads[self.pc_now] = (off, size)
                if kind != "scalar":
                    val = Reg(_CTX_KINDS[kind])
                    val.set_const(0)
                    if val.t in sc.OR_NULL:
                        val.id = self.new_id()
                    return val
        elif t in (_T_MAP_VALUE, _T_MEM, _T_MAP_KEY):
            if write and not self.priv and src is not None and src.is_ptr() and t != _T_MAP_KEY:
                raise Reject(f"R{vreg} leaks addr into "
                             f"{'map' if t == _T_MAP_VALUE else 'mem'}")
            if t == _T_MAP_VALUE and write and reg.mp.map_type == _XSKMAP:
                raise Reject(f"R{regno} cannot write into xdp_sock")  # a PTR_TO_XDP_SOCK
            if t == _T_MAP_VALUE and write and reg.mp.flags & env.BPF_F_RDONLY_PROG:
                raise Reject(f"write into map forbidden, value_size={reg.mp.value_size} "
                             f"off={off + reg.off} size={size}")
            if t == _T_MAP_VALUE and not write and reg.mp.flags & uapi.BPF_F_WRONLY_PROG:
                raise Reject(f"read from map forbidden, value_size={reg.mp.value_size} "
                             f"off={off + reg.off} size={size}")
            if t == _T_MAP_VALUE:
                limit = reg.mp.value_size
            elif t == _T_MAP_KEY:
                limit = reg.mp.key_size
            else:
                limit = reg.memsz
            self.region(regno, reg, off + reg.off, size, limit, t)
            if t == _T_MAP_VALUE and reg.mp.fields:
                self.special_fields(reg, off + reg.off, size)
        elif t in (_T_PKT, _T_PKT_META):
            if write and not env.pkt_write_ok(self.prog_type):
                raise Reject("cannot write into packet")
            if reg.smin < 0:
                raise Reject(f"R{regno} min value is negative, either use unsigned index or "
                             "do a if (index >=0) check.")
            o = off + reg.off
            outside = (f"R{regno} offset is outside of the packet",)
            if reg.rng < 0:  # known to be at or past pkt_end: no access at all
                raise Reject(outside[0], errno.EINVAL)
            if not (o >= 0 and o + size <= reg.rng) or reg.umax + o + size > reg.rng + reg.umax:
                raise Reject(f"invalid access to packet, off={o} size={size}, "
                             f"R{regno}(id={reg.id},off={o},r={reg.rng})", extra=outside)
        elif t in sc.SOCK_TYPES:
            # check_sock_access: read only, the bpf_sock fields the kernel converts
            if write:
                raise Reject(f"R{regno} cannot write into {sc.TYPE_STR[t]}")
            if reg.smin < 0:
                raise Reject(f"R{regno} min value is negative, either use unsigned index or "
                             "do a if (index >=0) check.")
            o = off + reg.off
            if (env.tcp_sock_access(o, size) if t == sc.TCP_SOCK else
                    env.sock_access(o, size, t == sc.SOCK_COMMON)) is None:
                raise Reject(f"R{regno} invalid {sc.TYPE_STR[t]} access off={o} size={size}")
        elif t == sc.FLOW_KEYS:
            if write and not self.priv and src is not None and src.is_ptr():
                raise Reject(f"R{vreg} leaks addr into flow keys")
            o = off + reg.off
            if o < 0 or o + size > env.FLOW_KEYS_SIZE:
                raise Reject(f"invalid access to flow keys off={o} size={size}")
        else:
            raise Reject(f"R{regno} invalid mem access '{sc.TYPE_STR[t]}'")
        if not write and val.t == _T_SCALAR:
            if sx:
                sc.coerce_sx(val, size)
            else:
                sc.coerce(val, size)
        return val

    def var_off_range(self, st: State, regno: int, reg: Reg, total: int, size: int,
                      kind: str) -> tuple[int, int]:
        """check_stack_access_within_bounds for a variable offset: the bytes [lo, hi) the
        access may touch, within the frame, which grows to hold them."""
        if not self.priv:  # bypass_spec_v1: unreachable, the arithmetic was refused
            raise Reject(f"R{regno} variable offset stack access prohibited for !root, "
                         f"var_off={tnum.fmt(reg.tn)}")
        if reg.smax >= MAX_VAR_OFF or reg.smin <= -MAX_VAR_OFF:
            raise Reject(f"invalid unbounded variable-offset {kind} stack R{regno}")
        lo, hi = reg.smin + total, reg.smax + total + size
        if lo < -STACK or lo > -1 or hi > 0:
            raise Reject(f"invalid variable-offset {kind} stack R{regno} "
                         f"var_off={tnum.fmt(reg.tn)} off={total} size={size}",
                         errno.EACCES if lo < -STACK or lo > -1 else errno.EINVAL)
        frame = st.frames[reg.frame] if reg.frame < len(st.frames) else st.cur
        self.stack_depth[frame.subprog] = max(self.stack_depth[frame.subprog], -lo)
        return lo, hi

    def var_off_read_marks(self, st: State, frame: Frame, lo: int, hi: int) -> None:
        """Every slot of [lo, hi) may be read (liveness)."""
        first, last = (-hi) // 8, (-lo - 1) // 8
        self.lv.mark_read(st, frame.frameno, self.lv.pc,
                          ((1 << (last + 1)) - 1) & ~((1 << first) - 1))

    def stack_var_off(self, st: State, regno: int, reg: Reg, off: int, size: int,
                      write: bool, src: Reg | None, imm: int | None, sx: bool) -> Reg:
        """A stack access through a pointer whose offset is a range (root only).

        The kernel (check_stack_read_var_off, check_stack_write_var_off) checks the whole
        range the access may touch: a read gives zero only where every byte it may read
        is a known zero, an unknown scalar otherwise; a write makes every byte it may
        touch unknown and forgets the registers spilled there.
        """
        total = reg.off + off
        at = tnum.add(reg.tn, tnum.const(total))
        if (at.value | at.mask) & (size - 1):
            raise Reject(f"misaligned stack access off {tnum.fmt(reg.tn)}+{reg.off}+{off} "
                         f"size {size}")
        lo, hi = self.var_off_range(st, regno, reg, total, size,
                                   "write to" if write else "read from")
        frame = st.frames[reg.frame] if reg.frame < len(st.frames) else st.cur
        if write:
            zero = (src is not None and src.is_const() and src.tn.value == 0) or \
                (src is None and imm == 0)
            for i in range(lo, hi):
                spi = (-i - 1) // 8
                self.scr_stack |= 1 << spi
                slot = frame.stack.setdefault(spi, [[_INVALID] * 8, None])
                b = (-i - 1) % 8
                if zero and slot[0][b] == _SPILL and slot[0][7] == _SPILL and \
                        slot[1] is not None and slot[1].t == _T_SCALAR and \
                        slot[1].is_const() and slot[1].tn.value == 0:
                    self.zero_used = True  # a spilled zero stays
                    continue
                self.scrub_spill(slot)  # any other spill in range is gone, whole
                if zero and slot[0][b] == _ZERO:
                    self.zero_used = True
                else:
                    slot[0][b] = _MISC
            return sc.unknown_scalar()
        self.var_off_read_marks(st, frame, lo, hi)
        zeros = True
        for i in range(lo, hi):
            spi = (-i - 1) // 8
            self.scr_stack |= 1 << spi
            slot = frame.stack.get(spi)
            if slot is None or slot[0][(-i - 1) % 8] != _ZERO:
                zeros = False
                break
        if zeros:
            return sc.const_scalar(0)
        val = sc.unknown_scalar()
        if sx:
            sc.coerce_sx(val, size)
        else:
            sc.coerce(val, size)
        return val

    def region(self, regno: int, reg: Reg, off: int, size: int, limit: int, t: int) -> None:
        def fail(o: int, which: str) -> None:
            extra = (f"R{regno} {which} value is outside of the allowed memory range",)
            if t == _T_MAP_VALUE:
                raise Reject(f"invalid access to map value, value_size={limit} off={o} "
                             f"size={size}", extra=extra)
            if t == _T_MAP_KEY:
                raise Reject(f"invalid access to map key, key_size={limit} off={o} "
                             f"size={size}", extra=extra)
            raise Reject(f"invalid access to memory, mem_size={limit} off={o} size={size}",
                         extra=extra)
        if reg.smin < 0 and (reg.smin == sc.S64_MIN or reg.smin + off < 0):
            raise Reject(f"R{regno} min value is negative, either use unsigned index or do a "
                         "if (index >=0) check.")
        lo = reg.smin + off
        if not (lo >= 0 and lo + size <= limit):
            fail(lo, "min")
        if reg.umax >= MAX_VAR_OFF:
            raise Reject(f"R{regno} unbounded memory access, make sure to bounds check any "
                         "such access")
        hi = reg.umax + off
        if not (hi >= 0 and hi + size <= limit):
            fail(hi, "max")

    def stack_write(self, frame: Frame, off: int, size: int, src: Reg | None,
                    imm: int | None) -> None:
        spi = (-off - 1) // 8
        self.scr_stack |= 1 << spi
        slot = frame.stack.setdefault(spi, [[_INVALID] * 8, None])
        kinds = slot[0]
        if not self.priv and size != 8 and kinds[7] == _SPILL and slot[1] is not None and \
                slot[1].t != _T_SCALAR:
            raise Reject("attempt to corrupt spilled pointer on stack")
        aligned = off % 8 == 0
        if (src is not None and src.t == _T_SCALAR and aligned and self.priv) or \
                (src is None and imm is not None and aligned and self.priv):
            sp = src.copy() if src is not None else sc.const_scalar(imm or 0)
            if src is not None and size < 8 and sp.umax.bit_length() > size * 8:
                sp.id = 0
            slot[1] = sp
            self.hist_flag = precision.STACK_ACCESS | (frame.frameno * 64 + spi)
            for i in range(8):
                if i >= 8 - size:
                    kinds[i] = _SPILL
                elif kinds[i] not in (_ZERO, _INVALID):
                    kinds[i] = _MISC
            return
        if src is not None and src.is_ptr():
            if size != 8:
                raise Reject("invalid size of register spill")
            slot[1] = src.copy()
            slot[0] = [_SPILL] * 8
            self.hist_flag = precision.STACK_ACCESS | (frame.frameno * 64 + spi)
            return
        is_zero = (src is not None and src.is_const() and src.tn.value == 0) or \
            (src is None and imm == 0)
        k = _ZERO if is_zero else _MISC
        if kinds[7] == _SPILL or _SPILL in kinds:
            slot[1] = None
            slot[0] = kinds = [(_MISC if x == _SPILL else x) for x in kinds]
        for j in range(size):
            idx = -(off + j) - 1
            frame.stack.setdefault(idx // 8, [[_INVALID] * 8, None])
            s2 = frame.stack[idx // 8]
            if s2[0][7] == _SPILL and s2 is not slot:
                s2[0] = [(_MISC if x == _SPILL else x) for x in s2[0]]
                s2[1] = None
            s2[0][idx % 8] = k

    def stack_read(self, frame: Frame, off: int, size: int) -> Reg:
        spi = (-off - 1) // 8
        self.scr_stack |= 1 << spi
        slot = frame.stack.get(spi)
        if slot and slot[0][7] == _SPILL and slot[1] is not None:
            kinds, sp = slot
            spill = 1
            i = 7
            while i > 0 and kinds[i - 1] == _SPILL:
                spill += 1
                i -= 1
            flag = precision.STACK_ACCESS | (frame.frameno * 64 + spi)
            if size == 8 and spill == 8:
                self.hist_flag = flag
                return sp.copy()
            if sp.t != _T_SCALAR:
                raise Reject("invalid size of register fill")
            if size <= spill and off % 8 == 0:
                r = sp.copy()
                if r.umax.bit_length() > size * 8:
                    r.id = 0
                self.hist_flag = flag
                return r
            cnt_sp = cnt_zero = 0
            for j in range(size):
                idx = -(off + j) - 1
                s2 = frame.stack.get(idx // 8)
                k = s2[0][idx % 8] if s2 else _INVALID
                cnt_sp += k == _SPILL
                cnt_zero += k == _ZERO
                if k == _INVALID and not self.priv:
                    raise Reject(f"invalid read from stack off {off}+{j} size {size}")
            if cnt_sp == size and sp.is_const() and sp.tn.value == 0:
                self.hist_flag = flag  # still a fill of the spilled register
                return sc.const_scalar(0)
            if cnt_zero == size:
                return sc.const_scalar(0)
            return sc.unknown_scalar()
        zeros = 0
        for j in range(size):
            idx = -(off + j) - 1
            s2 = frame.stack.get(idx // 8)
            k = s2[0][idx % 8] if s2 else _INVALID
            zeros += k == _ZERO
            if k == _INVALID and not self.priv:
                raise Reject(f"invalid read from stack off {off}+{j} size {size}")
        return sc.const_scalar(0) if zeros == size else sc.unknown_scalar()

    def atomic(self, st: State, insn: isa.Instruction, spec: isa.OpSpec) -> None:
        self.read(st, insn.src)
        dst = self.read(st, insn.dst)
        if spec.op == "atomic_cmpxchg":
            if self.read(st, 0).is_ptr() and not self.priv:
                raise Reject("R0 leaks addr into mem")
        if not self.priv and st.frames[-1].regs[insn.src].is_ptr():
            raise Reject(f"R{insn.src} leaks addr into mem")
        if dst.t not in (_T_STACK, _T_MAP_VALUE, _T_MEM):
            if dst.t == _T_SCALAR or dst.t in sc.OR_NULL or dst.t == _T_NOT_INIT:
                raise Reject(f"R{insn.dst} invalid mem access '{sc.TYPE_STR[dst.t]}'")
            raise Reject(f"BPF_ATOMIC stores into R{insn.dst} {sc.TYPE_STR[dst.t]} is not "
                         "allowed")
        if dst.t != _T_STACK and spec.width > 1:
            # check_ptr_alignment is strict for atomics whatever the program's flags
            # (mem_access checks the stack's alignment)
            at = tnum.add(dst.tn, tnum.const(dst.off + insn.off))
            if (at.value | at.mask) & (spec.width - 1):
                var = str(sc.s64(dst.tn.value)) if dst.is_const() else tnum.fmt(dst.tn)
                desc = "value " if dst.t == _T_MAP_VALUE else ""
                raise Reject(f"misaligned {desc}access off {var}+{dst.off}+{insn.off} "
                             f"size {spec.width}")
        self.mem_access(st, insn.dst, insn.off, spec.width, write=False)
        load = 0 if spec.op == "atomic_cmpxchg" else (
            insn.src if "fetch" in spec.op or "xchg" in spec.op else -1)
        r = None
        if load >= 0:
            # check_atomic_rmw: a second read into the loaded register, as a fill: a
            # spilled constant comes back as that constant
            r = self.mem_access(st, insn.dst, insn.off, spec.width, write=False)
        # the write side has no register (value_regno -1): stack bytes become STACK_MISC
        self.mem_access(st, insn.dst, insn.off, spec.width, write=True)
        if r is not None:
            st.frames[-1].regs[load] = r

    def lddw(self, st: State, insn: isa.Instruction) -> None:
        regs = st.frames[-1].regs
        if insn.src == 0:
            regs[insn.dst] = sc.const_scalar(insn.imm)
        elif insn.src in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE):
            mp = self.maps[isa._s32(insn.imm & 0xFFFFFFFF)]
            r = Reg(_T_MAP_PTR if insn.src == isa.BPF_PSEUDO_MAP_FD else _T_MAP_VALUE)
            r.set_const(0)
            r.mp = mp
            if insn.src == isa.BPF_PSEUDO_MAP_VALUE:
                r.off = insn.imm >> 32
                if mp.map_type != env.MT.BPF_MAP_TYPE_ARRAY or r.off >= mp.value_size:
                    raise Reject("invalid access to map value pointer", errno.EINVAL)
            regs[insn.dst] = r
        else:
            r = Reg(_T_FUNC)
            r.set_const(0)
            r.off = insn.pc + isa._s32(insn.imm & 0xFFFFFFFF) + 1  # the callback's first insn
            self.callback_btf(r.off)
            regs[insn.dst] = r
        self.trace(st, [insn.dst])

    def callback_btf(self, target: int) -> None:
        """check_ld_imm for BPF_PSEUDO_FUNC: a callback needs func_info, and must be static."""
        linkage = self.p.func_linkage
        if linkage is None:
            raise Reject("missing btf func_info", errno.EINVAL)
        if linkage[self.p.subprogs.index(target)] != 0:  # BTF_FUNC_STATIC
            raise Reject("callback function not static", errno.EINVAL)

    def ld_abs(self, st: State, insn: isa.Instruction, spec: isa.OpSpec) -> None:
        if self.prog_type not in (env.SOCKET_FILTER, env.SCHED_CLS, env.SCHED_ACT):
            raise Reject("BPF_LD_[ABS|IND] instructions not allowed for this program type",
                         errno.EINVAL)
        if _held_lock(st) is not None:
            raise Reject("BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region",
                         errno.EINVAL)
        if st.refs:
            raise Reject("BPF_LD_[ABS|IND] cannot be mixed with socket references",
                         errno.EINVAL)
        r6 = self.read(st, 6)
        if spec.form is Form.LDIND:
            self.read(st, insn.src)
        if r6.t != _T_CTX:
            raise Reject("at the time of BPF_LD_ABS|IND R6 != pointer to skb")
        for r in range(1, 6):
            st.frames[-1].regs[r] = Reg()
        # check_ld_abs: R0 is marked unknown, all 64 bits (not bounded by the load's size)
        st.frames[-1].regs[0] = sc.unknown_scalar()
        self.trace(st, [0])

    # --- jumps -------------------------------------------------------------------------
    def cond_jmp(self, st: State, dec: Dec, stack: list) -> int:
        insn = dec.insn
        spec = dec.spec
        pc = dec.pc
        is64 = dec.is64
        dst = self.read(st, insn.dst)
        isreg = spec.form is Form.JCOND_REG
        if isreg:
            src = self.read(st, insn.src)
            if not self.priv and src.t != _T_SCALAR and \
                    not (dst.t in sc.PKT_TYPES and src.t in sc.PKT_TYPES):
                raise Reject(f"R{insn.src} pointer comparison prohibited")
        else:
            src = sc.const_u64(dec.imm_u64)
        op = dec.op
        target = pc + dec.off + 1
        taken = _branch_taken(dst, src, op, is64)
        if taken != -1 and self.priv:
            # the branch is decided by the compared scalars: they must stay exact
            if dst.t == _T_SCALAR:
                self.precise(st, dec.dst)
            if isreg and src.t == _T_SCALAR:
                self.precise(st, dec.src)
        # check_cond_jmp_op prints the state itself, before the next instruction's pruning
        if taken == 1:
            if self.log_level:
                self.print_trace(st)
            return target
        if taken == 0:
            if self.log_level:
                self.print_trace(st)
            return pc + 1
        if not self.priv and dst.t != _T_SCALAR and not self.ptr_cmp_ok(dec, dst, src):
            raise Reject(f"R{insn.dst} pointer comparison prohibited")
        ids = [r.id & ~ADD_CONST for r in ((src, dst) if isreg else (dst,))
               if r.t == _T_SCALAR and r.id]
        if ids:
            # the registers sharing the compared ones' ids gain range with them: the
            # history says so for backtracking (both branches share this entry)
            linked = precision.collect_linked(self, st, ids)
            if len(linked) > 1:
                self.push_hist(st, 0, linked)
        other = self.push(st, target, pc, stack)
        # refine both branches: ``other`` is the jump-taken state
        self.refine(other, insn, spec, True)
        self.refine(st, insn, spec, False)
        self.trace(st, [insn.dst] + ([insn.src] if spec.form is Form.JCOND_REG else []))
        if self.log_level:
            self.print_trace(st)
        return pc + 1


    @staticmethod
    def ptr_cmp_ok(dec: Dec, dst: Reg, src: Reg) -> bool:
        """The pointer comparisons !root may do: a NULL check of a maybe-NULL pointer
        against the immediate 0, and the packet-bounds comparisons try_match_pkt_pointers
        takes (data or data_meta against the register that bounds it)."""
        if dec.form is Form.JCOND_IMM:
            return (dec.is64 and dec.imm == 0 and dec.op in ("jeq", "jne")
                    and dst.t in sc.OR_NULL)
        if not dec.is64 or dec.op not in ("jgt", "jge", "jlt", "jle"):
            return False
        pair = (dst.t, src.t)
        return pair in ((_T_PKT, _T_PKT_END), (_T_PKT_END, _T_PKT), (_T_PKT_META, _T_PKT),
                        (_T_PKT, _T_PKT_META))

    def refine(self, st: State, insn: isa.Instruction, spec: isa.OpSpec, taken: bool) -> None:
        regs = st.frames[-1].regs
        op = spec.op if taken else _FLIP[spec.op]
        is64 = spec.width == 64
        a = regs[insn.dst]
        is_reg = spec.form is Form.JCOND_REG
        b = regs[insn.src] if is_reg else sc.const_scalar(
            insn.imm if is64 else insn.imm & 0xFFFFFFFF)
        # NULL checks
        if is64 and op in ("jeq", "jne"):
            if op == "jeq" and is_reg and a.t != _T_SCALAR and b.t != _T_SCALAR and \
                    (a.t in sc.OR_NULL) != (b.t in sc.OR_NULL):
                # equal to a pointer that is not NULL: that register (only) is not NULL
                n = insn.src if b.t in sc.OR_NULL else insn.dst
                r = regs[n].copy()
                r.t = sc.OR_NULL[r.t]
                regs[n] = r
                return
            # a NULL check is the maybe-NULL pointer against the immediate 0 (not against
            # a register known to be 0, in 6.18)
            if not is_reg and a.t in sc.OR_NULL and b.tn.value == 0:
                self.mark_null(st, a.id, is_null=op == "jeq")
                return
        if a.t in (_T_PKT, _T_PKT_META, _T_PKT_END) and is_reg and \
                b.t in (_T_PKT, _T_PKT_META, _T_PKT_END) and is64:
            self.pkt_compare(st, a, b, op, insn.dst, insn.src)
            return
        if a.t != _T_SCALAR or b.t != _T_SCALAR:
            return
        a, b = a.copy(), b.copy()
        if not self._refine_scalars(a, b, op, is64):
            return
        regs[insn.dst] = a
        if is_reg:
            regs[insn.src] = b
        for r in ((a, insn.dst), (b, insn.src)) if is_reg else ((a, insn.dst),):
            if r[0].id:
                self.sync_ids(st, r[0])

    def _refine_scalars(self, a: Reg, b: Reg, op: str, is64: bool) -> bool:
        if op == "jnset":
            if b.is_const():
                v = b.tn.value if is64 else b.tn.value & 0xFFFFFFFF
                a.tn = tnum.and_(a.tn, tnum.const(~v))
                sc.sync(a)
            return True
        if op == "jset":
            if b.is_const():
                v = b.tn.value if is64 else b.tn.value & 0xFFFFFFFF
                if v and v & (v - 1) == 0:
                    a.tn = tnum.or_(a.tn, tnum.const(v))
                    sc.sync(a)
            return True
        names = ("smin", "smax", "umin", "umax") if is64 else (
            "s32min", "s32max", "u32min", "u32max")
        if op == "jeq":
            if is64:
                tn = tnum.intersect(a.tn, b.tn)
                a.tn = b.tn = tn
            else:
                tn = tnum.intersect(tnum.subreg(a.tn), tnum.subreg(b.tn))
                a.tn = tnum.with_subreg(a.tn, tn)
                b.tn = tnum.with_subreg(b.tn, tn)
            for lo, hi in ((names[0], names[1]), (names[2], names[3])):
                v0 = max(getattr(a, lo), getattr(b, lo))
                v1 = min(getattr(a, hi), getattr(b, hi))
                for r in (a, b):
                    setattr(r, lo, v0)
                    setattr(r, hi, v1)
        elif op == "jne":
            # regs_refine_cond_op: a bound equal to the constant moves by one, in each of
            # the four ranges of the compared width
            x, y = (a, b) if b.is_const() else (b, a)
            if y.is_const():
                v = y.tn.value if is64 else y.tn.value & 0xFFFFFFFF
                sv = sc.s64(v) if is64 else sc.s32(v)
                if getattr(x, names[2]) == v:
                    setattr(x, names[2], v + 1)
                if getattr(x, names[3]) == v:
                    setattr(x, names[3], v - 1)
                if getattr(x, names[0]) == sv:
                    setattr(x, names[0], sv + 1)
                if getattr(x, names[1]) == sv:
                    setattr(x, names[1], sv - 1)
        else:
            if op in ("jgt", "jge", "jsgt", "jsge"):
                a, b = b, a
                op = _SWAP[op]
            signed = op.startswith("js")
            lo, hi = (names[0], names[1]) if signed else (names[2], names[3])
            strict = op in ("jlt", "jslt")
            # a < b (or <=): a.max <= b.max (-1), b.min >= a.min (+1)
            setattr(a, hi, min(getattr(a, hi), getattr(b, hi) - strict))
            setattr(b, lo, max(getattr(b, lo), getattr(a, lo) + strict))
        for r in (a, b):
            if sc.is_bottom(r):
                return True
            sc.sync(r)
        return True

    def id_before_mov(self, st: State, regno: int, src: Reg) -> Reg:
        """assign_scalar_id_before_mov: a scalar copied (or spilled) gets an id the copy
        shares; one already K apart from another loses that link first (one delta per
        register)."""
        if not src.id & ADD_CONST and (src.id or src.is_const()):
            return src
        src = src.copy()
        src.id = 0
        src.off = 0
        if not src.is_const():
            src.id = self.new_id()
        st.frames[-1].regs[regno] = src
        return src

    def sync_ids(self, st: State, src: Reg) -> None:
        """sync_linked_regs: the scalars sharing ``src``'s id take its new range, moved
        by their constant delta when they have one."""
        nfr = len(st.frames)
        base = src.id & ~ADD_CONST
        for fi, f in enumerate(st.frames):
            # collect_linked_regs: only the registers live here (at the jump, or at the
            # call a caller's frame waits in) are linked
            live = self.live[self.pc_now if fi == nfr - 1 else st.frames[fi + 1].callsite]
            for i, r in enumerate(f.regs):
                if r.t == _T_SCALAR and r.id & ~ADD_CONST == base and r is not src and \
                        (live >> i) & 1:
                    f.regs[i] = _linked_copy(src, r)
            for slot in f.stack.values():
                sp = slot[1]
                # a spill of any size ending the slot counts (is_spilled_reg)
                if sp is not None and sp.t == _T_SCALAR and sp.id & ~ADD_CONST == base and \
                        slot[0][7] == _SPILL:
                    slot[1] = _linked_copy(src, sp)

    @staticmethod
    def _each_reg(st: State) -> Iterator[tuple[list, int, Reg]]:
        """Every register and spilled register of every frame, with where it lives."""
        for f in st.frames:
            regs = f.regs
            for i in range(11):
                yield regs, i, regs[i]
            for slot in f.stack.values():
                if slot[1] is not None:
                    yield slot, 1, slot[1]

    def mark_null(self, st: State, rid: int, is_null: bool) -> None:
        ref = 0
        for where, key, r in self._each_reg(st):
            if r.t in sc.OR_NULL and r.id == rid:
                ref = ref or r.ref
                if is_null:
                    r = sc.const_scalar(0)
                else:
                    r = r.copy()
                    r.t = sc.OR_NULL[r.t]
                    # mark_ptr_or_null_reg: the id served only the NULL check, unless
                    # it names the value whose bpf_spin_lock a program takes
                    if not (r.t == _T_MAP_VALUE and r.mp.spin_lock_off >= 0):
                        r.id = 0
                where[key] = r
        if is_null and ref:
            st.refs = [x for x in st.refs if x[0] != ref]

    def pkt_compare(self, st: State, a: Reg, b: Reg, op: str, areg: int, breg: int) -> None:
        """try_match_pkt_pointers, seen from the branch where ``a op b`` holds."""
        if op in ("jgt", "jge", "jlt", "jle"):
            pass
        else:
            return
        # normalise to ``p < end`` / ``p <= end`` with p the data pointer
        # only data vs data_end and data_meta vs data bound anything (meta vs end does not)
        # data_meta bounds only against the data pointer as loaded (reg_is_init_pkt_pointer)
        if (a.t == _T_PKT and b.t == _T_PKT_END) or (a.t == _T_PKT_META and _init_pkt(b)):
            p, rel, preg = a, op, areg
        elif (b.t == _T_PKT and a.t == _T_PKT_END) or (b.t == _T_PKT_META and _init_pkt(a)):
            p, rel, preg = b, _SWAP[op], breg
        else:
            return
        if rel in ("jgt", "jge"):
            # mark_pkt_end: this register (not its copies) is at or beyond the end; not
            # done for data_meta (it only marks PTR_TO_PACKET)
            if p.t != _T_PKT:
                return
            r = p.copy()
            r.rng = _BEYOND_PKT_END if rel == "jgt" else _AT_PKT_END
            st.frames[-1].regs[preg] = r
        elif rel == "jle":
            self.good_pkt(st, p, open_right=False)
        elif rel == "jlt":
            self.good_pkt(st, p, open_right=True)

    def good_pkt(self, st: State, p: Reg, open_right: bool) -> None:
        if p.off < 0 or (p.off == 0 and open_right):
            return
        if p.umax > 0xFFFF or p.umax + p.off > 0xFFFF:
            return
        rng = p.off + (1 if open_right else 0)
        t, pid = p.t, p.id
        for where, key, r in self._each_reg(st):
            if r.t == t and r.id == pid and r.rng < rng:
                r = r.copy()
                r.rng = rng
                where[key] = r

    # --- calls ---------------------------------------------------------------------------
    def _takes_callback(self, fid: int) -> bool:
        h = (self.helpers.get(fid) if self.helpers is not None
             else env.helper_for(self.prog_type, fid, self.attach))
        return h is not None and any(a.type is Arg.ARG_PTR_TO_FUNC for a in h.args)

    def helper_proto(self, fid: int) -> Helper:
        """get_func_proto: the helper's prototype if this program type may call it."""
        if self.helpers is not None:
            proto = self.helpers.get(fid)
        else:
            proto = env.helper_for(self.prog_type, fid, self.attach)
        if proto is None:
            if fid < 0 or fid >= env.HELPER_ID_LIMIT:
                raise Reject(f"invalid func unknown#{fid}", errno.EINVAL)
            name = env.helper_name(fid)
            raise Reject(f"program of this type cannot use helper "
                         f"{'bpf_' + name if name else 'unknown'}#{fid}", errno.EINVAL)
        if not self.priv and proto.name not in env.UNPRIV_HELPERS:
            # get_func_proto answers NULL for helpers needing CAP_BPF/CAP_PERFMON
            raise Reject(f"program of this type cannot use helper bpf_{proto.name}#{fid}",
                         errno.EINVAL)
        if proto.gpl_only and not self.gpl:
            raise Reject("cannot call GPL-restricted function from non-GPL compatible program",
                         errno.EINVAL)
        return proto

    def call_helper(self, st: State, insn: isa.Instruction) -> None:
        """check_helper_call: every argument against the helper's prototype (helpers.py)."""
        fid = insn.imm
        proto = self.helper_proto(fid)
        if proto.name in ("d_path", "sk_storage_get", "sk_storage_delete") and \
                self.prog_type == _SYSCALL_TYPE:
            raise Reject("helper call is not allowed in probe", errno.EINVAL)  # fn->allowed
        if proto.name in env.helpers.MIGHT_SLEEP and self.prog_type != _SYSCALL_TYPE:
            # only syscall programs are sleepable in pyebpf
            raise Reject("helper call might sleep in a non-sleepable prog", errno.EINVAL)
        regs = st.frames[-1].regs
        meta_map: env.MapInfo | None = None
        const_key: int | None = None
        release = 0
        alloc_size = 0
        callback: int | None = None
        msize_max = 0  # meta->msize_max_value: the largest size argument may be
        uninit: list[tuple[Reg, int]] = []  # (stack pointer, size) the helper writes
        args = proto.args
        for i, spec in enumerate(args):
            rn = i + 1
            r = self.read(st, rn)
            t = spec.type
            if t is Arg.ARG_ANYTHING or t is Arg.ARG_DONTCARE:
                if t is Arg.ARG_ANYTHING and not self.priv and r.is_ptr():
                    raise Reject(f"R{rn} leaks addr into helper function")
                continue
            if spec.mods & Mod.PTR_MAYBE_NULL and r.t == _T_SCALAR and r.is_const() and \
                    r.tn.value == 0:
                continue
            types, expected = _EXPECTED[t]
            if r.t not in types:
                raise Reject(f"R{rn} type={sc.TYPE_STR[r.t]} expected={expected}")
            if r.t in (_T_PKT, _T_PKT_META) and not proto.pkt_access:
                raise Reject("helper access to the packet is not allowed")
            if r.t == _T_CTX or r.t in sc.SOCK_TYPES:
                _check_ptr_off(r, rn)
            if t is Arg.ARG_CONST_MAP_PTR:
                meta_map = r.mp
            elif t is Arg.ARG_PTR_TO_MAP_VALUE and meta_map is not None and \
                    meta_map.map_type in _SOCK_MAP_TYPES:
                # a sock map's value is a socket: ARG_PTR_TO_BTF_ID_SOCK_COMMON
                raise Reject(f"R{rn} type={sc.TYPE_STR[r.t]} expected="
                             f"{_EXPECTED[Arg.ARG_PTR_TO_BTF_ID_SOCK_COMMON][1]}")
            elif t is Arg.ARG_PTR_TO_MAP_KEY or t is Arg.ARG_PTR_TO_MAP_VALUE:
                if meta_map is None:
                    raise Reject("invalid map_ptr to access map->key")
                if t is Arg.ARG_PTR_TO_MAP_KEY:
                    size = meta_map.key_size
                else:
                    size = meta_map.value_size
                write = bool(spec.mods & Mod.MEM_UNINIT)
                self.helper_mem(st, rn, r, size, write)
                if write and r.t == _T_STACK:
                    uninit.append((r, size))
                if t is Arg.ARG_PTR_TO_MAP_KEY and r.t == _T_STACK and \
                        meta_map.map_type in env.ARRAY_MAPS:
                    const_key = self.const_key(st, r, size)
            elif t is Arg.ARG_PTR_TO_MEM:
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is None or nxt.type not in (Arg.ARG_CONST_SIZE,
                                                   Arg.ARG_CONST_SIZE_OR_ZERO):
                    raise Reject(f"R{rn} memory argument without a size", errno.EINVAL)
            elif t in (Arg.ARG_CONST_SIZE, Arg.ARG_CONST_SIZE_OR_ZERO):
                mem = regs[rn - 1]
                mspec = args[i - 1]
                write = bool(mspec.mods & Mod.MEM_UNINIT)
                if mspec.mods & Mod.PTR_MAYBE_NULL and mem.t == _T_SCALAR:
                    # check_mem_size_reg's checks, then check_helper_mem_access on NULL:
                    # only a zero-sized access is allowed
                    self.size_check(st, rn - 1, mem, r, t is Arg.ARG_CONST_SIZE_OR_ZERO,
                                    write, null=True)
                    self.precise(st, rn)
                    continue
                self.size_check(st, rn - 1, mem, r, t is Arg.ARG_CONST_SIZE_OR_ZERO, write)
                self.precise(st, rn)  # check_mem_size_reg: the size is relied on
                msize_max = r.umax
                if write and mem.t == _T_STACK and r.umax:
                    uninit.append((mem, r.umax))
            elif t is Arg.ARG_CONST_ALLOC_SIZE_OR_ZERO:
                if not r.is_const():
                    raise Reject(f"R{rn} is not a known constant'")
                alloc_size = r.tn.value
                self.precise(st, rn)
            elif t is Arg.ARG_PTR_TO_RINGBUF_MEM:
                if r.off or not r.is_const():
                    raise Reject(f"R{rn} must have zero offset when passed to release func "
                                 "or trusted arg to kfunc", errno.EINVAL)
                release = r.ref
            elif t is Arg.ARG_PTR_TO_FUNC:
                callback = r.off
            elif t is Arg.ARG_PTR_TO_LONG:
                self.helper_mem(st, rn, r, 8, True)
                if r.t == _T_STACK:
                    if (r.off + sc.s64(r.tn.value)) % 8:
                        raise Reject(f"misaligned stack access off 0+{r.off}+0 size 8")
                    uninit.append((r, 8))
            elif t is Arg.ARG_PTR_TO_CONST_STR:
                self.const_str(rn, r)
            elif t is Arg.ARG_PTR_TO_INT:
                self.helper_mem(st, rn, r, 4, True)
                if r.t == _T_STACK:
                    uninit.append((r, 4))
            elif t is Arg.ARG_PTR_TO_FIXED_SIZE_MEM:
                self.helper_mem(st, rn, r, spec.size, False)
            elif t in _UNMODELLED_ARGS:
                raise Reject(f"pyebpf does not model {_UNMODELLED_ARGS[t]} arguments "
                             f"(R{rn} of bpf_{proto.name}#{fid})", errno.EOPNOTSUPP)
            elif t is Arg.ARG_PTR_TO_SPIN_LOCK:
                self.spin_lock(st, rn, r, insn, fid == _SPIN_LOCK)
        if meta_map is not None:
            # record_func_map: after the arguments (check_map_func_compatibility comes last)
            if meta_map.flags & env.BPF_F_RDONLY_PROG and proto.name in _MAP_WRITES:
                raise Reject("write into map forbidden", errno.EACCES)
            if meta_map.map_type in _SOCK_MAP_TYPES and proto.name == "map_lookup_elem":
                raise Reject("pyebpf does not model the socket pointer bpf_map_lookup_elem "
                             "returns for a sock map", errno.EOPNOTSUPP)
        if proto.name == "tail_call" and (
                meta_map is None or meta_map.map_type != env.MT.BPF_MAP_TYPE_PROG_ARRAY):
            # record_func_key, right after the arguments (its message has no newline)
            raise Reject("expected prog array map for tail call", errno.EINVAL, glued=True)
        if fid == _GET_FUNC_IP and self.prog_type not in _GET_FUNC_IP_TYPES:
            raise Reject(f"func bpf_get_func_ip#{fid} not supported for program type "
                         f"{self.prog_type}", 524)  # check_get_func_ip: ENOTSUPP
        if proto.ret in _UNMODELLED_RETS and proto.name not in _SOCK_RET_HELPERS:
            raise Reject(f"pyebpf does not model the {_UNMODELLED_RETS[proto.ret]} pointer "
                         f"bpf_{proto.name}#{fid} returns", errno.EOPNOTSUPP)
        if proto.name == "tail_call" and meta_map is not None and self.priv:
            # record_func_key: a constant index within the prog array is relied on
            r3 = regs[3]
            if r3.t == _T_SCALAR and r3.is_const() and r3.tn.value < meta_map.max_entries:
                self.precise(st, 3)
        if release:
            if not any(x[0] == release for x in st.refs):
                raise Reject("R1 must be referenced when passed to release function")
            st.refs = [x for x in st.refs if x[0] != release]
            # mark_reg_invalid: what pointed into the released object is an unknown
            # scalar for root (allow_ptr_leaks), unreadable otherwise
            for f in st.frames:
                for i, r in enumerate(f.regs):
                    if r.ref == release:
                        f.regs[i] = sc.unknown_scalar() if self.priv else Reg()
                for slot in f.stack.values():
                    if slot[1] is not None and slot[1].ref == release:
                        if self.priv:
                            slot[1] = sc.unknown_scalar()
                        else:
                            slot[1] = None
                            slot[0] = [_MISC] * 8
        for r, size in uninit:  # raw mode: the helper fills the buffer
            if not r.is_const():  # done by helper_stack_var_off
                continue
            frame = st.frames[r.frame] if r.frame < len(st.frames) else st.cur
            self.mark_stack_written(frame, r.off + sc.s64(r.tn.value), size)
        if proto.name == "loop" and self.priv:
            # loop_flag_is_zero, then the iteration count bpf_loop's exploration relies on
            r4 = regs[4]
            if r4.t == _T_SCALAR and r4.is_const() and r4.tn.value == 0:
                self.precise(st, 4)
            self.precise(st, 1)
        if callback is not None and proto.name == "loop" and \
                st.frames[-1].callback_depth >= (regs[1].umax if regs[1].t == _T_SCALAR
                                                 else sc.tnum.U64):
            # as many iterations explored as R1 allows: the path goes on after the call
            st.frames[-1].callback_depth = 0
            if self.log_level >= 2:
                self.out(f"frame{len(st.frames) - 1} bpf_loop iteration limit reached")
        elif callback is not None:
            self.push_callback(st, insn, proto, callback)
            # the state after the call shows whole (everything counts as touched)
            self.scr = 0x7FF
            self.scr_stack = -1
        for r in range(1, 6):
            regs[r] = Reg()
        if proto.changes_pkt_data:
            self.clear_pkt_pointers(st)
        ret = proto.ret
        if ret is Ret.RET_PTR_TO_MAP_VALUE_OR_NULL:
            assert meta_map is not None
            r0 = Reg(_T_MAP_VALUE_OR_NULL)
            r0.set_const(0)
            r0.mp = meta_map
            if meta_map.inner is not None:
                # a map-in-map's value is its inner map (the inner_map_meta template)
                r0.t = sc.MAP_PTR_OR_NULL
                r0.mp = meta_map.inner
                r0.id = self.new_id()
            elif meta_map.map_type in env.ARRAY_MAPS and \
                    const_key is not None and const_key < meta_map.max_entries:
                r0.t = _T_MAP_VALUE
                if meta_map.spin_lock_off >= 0:
                    r0.id = self.new_id()
            else:
                r0.id = self.new_id()
        elif ret is Ret.RET_PTR_TO_RINGBUF_MEM_OR_NULL:
            r0 = Reg(_T_MEM_OR_NULL)
            r0.set_const(0)
            self.new_id()  # the kernel numbers the maybe-NULL id, then the reference
            r0.id = r0.ref = self.new_id()
            r0.memsz = alloc_size
            st.refs.append((r0.id, insn.pc))
        elif ret is Ret.RET_PTR_TO_MAP_VALUE:
            assert meta_map is not None     # bpf_get_local_storage: never NULL
            r0 = Reg(_T_MAP_VALUE)
            r0.set_const(0)
            r0.mp = meta_map
        elif ret in _RET_SOCK and proto.name in _SOCK_RET_HELPERS:
            r0 = Reg(_RET_SOCK[ret])
            r0.set_const(0)
            r0.id = self.new_id()
        elif ret is Ret.RET_VOID:
            r0 = Reg()
        else:
            r0 = sc.unknown_scalar()
            _refine_retval(r0, proto.name, msize_max)
        # check_map_func_compatibility comes last in check_helper_call, after every
        # argument and the return value
        if meta_map is not None and env.map_func_incompatible(meta_map.map_type, proto.name,
                                                              self.prog_type):
            raise Reject(f"cannot pass map_type {meta_map.map_type} into func "
                         f"bpf_{proto.name}#{fid}", errno.EINVAL)
        regs[0] = r0
        self.trace(st, [0])

    def spin_lock(self, st: State, rn: int, r: Reg, insn: isa.Instruction,
                  lock: bool) -> None:
        """process_spin_lock: the argument points at the map value's bpf_spin_lock; taking
        it holds a lock (one at a time), releasing it must name the lock held."""
        if not r.is_const():
            raise Reject(f"R{rn} doesn't have constant offset. bpf_spin_lock has to be at "
                         "the constant offset", errno.EINVAL)
        mp = r.mp
        if not mp.has_btf:
            raise Reject(f"map '{mp.name}' has to have BTF in order to use bpf_spin_lock",
                         errno.EINVAL)
        at = mp.spin_lock_off
        if at < 0:
            raise Reject(f"map '{mp.name}' has no valid bpf_spin_lock", errno.EINVAL)
        off = sc.s64(r.tn.value) + r.off
        if off != at:
            raise Reject(f"off {off} doesn't point to 'struct bpf_spin_lock' that is at {at}",
                         errno.EINVAL)
        held = _held_lock(st)
        if lock:
            if held is not None:
                raise Reject("Locking two bpf_spin_locks are not allowed", errno.EINVAL)
            st.refs.append((r.id, insn.pc, mp))
            return
        if held is None:
            raise Reject("bpf_spin_unlock without taking a lock", errno.EINVAL)
        if held[0] != r.id or held[2] is not mp:
            raise Reject("bpf_spin_unlock of different lock", errno.EINVAL)
        st.refs = [x for x in st.refs if x is not held]

    def special_fields(self, reg: Reg, off: int, size: int) -> None:
        """check_map_access: no load or store may touch a special field of the value."""
        for fld in reg.mp.fields:
            p = fld.offset
            if reg.smin + off < p + fld.size and p < reg.umax + off + size:
                raise Reject(f"{fld.kind.name} cannot be accessed directly by load/store")

    def const_str(self, rn: int, r: Reg) -> None:
        """ARG_PTR_TO_CONST_STR: a NUL-terminated string in a read-only map value."""
        mp = r.mp
        if not mp.flags & env.BPF_F_RDONLY_PROG:
            raise Reject(f"R{rn} does not point to a readonly map'")
        if not r.is_const():
            raise Reject(f"R{rn} is not a constant address'")
        off = r.off + sc.s64(r.tn.value)
        if off < 0 or off >= mp.value_size:
            raise Reject(f"invalid access to map value pointer, value_size={mp.value_size} "
                         f"off={off}")
        if mp.contents is not None and b"\0" not in mp.contents[off:mp.value_size]:
            raise Reject("string is not zero-terminated")
        if mp.contents is None and mp.value_size - off < 1:
            raise Reject("string is not zero-terminated")

    def clear_pkt_pointers(self, st: State) -> None:
        """clear_all_pkt_pointers: a helper that moves the packet invalidates them all."""
        for f in st.frames:
            for i, r in enumerate(f.regs):
                if r.t in sc.PKT_TYPES:
                    f.regs[i] = sc.unknown_scalar()
            for slot in f.stack.values():
                sp = slot[1]
                if sp is not None and sp.t in sc.PKT_TYPES:
                    slot[1] = sc.unknown_scalar()

    def push_callback(self, st: State, insn: isa.Instruction, proto: Helper,
                      target: int) -> None:
        """Explore the callback as the kernel does: called any number of times.

        A copy of the state enters the callback in a new frame; its exit returns to the
        helper call, which is checked again (another iteration) until the state at the
        call is one already seen (see is_state_visited's callback sites).
        """
        if len(st.frames) >= 8:
            raise Reject(f"the call stack of {len(st.frames) + 1} frames is too deep",
                         errno.E2BIG)
        other = self.push(st, target, insn.pc, self.stack)
        caller = other.frames[-1]
        # push_callback_call: the explored iteration counts in the state entering the
        # callback; the path going on after the call starts counting again
        other.callback_unroll_depth += 1
        caller.callback_depth += 1
        st.frames[-1].callback_depth = 0
        callee = Frame(len(other.frames), insn.pc, self.p.subprogs.index(target))
        callee.cb = 1
        if proto.name == "for_each_map_elem":
            mp = caller.regs[1].mp
            callee.regs[1] = caller.regs[1].copy()
            for rn, t in ((2, _T_MAP_KEY), (3, _T_MAP_VALUE)):
                k = Reg(t)
                k.set_const(0)
                k.mp = mp
                callee.regs[rn] = k
            callee.regs[4] = caller.regs[3].copy()
        else:  # bpf_loop: (index, ctx)
            callee.regs[1] = sc.unknown_scalar()
            callee.regs[2] = caller.regs[3].copy()
        callee.regs[10] = Reg(_T_STACK)
        callee.regs[10].set_const(0)
        callee.regs[10].frame = callee.frameno
        other.frames.append(callee)

    def const_key(self, st: State, r: Reg, size: int) -> int | None:
        """get_constant_map_key: a key on the stack that is a known constant, else None."""
        if not r.is_const():
            return None
        slot_idx = -(r.off + sc.s64(r.tn.value)) - 1
        if slot_idx < 0:
            return None
        frame = st.frames[r.frame] if r.frame < len(st.frames) else st.cur
        slot = frame.stack.get(slot_idx // 8)
        if slot is None:
            return None
        kinds, sp = slot
        pos = slot_idx % 8
        zero = 0
        i = pos
        while i >= 0 and kinds[i] == _ZERO:
            zero += 1
            i -= 1
        if zero >= size:
            return 0
        if kinds[7] != _SPILL or sp is None or sp.t != _T_SCALAR:
            return None
        spill = 0
        i = pos
        while i >= 0 and kinds[i] == _SPILL:
            spill += 1
            i -= 1
        if spill != size or not sp.is_const():
            return None
        if self.priv:
            # the lookup's result relies on this constant: precise (a batch from the slot)
            st.insn_idx = self.pc_now
            bt = precision.Backtrack(len(st.frames) - 1)
            bt.stack[frame.frameno] |= 1 << (slot_idx // 8)
            precision.mark_chain(self, st, -1, bt)
        return sp.tn.value

    def helper_mem(self, st: State, rn: int, r: Reg, size: int, write: bool = False) -> None:
        """check_helper_mem_access for a fixed size (``write``: the helper writes there)."""
        if r.t == _T_STACK:
            if size == 0:  # check_stack_range_initialized, before any bounds
                raise Reject("invalid zero-sized read")
            if not r.is_const():
                self.helper_stack_var_off(st, rn, r, size, write)
                return
            off = r.off + sc.s64(r.tn.value)
            if off < -STACK or off + size > 0 or size <= 0:
                kind = "write to" if write else "read from"
                raise Reject(f"invalid {kind} stack R{rn} off={off} size={size}",
                             errno.EINVAL if off + size > 0 else errno.EACCES)
            frame = st.frames[r.frame] if r.frame < len(st.frames) else st.cur
            self.stack_depth[frame.subprog] = max(self.stack_depth[frame.subprog], -off)
            if not write and not self.priv:
                self.stack_initialized(frame, rn, off, size)
            if not write:  # the helper may read every slot of the range
                lo, hi = (-off - size) // 8, (-off - 1) // 8
                self.lv.mark_read(st, frame.frameno, self.lv.pc,
                                  ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1))
            return
        if r.t == _T_MAP_VALUE:
            if write and r.mp.flags & env.BPF_F_RDONLY_PROG:
                raise Reject(f"write into map forbidden, value_size={r.mp.value_size} "
                             f"off={r.off} size={size}")
            if not write and r.mp.flags & uapi.BPF_F_WRONLY_PROG:
                raise Reject(f"read from map forbidden, value_size={r.mp.value_size} "
                             f"off={r.off} size={size}")
            self.region(rn, r, r.off, size, r.mp.value_size, _T_MAP_VALUE)
            if r.mp.fields:
                self.special_fields(r, r.off, size)
        elif r.t == _T_MAP_KEY:
            self.region(rn, r, r.off, size, r.mp.key_size, _T_MAP_KEY)
        elif r.t == _T_MEM:
            self.region(rn, r, r.off, size, r.memsz, _T_MEM)
        elif r.t in (_T_PKT, _T_PKT_META):
            o = r.off
            if r.smin < 0:
                raise Reject(f"R{rn} min value is negative, either use unsigned index or "
                             "do a if (index >=0) check.")
            outside = (f"R{rn} offset is outside of the packet",)
            if r.rng < 0:
                raise Reject(outside[0], errno.EINVAL)
            if o < 0 or o + size > r.rng:
                raise Reject(f"invalid access to packet, off={o} size={size}, "
                             f"R{rn}(id={r.id},off={r.off},r={r.rng})", extra=outside)
        else:
            raise Reject(f"R{rn} type={sc.TYPE_STR[r.t]} expected=fp")

    def helper_stack_var_off(self, st: State, rn: int, r: Reg, size: int,
                             write: bool) -> None:
        """check_stack_range_initialized for a stack pointer with a variable offset: the
        whole range must be readable (root reads anything), and where the helper writes,
        every byte of it becomes unknown (the kernel cannot tell which it fills)."""
        lo, hi = self.var_off_range(st, rn, r, r.off, size, "write to" if write else "read from")
        frame = st.frames[r.frame] if r.frame < len(st.frames) else st.cur
        self.var_off_read_marks(st, frame, lo, hi)
        if write:  # clobbered, without marking the slots touched in the log
            for i in range(lo, hi):
                slot = frame.stack.setdefault((-i - 1) // 8, [[_INVALID] * 8, None])
                self.scrub_spill(slot)
                slot[0][(-i - 1) % 8] = _MISC

    def scrub_spill(self, slot: list) -> None:
        """scrub_spilled_slot over a slot holding a spilled register: the register is
        forgotten, its bytes (and any other written byte of the slot) become STACK_MISC."""
        if slot[0][7] == _SPILL:
            slot[1] = None
            slot[0] = [x if x == _INVALID else _MISC for x in slot[0]]

    def stack_initialized(self, frame: Frame, rn: int, off: int, size: int) -> None:
        """check_stack_range_initialized without allow_uninit_stack/allow_ptr_leaks: every
        byte a helper reads is written, and no spilled pointer is among them."""
        for j in range(size):
            idx = -(off + j) - 1
            slot = frame.stack.get(idx // 8)
            k = slot[0][idx % 8] if slot else _INVALID
            if k == _MISC or k == _ZERO:
                continue
            if slot and slot[0][7] == _SPILL and slot[1] is not None and \
                    slot[1].t == _T_SCALAR:
                continue
            raise Reject(f"invalid read from stack R{rn} off {off}+{j} size {size}")

    def size_check(self, st: State, rn: int, mem: Reg, size: Reg, zero_ok: bool,
                   write: bool = False, null: bool = False) -> None:
        """check_mem_size_reg: the size register of a (memory, size) argument pair
        (``null``: the memory is a NULL the prototype allows)."""
        if size.smin < 0:
            raise Reject(f"R{rn + 1} min value is negative, either use unsigned or 'var &= "
                         "const'")
        if size.umin == 0 and not zero_ok:
            raise Reject(f"R{rn + 1} invalid zero-sized read: u64=[{size.umin},{size.umax}]")
        if size.umax >= MAX_VAR_OFF:
            raise Reject(f"R{rn + 1} unbounded memory access, use 'var &= const' or "
                         "'if (var < const)'")
        if null:
            # check_helper_mem_access: the NULL's value is relied on (precise), then only
            # a zero-sized access is allowed
            self.precise(st, rn)
            if size.umax or not zero_ok:
                raise Reject(f"R{rn} type=scalar expected=fp")
            return
        if size.umax:
            self.helper_mem(st, rn, mem, size.umax, write)

    def mark_stack_written(self, frame: Frame, off: int, size: int) -> None:
        """A helper wrote ``size`` bytes at ``off``: they become STACK_MISC, spills die."""
        for j in range(size):
            idx = -(off + j) - 1
            slot = frame.stack.setdefault(idx // 8, [[_INVALID] * 8, None])
            self.scr_stack |= 1 << (idx // 8)
            if slot[1] is not None or _SPILL in slot[0]:
                slot[0] = [(_MISC if x == _SPILL else x) for x in slot[0]]
                slot[1] = None
            slot[0][idx % 8] = _MISC

    def call_subprog(self, st: State, insn: isa.Instruction) -> int:
        target = insn.pc + insn.imm + 1
        if len(st.frames) >= 8:
            raise Reject(f"the call stack of {len(st.frames) + 1} frames is too deep",
                         errno.E2BIG)
        caller = st.frames[-1]
        callee = Frame(len(st.frames), insn.pc, self.p.subprogs.index(target))
        for r in range(1, 6):
            callee.regs[r] = caller.regs[r].copy()
        # the caller-saved registers are scratched from the call on
        for r in range(6):
            caller.regs[r] = Reg()
        callee.regs[10] = Reg(_T_STACK)
        callee.regs[10].set_const(0)
        callee.regs[10].frame = callee.frameno
        st.frames.append(callee)
        self.lv.reset_callchain()
        if self.log_level:
            self.log_call(st)
        return target

    def log_call(self, st: State) -> None:
        """check_func_call's log: both frames in full; the callee's registers then show
        on their own line before its first instruction."""
        self.out("caller:")
        self.out(" " + self.state_str(st, fi=-2))
        self.out("callee:")
        self.out(" " + self.state_str(st))
        self.scr = 0x7FF
        self.scr_stack = 0
        self.detached = True

    def log_return(self, callee_str: str, to: int, st: State) -> None:
        """prepare_func_exit's log: the callee as it returns, the caller as it resumes."""
        self.out("returning from callee:")
        self.out(" " + callee_str)
        self.out(f"to caller at {to}:")
        self.out(" " + self.state_str(st))
        self.scr = 0
        self.scr_stack = 0

    def exit(self, st: State, insn: isa.Instruction) -> int | None:
        r0 = st.frames[-1].regs[0]
        if len(st.frames) > 1:
            # a subprogram may leave R0 unset (prepare_func_exit copies it as it is: only
            # a read in the caller fails); a callback's R0 must be a scalar (below)
            self.lv.update(st)
            if r0.t == _T_STACK and r0.frame == st.frames[-1].frameno:
                raise Reject("cannot return stack pointer to the caller", errno.EINVAL)
            if st.frames[-1].cb and r0.t == _T_SCALAR:
                self.precise(st, 0)  # the callback's return value range is relied on
            callee_str = self.state_str(st) if self.log_level else ""
            callee = st.frames.pop()
            caller = st.frames[-1]
            if callee.cb:
                if r0.t != _T_SCALAR:
                    raise Reject("R0 not a scalar value")
                if r0.smin < 0 or r0.smax > 1:
                    raise Reject(_invalid_scalar("At callback return", r0, 0, 1),
                                 errno.EINVAL)
                if self.log_level:
                    self.log_return(callee_str, callee.callsite, st)
                prev = self.prev_entry(st, callee.callsite)
                if prev is not None:
                    self.widen(prev, st)
                return callee.callsite  # the helper call again: one more iteration
            caller.regs[0] = r0.copy()
            for r in range(1, 6):
                caller.regs[r] = Reg()
            if self.log_level:
                self.log_return(callee_str, callee.callsite + 1, st)
            return callee.callsite + 1
        if _held_lock(st) is not None:
            raise Reject("BPF_EXIT instruction in main prog cannot be used inside "
                         "bpf_spin_lock-ed region", errno.EINVAL)
        leaked = [x for x in st.refs if len(x) == 2]
        if leaked:
            # check_reference_leak lists every one, check_resource_leak says where
            rid, at = leaked[0][0], leaked[0][1]
            raise Reject(f"Unreleased reference id={rid} alloc_insn={at}",
                         extra=(*(f"Unreleased reference id={x[0]} alloc_insn={x[1]}"
                                  for x in leaked[1:]),
                                "BPF_EXIT instruction in main prog would lead to reference "
                                "leak"))
        if r0.t == _T_NOT_INIT:
            raise Reject("R0 !read_ok")
        if not self.priv and r0.t != _T_SCALAR:
            raise Reject("R0 leaks addr as return value")
        if self.priv and r0.t == _T_SCALAR and \
                env.return_range(self.prog_type, self.attach) is not None:
            self.precise(st, 0)  # check_return_code relies on R0's range
        self.return_code(r0)
        return None

    def return_code(self, r0: Reg) -> None:
        """check_return_code: the program type's range for R0 at the main program's exit."""
        rng = env.return_range(self.prog_type, self.attach)
        if rng is None:
            return
        if r0.t != _T_SCALAR:
            raise Reject("At program exit the register R0 is not a known value "
                         f"({sc.TYPE_STR[r0.t]})", errno.EINVAL)
        lo, hi = rng
        if not (lo <= r0.smin and r0.smax <= hi):
            raise Reject(_invalid_scalar("At program exit", r0, lo, hi), errno.EINVAL)
