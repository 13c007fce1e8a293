# cython: annotation_typing=False
"""Tristate numbers: the kernel's ``tnum`` (kernel/bpf/tnum.c), as immutable pairs.

A tnum ``(value, mask)`` stands for every 64-bit number whose bits outside
``mask`` equal ``value``; bits in ``mask`` are unknown.  The verifier tracks
the known bits of every scalar with one, beside its min/max bounds.

Compiled with Cython (pure Python mode), a Tnum is a pair of C ``uint64``s and the
operations below are C arithmetic: every value is kept within 64 bits (each result
is masked), which is what makes the C types exact here.
"""

from __future__ import annotations

from collections.abc import Iterator

try:
    import cython
except ImportError:              # uncompiled, without Cython installed: its plain meaning
    from pyebpf import _cython_shim as cython

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1
# the same masks as C constants for the compiled arithmetic (tnum.pxd; plain ints uncompiled)
_M64 = 0xFFFFFFFFFFFFFFFF
_M32 = 0xFFFFFFFF


@cython.final
@cython.cclass
class Tnum:
    """``(value, mask)``: known bits and unknown bits of a 64-bit number."""

    # value, mask: declared in tnum.pxd (C uint64 when compiled)

    def __init__(self, value: int, mask: int) -> None:
        self.value = value
        self.mask = mask

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tnum):
            return NotImplemented
        return self.value == other.value and self.mask == other.mask

    def __hash__(self) -> int:
        return hash((self.value, self.mask))

    def __iter__(self) -> Iterator[int]:
        return iter((self.value, self.mask))

    def __repr__(self) -> str:
        return f"Tnum(value={self.value}, mask={self.mask})"

    def is_const(self) -> cython.bint:
        return self.mask == 0

    def is_unknown(self) -> cython.bint:
        return self.mask == _M64


def _mk(v: cython.ulonglong, m: cython.ulonglong) -> Tnum:
    """A Tnum from two values already within 64 bits (no __init__ call when compiled)."""
    t = cython.declare(Tnum, Tnum.__new__(Tnum))
    t.value = v
    t.mask = m
    return t


def const_u64(v: int) -> Tnum:
    """A known value already within 64 bits."""
    return _mk(v, 0)


def const(v: int) -> Tnum:
    return _mk(v & U64, 0)


UNKNOWN = Tnum(0, U64)


def trange(lo: int, hi: int) -> Tnum:
    """The smallest tnum containing every value in [lo, hi] (unsigned)."""
    chi = lo ^ hi
    bits = chi.bit_length()
    if bits > 63:
        return UNKNOWN
    delta = (1 << bits) - 1
    return Tnum(lo & ~delta & U64, delta)


def lshift(a: Tnum, s: cython.int) -> Tnum:
    return _mk((a.value << s) & _M64, (a.mask << s) & _M64)


def rshift(a: Tnum, s: cython.int) -> Tnum:
    return _mk(a.value >> s, a.mask >> s)


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def arshift(a: Tnum, s: int, bits: int) -> Tnum:
    """Arithmetic shift of the low ``bits`` bits (32 or 64), as tnum_arshift."""
    m = (1 << bits) - 1
    return Tnum((_sext(a.value, bits) >> s) & m, (_sext(a.mask, bits) >> s) & m)


@cython.locals(sm=cython.ulonglong, sv=cython.ulonglong, sigma=cython.ulonglong,
               chi=cython.ulonglong, mu=cython.ulonglong)
def add(a: Tnum, b: Tnum) -> Tnum:
    sm = (a.mask + b.mask) & _M64
    sv = (a.value + b.value) & _M64
    sigma = (sm + sv) & _M64
    chi = sigma ^ sv
    mu = chi | a.mask | b.mask
    return _mk(sv & ~mu & _M64, mu)


@cython.locals(dv=cython.ulonglong, alpha=cython.ulonglong, beta=cython.ulonglong,
               chi=cython.ulonglong, mu=cython.ulonglong)
def sub(a: Tnum, b: Tnum) -> Tnum:
    dv = (a.value - b.value) & _M64
    alpha = (dv + a.mask) & _M64
    beta = (dv - b.mask) & _M64
    chi = alpha ^ beta
    mu = chi | a.mask | b.mask
    return _mk(dv & ~mu & _M64, mu)


def neg(a: Tnum) -> Tnum:
    return sub(const(0), a)


@cython.locals(alpha=cython.ulonglong, beta=cython.ulonglong, v=cython.ulonglong)
def and_(a: Tnum, b: Tnum) -> Tnum:
    alpha = a.value | a.mask
    beta = b.value | b.mask
    v = a.value & b.value
    return _mk(v, alpha & beta & ~v & _M64)


@cython.locals(v=cython.ulonglong, mu=cython.ulonglong)
def or_(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask | b.mask
    return _mk(v, mu & ~v & _M64)


@cython.locals(v=cython.ulonglong, mu=cython.ulonglong)
def xor(a: Tnum, b: Tnum) -> Tnum:
    v = a.value ^ b.value
    mu = a.mask | b.mask
    return _mk(v & ~mu & _M64, mu)


def mul(a: Tnum, b: Tnum) -> Tnum:
    """tnum_mul: shift-and-add over the bits of ``a``."""
    acc_v = (a.value * b.value) & U64
    acc_m = Tnum(0, 0)
    while a.value or a.mask:
        if a.value & 1:
            acc_m = add(acc_m, Tnum(0, b.mask))
        elif a.mask & 1:
            acc_m = add(acc_m, Tnum(0, b.value | b.mask))
        a = rshift(a, 1)
        b = lshift(b, 1)
    return add(Tnum(acc_v, 0), acc_m)


@cython.locals(v=cython.ulonglong, mu=cython.ulonglong)
def intersect(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask & b.mask
    return _mk(v & ~mu & _M64, mu)


def cast(a: Tnum, size: int) -> Tnum:
    """Truncate to ``size`` bytes (zero extension)."""
    m = (1 << (size * 8)) - 1
    return Tnum(a.value & m, a.mask & m)


def subreg(a: Tnum) -> Tnum:
    return _mk(a.value & _M32, a.mask & _M32)


def clear_subreg(a: Tnum) -> Tnum:
    return _mk(a.value & ~_M32 & _M64, a.mask & ~_M32 & _M64)


def with_subreg(a: Tnum, s: Tnum) -> Tnum:
    return or_(clear_subreg(a), subreg(s))


def contains(a: Tnum, b: Tnum) -> cython.bint:
    """tnum_in: every value of ``b`` is a value of ``a``."""
    if b.mask & ~a.mask & _M64:
        return False
    return a.value == (b.value & ~a.mask & _M64)


def fmt(a: Tnum) -> str:
    return f"({a.value:#x}; {a.mask:#x})"
