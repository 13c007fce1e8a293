# cython: annotation_typing=False
"""Register state and scalar range tracking, as the kernel's ``struct bpf_reg_state``.

Every register carries a tnum and signed/unsigned 64- and 32-bit bounds; for
pointers they describe the variable part of the offset (``off`` is the fixed
part).  :func:`sync` is the kernel's ``reg_bounds_sync``: each representation
tightens the others.
"""

from __future__ import annotations

try:
    import cython
except ImportError:              # uncompiled, without Cython installed: its plain meaning
    from pyebpf import _cython_shim as cython

from pyebpf.verifier import tnum
from pyebpf.verifier.tnum import U32, U64, Tnum

S64_MIN, S64_MAX = -(1 << 63), (1 << 63) - 1
S32_MIN, S32_MAX = -(1 << 31), (1 << 31) - 1

# register types (enum bpf_reg_type, the subset modelled)
NOT_INIT, SCALAR, CTX, MAP_PTR, MAP_VALUE, MAP_VALUE_OR_NULL, MAP_KEY, STACK = range(8)
PKT, PKT_META, PKT_END, MEM, MEM_OR_NULL, FUNC = range(8, 14)
MAP_PTR_OR_NULL = 14    # a map-in-map lookup's result: the inner map, or NULL
TYPE_STR = ("?", "scalar", "ctx", "map_ptr", "map_value", "map_value_or_null", "map_key", "fp",
            "pkt", "pkt_meta", "pkt_end", "ringbuf_mem", "ringbuf_mem_or_null", "func",
            "map_ptr_or_null")
OR_NULL = {MAP_VALUE_OR_NULL: MAP_VALUE, MEM_OR_NULL: MEM, MAP_PTR_OR_NULL: MAP_PTR}
PKT_TYPES = (PKT, PKT_META, PKT_END)
KEY_TYPES = (STACK, PKT, PKT_META, MAP_KEY, MAP_VALUE)  # map_key_value_types
MEM_TYPES = (*KEY_TYPES, MEM)  # mem_types (ringbuf memory included)

# what socket-side program types find in their contexts (``skops->sk``, ``ctx->sk``,
# ``skb->flow_keys``), numbered after the types above
SOCK, SOCK_OR_NULL, SOCK_COMMON, SOCK_COMMON_OR_NULL, FLOW_KEYS = range(len(TYPE_STR),
                                                                       len(TYPE_STR) + 5)
TYPE_STR += ("sock", "sock_or_null", "sock_common", "sock_common_or_null", "flow_keys")
OR_NULL.update({SOCK_OR_NULL: SOCK, SOCK_COMMON_OR_NULL: SOCK_COMMON})
# what bpf_tcp_sock returns (``struct bpf_tcp_sock``)
TCP_SOCK, TCP_SOCK_OR_NULL = range(len(TYPE_STR), len(TYPE_STR) + 2)
TYPE_STR += ("tcp_sock", "tcp_sock_or_null")
OR_NULL[TCP_SOCK_OR_NULL] = TCP_SOCK
SOCK_TYPES = (SOCK, SOCK_COMMON, TCP_SOCK)


def s64(v: int) -> int:
    v &= U64
    return v - (1 << 64) if v >> 63 else v


def s32(v: int) -> int:
    v &= U32
    return v - (1 << 32) if v >> 31 else v


