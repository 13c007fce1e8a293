"""Hand-written instruction lists for the verifier tests."""

from __future__ import annotations

from pyebpf.isa import Instruction


def prog(*insns: tuple) -> list[Instruction]:
    """Instructions from (code, dst, src, off, imm) tuples, each at its slot index
    (an LD_IMM64, code 0x18, takes two slots)."""
    out, pc = [], 0
    for t in insns:
        out.append(Instruction(*t, pc=pc))
        pc += 2 if t[0] == 0x18 else 1
    return out
