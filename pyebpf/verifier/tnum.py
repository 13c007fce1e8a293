"""Tristate numbers: the kernel's ``tnum`` (kernel/bpf/tnum.c), as immutable pairs.

A tnum ``(value, mask)`` stands for every 64-bit number whose bits outside
``mask`` equal ``value``; bits in ``mask`` are unknown.  The verifier tracks
the known bits of every scalar with one, beside its min/max bounds.
"""

from __future__ import annotations

from typing import NamedTuple

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1


class Tnum(NamedTuple):
    value: int
    mask: int

    def is_const(self) -> bool:
        return self.mask == 0

    def is_unknown(self) -> bool:
        return self.mask == U64


def const(v: int) -> Tnum:
    return Tnum(v & U64, 0)


UNKNOWN = Tnum(0, U64)


def trange(lo: int, hi: int) -> Tnum:
    """The smallest tnum containing every value in [lo, hi] (unsigned)."""
    chi = lo ^ hi
    bits = chi.bit_length()
    if bits > 63:
        return UNKNOWN
    delta = (1 << bits) - 1
    return Tnum(lo & ~delta & U64, delta)


def lshift(a: Tnum, s: int) -> Tnum:
    return Tnum((a.value << s) & U64, (a.mask << s) & U64)


def rshift(a: Tnum, s: int) -> Tnum:
    return Tnum(a.value >> s, a.mask >> s)


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def arshift(a: Tnum, s: int, bits: int) -> Tnum:
    """Arithmetic shift of the low ``bits`` bits (32 or 64), as tnum_arshift."""
    m = (1 << bits) - 1
    return Tnum((_sext(a.value, bits) >> s) & m, (_sext(a.mask, bits) >> s) & m)


def add(a: Tnum, b: Tnum) -> Tnum:
    sm = (a.mask + b.mask) & U64
    sv = (a.value + b.value) & U64
    sigma = (sm + sv) & U64
    chi = sigma ^ sv
    mu = chi | a.mask | b.mask
    return Tnum(sv & ~mu & U64, mu)


def sub(a: Tnum, b: Tnum) -> Tnum:
    dv = (a.value - b.value) & U64
    alpha = (dv + a.mask) & U64
    beta = (dv - b.mask) & U64
    chi = alpha ^ beta
    mu = chi | a.mask | b.mask
    return Tnum(dv & ~mu & U64, mu)


def neg(a: Tnum) -> Tnum:
    return sub(const(0), a)


def and_(a: Tnum, b: Tnum) -> Tnum:
    alpha = a.value | a.mask
    beta = b.value | b.mask
    v = a.value & b.value
    return Tnum(v, alpha & beta & ~v & U64)


def or_(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask | b.mask
    return Tnum(v, mu & ~v & U64)


def xor(a: Tnum, b: Tnum) -> Tnum:
    v = a.value ^ b.value
    mu = a.mask | b.mask
    return Tnum(v & ~mu & U64, mu)


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


def intersect(a: Tnum, b: Tnum) -> Tnum:
    v = a.value | b.value
    mu = a.mask & b.mask
    return Tnum(v & ~mu & U64, mu)


def cast(a: Tnum, size: int) -> Tnum:
    """Truncate to ``size`` bytes (zero extension)."""
    m = (1 << (size * 8)) - 1
    return Tnum(a.value & m, a.mask & m)


def subreg(a: Tnum) -> Tnum:
    return cast(a, 4)


def clear_subreg(a: Tnum) -> Tnum:
    return lshift(rshift(a, 32), 32)


def with_subreg(a: Tnum, s: Tnum) -> Tnum:
    return or_(clear_subreg(a), subreg(s))


def contains(a: Tnum, b: Tnum) -> bool:
    """tnum_in: every value of ``b`` is a value of ``a``."""
    if b.mask & ~a.mask & U64:
        return False
    return a.value == (b.value & ~a.mask & U64)


def fmt(a: Tnum) -> str:
    return f"({a.value:#x}; {a.mask:#x})"