@cython.final
@cython.cclass
class Reg:
    """One register's abstract value.

    Compiled, this is a C struct (attributes typed where their range is known: type,
    frame, ids); the 64-bit bounds stay Python ints because a refined branch may carry
    them past the u64/s64 range for a moment (an impossible branch, see is_bottom).
    """

    # attributes: declared in scalar.pxd

    def __init__(self, t: int = NOT_INIT) -> None:
        self.t = t
        self.off = 0
        self.id = 0
        self.ref = 0
        self.rng = 0
        self.mp = None
        self.frame = 0
        self.memsz = 0
        # set on the copies the precision backtracking puts into checkpoints (precision.py)
        self.precise = False
        self.set_unknown()

    def set_unknown(self) -> None:
        self.tn = tnum.UNKNOWN
        self.smin, self.smax, self.umin, self.umax = S64_MIN, S64_MAX, 0, U64
        self.s32min, self.s32max, self.u32min, self.u32max = S32_MIN, S32_MAX, 0, U32

    def set_const(self, v: object) -> None:
        v &= U64
        self.tn = Tnum(v, 0)
        self.smin = self.smax = s64(v)
        self.umin = self.umax = v
        self.s32min = self.s32max = s32(v)
        self.u32min = self.u32max = v & U32

    def copy(self) -> Reg:
        r = cython.declare(Reg, Reg.__new__(Reg))
        r.assign(self)
        return r

    def assign(self, o: Reg) -> None:
        """Make this register equal to ``o`` (every field)."""
        self.t, self.off, self.id, self.ref, self.rng, self.mp, self.frame, self.memsz = (
            o.t, o.off, o.id, o.ref, o.rng, o.mp, o.frame, o.memsz)
        self.precise = o.precise
        self.tn, self.smin, self.smax, self.umin, self.umax = o.tn, o.smin, o.smax, o.umin, o.umax
        self.s32min, self.s32max, self.u32min, self.u32max = (o.s32min, o.s32max, o.u32min,
                                                              o.u32max)

    def key(self) -> tuple:
        return (self.t, self.off, self.tn, self.smin, self.smax, self.umin, self.umax,
                self.s32min, self.s32max, self.u32min, self.u32max, self.ref, self.rng,
                id(self.mp) if self.mp is not None else 0, self.frame, self.memsz)

    def same(self, o: Reg) -> cython.bint:
        """Every field but ``id`` equal (what :meth:`key` compares, field by field)."""
        return (self.t == o.t and self.frame == o.frame and self.ref == o.ref
                and self.mp is o.mp and self.off == o.off and self.tn.value == o.tn.value
                and self.tn.mask == o.tn.mask
                and self.smin == o.smin and self.smax == o.smax and self.umin == o.umin
                and self.umax == o.umax and self.s32min == o.s32min
                and self.s32max == o.s32max and self.u32min == o.u32min
                and self.u32max == o.u32max and self.rng == o.rng and self.memsz == o.memsz)

    def is_const(self) -> cython.bint:
        return self.tn.mask == 0

    def is_ptr(self) -> cython.bint:
        return self.t != NOT_INIT and self.t != SCALAR


def unknown_scalar() -> Reg:
    r = cython.declare(Reg, Reg.__new__(Reg))
    r.t, r.off, r.id, r.ref, r.rng, r.mp, r.frame, r.memsz = SCALAR, 0, 0, 0, 0, None, 0, 0
    r.precise = False
    r.tn = tnum.UNKNOWN
    r.smin, r.smax, r.umin, r.umax = S64_MIN, S64_MAX, 0, U64
    r.s32min, r.s32max, r.u32min, r.u32max = S32_MIN, S32_MAX, 0, U32
    return r


def const_scalar(v: object) -> Reg:
    """A known scalar (a hot path: built without the generic constructor)."""
    v &= U64
    r = cython.declare(Reg, Reg.__new__(Reg))
    r.t, r.off, r.id, r.ref, r.rng, r.mp, r.frame, r.memsz = SCALAR, 0, 0, 0, 0, None, 0, 0
    r.precise = False
    r.tn = Tnum(v, 0)
    r.umin = r.umax = v
    r.smin = r.smax = v - (1 << 64) if v >> 63 else v
    w = v & U32
    r.u32min = r.u32max = w
    r.s32min = r.s32max = w - (1 << 32) if w >> 31 else w
    return r


@cython.locals(w=cython.ulonglong)
def const_u64(v: int) -> Reg:
    """const_scalar for a value already within 64 bits (C arithmetic when compiled)."""
    r = cython.declare(Reg, Reg.__new__(Reg))
    r.t, r.off, r.id, r.ref, r.rng, r.mp, r.frame, r.memsz = SCALAR, 0, 0, 0, 0, None, 0, 0
    r.precise = False
    r.tn = tnum.const_u64(v)
    r.umin = r.umax = v
    if v >> 63:
        r.smin = r.smax = -((~v & U64) + 1)
    else:
        r.smin = r.smax = v
    w = v & U32
    r.u32min = r.u32max = w
    r.s32min = r.s32max = -((~w & U32) + 1) if w >> 31 else w  # (no C wrap-around)
    return r


# --- bounds synchronisation (reg_bounds_sync) -----------------------------------------

def _update_bounds(r: Reg) -> None:
    v, m = r.tn.value, r.tn.mask
    r.smin = max(r.smin, s64(v | (m & (1 << 63))))
    r.smax = min(r.smax, s64(v | (m & S64_MAX)))
    r.umin = max(r.umin, v)
    r.umax = min(r.umax, v | m)
    v32, m32 = v & U32, m & U32
    r.s32min = max(r.s32min, s32(v32 | (m32 & (1 << 31))))
    r.s32max = min(r.s32max, s32(v32 | (m32 & S32_MAX)))
    r.u32min = max(r.u32min, v32)
    r.u32max = min(r.u32max, v32 | m32)


def _deduce32(r: Reg) -> None:
    if r.umin >> 32 == r.umax >> 32:
        r.u32min = max(r.u32min, r.umin & U32)
        r.u32max = min(r.u32max, r.umax & U32)
        if s32(r.umin) <= s32(r.umax):
            r.s32min = max(r.s32min, s32(r.umin))
            r.s32max = min(r.s32max, s32(r.umax))
    if (r.smin & U64) >> 32 == (r.smax & U64) >> 32:
        r.u32min = max(r.u32min, r.smin & U32)
        r.u32max = min(r.u32max, r.smax & U32)
        if s32(r.smin) <= s32(r.smax):
            r.s32min = max(r.s32min, s32(r.smin))
            r.s32max = min(r.s32max, s32(r.smax))
    # the upper halves are two consecutive numbers while the lower halves go from negative
    # to positive: still one s32 range (e.g. -5..5 sign-extended)
    if ((r.umin >> 32) + 1) & U32 == r.umax >> 32 and s32(r.umin) < 0 <= s32(r.umax):
        r.s32min = max(r.s32min, s32(r.umin))
        r.s32max = min(r.s32max, s32(r.umax))
    if (((r.smin & U64) >> 32) + 1) & U32 == (r.smax & U64) >> 32 and \
            s32(r.smin) < 0 <= s32(r.smax):
        r.s32min = max(r.s32min, s32(r.smin))
        r.s32max = min(r.s32max, s32(r.smax))
    if s32(r.u32min) <= s32(r.u32max):
        r.s32min = max(r.s32min, s32(r.u32min))
        r.s32max = min(r.s32max, s32(r.u32max))
    if (r.s32min & U32) <= (r.s32max & U32):
        r.u32min = max(r.u32min, r.s32min & U32)
        r.u32max = min(r.u32max, r.s32max & U32)


def _deduce64(r: Reg) -> None:
    if s64(r.umin) <= s64(r.umax):
        r.smin = max(r.smin, s64(r.umin))
        r.smax = min(r.smax, s64(r.umax))
    if (r.smin & U64) <= (r.smax & U64):
        r.umin = max(r.umin, r.smin & U64)
        r.umax = min(r.umax, r.smax & U64)


def _deduce_mixed(r: Reg) -> None:
    r.umin = max(r.umin, (r.umin & ~U32 & U64) | r.u32min)
    r.umax = min(r.umax, (r.umax & ~U32 & U64) | r.u32max)
    r.smin = max(r.smin, s64((r.smin & ~U32 & U64) | r.u32min))
    r.smax = min(r.smax, s64((r.smax & ~U32 & U64) | r.u32max))
    if r.s32min >= 0 and r.smin >= S32_MIN and r.smax <= S32_MAX:
        r.smin, r.smax = r.s32min, r.s32max
        r.umin, r.umax = r.s32min, r.s32max
        r.tn = tnum.intersect(r.tn, tnum.trange(r.smin & U64, r.smax & U64))


def _bound_offset(r: Reg) -> None:
    v64 = tnum.intersect(r.tn, tnum.trange(r.umin, r.umax))
    v32 = tnum.intersect(tnum.subreg(v64), tnum.trange(r.u32min, r.u32max))
    r.tn = tnum.or_(tnum.clear_subreg(v64), v32)


def sync(r: Reg) -> None:
    """reg_bounds_sync: make tnum and the four ranges agree."""
    _update_bounds(r)
    _deduce32(r)
    _deduce64(r)
    _deduce_mixed(r)
    _deduce64(r)
    _bound_offset(r)
    _update_bounds(r)


def is_bottom(r: Reg) -> bool:
    """True when the bounds are contradictory (an impossible branch)."""
    return r.smin > r.smax or r.umin > r.umax or r.s32min > r.s32max or r.u32min > r.u32max


def zext32(r: Reg) -> None:
    """Zero-extend the 32-bit subregister into 64 bits (ALU32 results)."""
    r.tn = tnum.subreg(r.tn)
    r.umin, r.umax = r.u32min, r.u32max
    r.smin, r.smax = r.u32min, r.u32max


def coerce(r: Reg, size: int) -> None:
    """Truncate to ``size`` bytes with zero extension (narrow loads, casts)."""
    if size >= 8:
        return
    bits = size * 8
    m = (1 << bits) - 1
    r.tn = tnum.cast(r.tn, size)
    if r.umax >> bits == r.umin >> bits:
        r.umin &= m
        r.umax &= m
    else:
        r.umin, r.umax = 0, m
    if r.umin > r.umax:
        r.umin, r.umax = 0, m
    r.smin, r.smax = r.umin, r.umax
    # coerce_reg_to_size: a 4-byte truncation keeps the 32-bit bounds
    if size < 4:
        r.u32min, r.u32max = r.umin, r.umax
        r.s32min, r.s32max = r.umin, r.umax
    sync(r)


def _swab(v: int, nbytes: int) -> int:
    return int.from_bytes((v & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little"), "big")


def byte_swap(r: Reg, to_le: bool, bits: int) -> None:
    """BPF_END on a scalar, as 6.18 tracks it on a little-endian host: to-le of 16/32
    bits is a zero-extending truncation (coerce_reg_to_size); to-be and bswap swap the
    bytes of the tnum's value and mask, and the ranges follow from the tnum alone."""
    if to_le:
        coerce(r, bits // 8)
        return
    nbytes = bits // 8
    tn = Tnum(_swab(r.tn.value, nbytes), _swab(r.tn.mask, nbytes))
    r.set_unknown()
    r.tn = tn
    sync(r)


def coerce_sx(r: Reg, size: int) -> None:
    """Sign-extend the low ``size`` bytes into 64 bits (MOVSX, LDSX): coerce_reg_to_size_sx.

    The range survives when the bits above ``size`` are the same at both ends and the
    sign-extended ends have one sign; otherwise the size's whole signed range.
    """
    bits = size * 8
    if r.is_const():
        v = _sext(r.tn.value, bits) & U64
        r.tn = Tnum(v, 0)
        r.smin = r.smax = s64(v)
        r.umin = r.umax = v
        r.s32min = r.s32max = s32(v)
        r.u32min = r.u32max = v & U32
        return
    if (r.smax & U64) >> bits == (r.smin & U64) >> bits:
        a, b = _sext(r.smax, bits), _sext(r.smin, bits)
        lo, hi = min(a, b), max(a, b)
        if (lo >= 0) == (hi >= 0):
            r.smin, r.smax = lo, hi
            r.s32min, r.s32max = s32(lo), s32(hi)
            r.umin, r.umax = lo & U64, hi & U64
            r.u32min, r.u32max = lo & U32, hi & U32
            r.tn = tnum.trange(lo & U64, hi & U64)
            return
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    r.smin, r.smax = lo, hi
    r.s32min, r.s32max = max(lo, S32_MIN), min(hi, S32_MAX)
    r.umin, r.umax, r.u32min, r.u32max = 0, U64, 0, U32
    r.tn = tnum.UNKNOWN


def coerce_sx32(r: Reg, size: int) -> None:
    """Sign-extend the low ``size`` bytes into the 32-bit subregister, zero the upper half
    (MOVSX32): coerce_subreg_to_size_sx, then the zero extension and reg_bounds_sync."""
    bits = size * 8
    if r.is_const():
        r.set_const(_sext(r.tn.value, bits) & U32)
        return
    done = False
    if (r.s32max & U32) >> bits == (r.s32min & U32) >> bits:
        a, b = _sext(r.s32max, bits), _sext(r.s32min, bits)
        lo, hi = min(a, b), max(a, b)
        if (lo >= 0) == (hi >= 0):
            r.s32min, r.s32max = lo, hi
            r.u32min, r.u32max = lo & U32, hi & U32
            r.tn = tnum.subreg(tnum.trange(lo & U64, hi & U64))
            done = True
    if not done:
        r.s32min, r.s32max = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        r.u32min, r.u32max = 0, U32
        r.tn = Tnum(0, U32)
    zext32(r)
    sync(r)


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


# --- ALU on scalars (adjust_scalar_min_max_vals) ---------------------------------------

def _bounds(r: Reg, bits: int) -> tuple[int, int, int, int]:
    if bits == 64:
        return r.smin, r.smax, r.umin, r.umax
    return r.s32min, r.s32max, r.u32min, r.u32max


def _arith(op: str, a: Reg, b: Reg, bits: int) -> tuple[int, int, int, int]:
    """The kernel's scalar(32)_min_max_<op> for one width: (smin, smax, umin, umax)."""
    smin, smax, umin, umax = _bounds(a, bits)
    bsmin, bsmax, bumin, bumax = _bounds(b, bits)
    lo, hi = (S64_MIN, S64_MAX) if bits == 64 else (S32_MIN, S32_MAX)
    umask = U64 if bits == 64 else U32
    full = (lo, hi, 0, umask)
    if op == "add":
        s0, s1 = smin + bsmin, smax + bsmax
        if s0 < lo or s1 > hi:
            s0, s1 = lo, hi
        u0, u1 = umin + bumin, umax + bumax
        if u1 > umask:
            u0, u1 = (u0 - umask - 1, u1 - umask - 1) if u0 > umask else (0, umask)
        return s0, s1, u0, u1
    if op == "sub":
        s0, s1 = smin - bsmax, smax - bsmin
        if s0 < lo or s1 > hi:
            s0, s1 = lo, hi
        u0, u1 = umin - bumax, umax - bumin
        if u0 < 0:
            u0, u1 = (u0 + umask + 1, u1 + umask + 1) if u1 < 0 else (0, umask)
        return s0, s1, u0, u1
    if op == "mul":
        u1 = umax * bumax
        u0, u1 = (umin * bumin, u1) if u1 <= umask else (0, umask)
        prods = (smin * bsmin, smin * bsmax, smax * bsmin, smax * bsmax)
        s0, s1 = min(prods), max(prods)
        if s0 < lo or s1 > hi:
            s0, s1 = lo, hi
        return s0, s1, u0, u1
    return full


def _shift(op: str, a: Reg, s: int, bits: int) -> tuple[int, int, int, int]:
    """scalar(32)_min_max_{lsh,rsh,arsh} by a constant ``s`` for one width: the ranges
    before the tnum tightens them (the other width's are reset by the caller)."""
    smin, smax, umin, umax = _bounds(a, bits)
    lo, hi = (S64_MIN, S64_MAX) if bits == 64 else (S32_MIN, S32_MAX)
    umask = U64 if bits == 64 else U32
    if op == "lsh":
        if bits == 64 and s == 32:      # the <<32 s>>32 sign-extension idiom
            smin, smax = a.s32min << 32, a.s32max << 32
        else:
            smin, smax = lo, hi
        if s >= bits or umax > 1 << (bits - 1 - s):  # the top bit may be shifted out
            return smin, smax, 0, umask
        return smin, smax, umin << s, umax << s
    if op == "rsh":
        return lo, hi, umin >> s, umax >> s
    return smin >> s, smax >> s, 0, umask   # arsh: Python's >> is arithmetic


def alu_scalar(op: str, dst: Reg, src: Reg, is64: bool) -> None:
    """Apply ``op`` to scalar ``dst`` with scalar ``src`` (both already read-checked)."""
    bits = 64 if is64 else 32
    # is_safe_to_compute_dst_reg_range: a shift by a non-constant (or too far), division
    # and modulo leave the register unknown, all 64 bits even for ALU32 (the kernel
    # returns before zero-extending)
    if op in ("lsh", "rsh", "arsh") and not (src.is_const() and src.umax < bits):
        dst.set_unknown()
        return
    if op not in ("add", "sub", "mul", "and", "or", "xor", "lsh", "rsh", "arsh", "neg"):
        dst.set_unknown()
        return
    if op == "neg":
        zero = const_scalar(0)
        alu_scalar("sub", zero, dst, is64)
        dst.assign(zero)
        return
    a, b = dst.tn, src.tn
    if not is64:
        a, b = tnum.subreg(a), tnum.subreg(b)
    if op in ("add", "sub", "mul"):
        tn = tnum.add(a, b) if op == "add" else tnum.sub(a, b) if op == "sub" else \
            tnum.mul(a, b)
        r64 = _arith(op, dst, src, 64) if is64 else None
        r32 = _arith(op, dst, src, 32)
        dst.set_unknown()
        if r64 is not None:
            dst.smin, dst.smax, dst.umin, dst.umax = r64
        dst.s32min, dst.s32max, dst.u32min, dst.u32max = r32
    elif op in ("and", "or", "xor"):
        tn = tnum.and_(a, b) if op == "and" else tnum.or_(a, b) if op == "or" else \
            tnum.xor(a, b)
        dst.set_unknown()
    else:
        s = src.tn.value
        r64 = _shift(op, dst, s, 64) if is64 else None
        # a 64-bit lsh keeps 32-bit bounds (__scalar32_min_max_lsh); rsh/arsh do not
        r32 = _shift(op, dst, s, 32) if not is64 or op == "lsh" else None
        if op == "lsh":
            tn = tnum.lshift(a, s)
            if not is64:
                tn = tnum.subreg(tn)
        elif op == "rsh":
            tn = tnum.rshift(a, s)
        else:
            tn = tnum.arshift(a, s, bits)
        dst.set_unknown()
        if r64 is not None:
            dst.smin, dst.smax, dst.umin, dst.umax = r64
        if r32 is not None:
            dst.s32min, dst.s32max, dst.u32min, dst.u32max = r32
    if not is64:
        tn = tnum.subreg(tn)
    dst.tn = tn
    sync(dst)
    if not is64:
        zext32(dst)
        sync(dst)
