"""BTF func_info given with a program (PROG_LOAD's prog_btf_fd/func_info): checked as the
kernel's ``check_btf_func_early`` and ``check_btf_func`` check it.

The kernel needs func_info for callbacks (an LD_IMM64 of a BPF_PSEUDO_FUNC is refused
with ``missing btf func_info`` without it, and a callback must be a static function),
so a loader that wants clang objects with ``bpf_loop`` or ``bpf_for_each_map_elem`` to
load passes it.  The early checks (record size, the first record at instruction 0,
increasing offsets, FUNC type ids) run before subprogram discovery; the count and the
layout (one record per subprogram, at its first instruction) after it, which is the
order in which the kernel reports them.
"""

from __future__ import annotations

import errno
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from pyebpf import btf as _btf
from pyebpf.isa import Instruction
from pyebpf.verifier.cfg import Reject

MIN_REC_SIZE = 8     # sizeof(struct bpf_func_info): insn_off, type_id
MAX_REC_SIZE = 252   # MAX_FUNCINFO_REC_SIZE
LINKAGE_STATIC, LINKAGE_GLOBAL, LINKAGE_EXTERN = 0, 1, 2


@dataclass(frozen=True)
class FuncInfo:
    """What PROG_LOAD's func_info says: the records (``insn_off``, ``type_id``) as given
    (``rec_size`` bytes each, ``raw``), and the BTF object their type ids refer to."""

    raw: bytes
    rec_size: int
    count: int
    btf: _btf.BTF

    @classmethod
    def from_records(cls, records: Sequence[tuple[int, int]], btf: _btf.BTF) -> FuncInfo:
        """func_info of 8-byte records, as clang's .BTF.ext gives it after relocation."""
        raw = b"".join(struct.pack("<II", off, tid) for off, tid in records)
        return cls(raw, MIN_REC_SIZE, len(records), btf)


def check_early(fi: FuncInfo) -> list[tuple[int, int, bool]]:
    """check_btf_func_early: record size, tails, offsets in order, FUNC type ids.

    Returns the records as (insn_off, linkage, returns a scalar).  Several of the kernel's
    messages here have no newline: its log glues the summary line to them (the caller keeps
    that).
    """
    rs = fi.rec_size
    if rs < MIN_REC_SIZE or rs > MAX_REC_SIZE or rs % 4:
        raise Reject(f"invalid func info rec size {rs}", errno.EINVAL)
    if len(fi.raw) < rs * fi.count:
        raise Reject("func_info is shorter than func_info_cnt records", errno.EFAULT)
    out: list[tuple[int, int, bool]] = []
    prev = 0
    for i in range(fi.count):
        rec = fi.raw[i * rs:(i + 1) * rs]
        if any(rec[MIN_REC_SIZE:]):
            # bpf_check_uarg_tail_zero: fields this kernel does not know must be zero
            raise Reject("nonzero tailing record in func info", errno.E2BIG, glued=True)
        off, tid = struct.unpack_from("<II", rec)
        if i == 0:
            if off:
                raise Reject(f"nonzero insn_off {off} for the first func info record",
                             errno.EINVAL, glued=True)
        elif off <= prev:
            raise Reject(f"same or smaller insn offset ({off}) than previous func info "
                         f"record ({prev})", errno.EINVAL, glued=True)
        prev = off
        t = fi.btf.types[tid] if 0 < tid < len(fi.btf.types) else None
        if t is None or t.kind != _btf.KIND_FUNC:
            raise Reject(f"invalid type id {tid} in func info", errno.EINVAL, glued=True)
        out.append((off, t.linkage, _scalar_return(fi.btf, t)))
    return out


def _scalar_return(btf: _btf.BTF, func: _btf.Type) -> bool:
    """Whether the function returns an integer of at most 8 bytes or an enum."""
    try:
        proto = btf[func.ref]
        ret = btf.resolve(proto.ref) if proto.ref else None
    except _btf.BTFError:
        return False
    if ret is None:
        return False
    return (ret.kind == _btf.KIND_INT and ret.size <= 8) or \
        ret.kind in (_btf.KIND_ENUM, _btf.KIND_ENUM64)


def check_layout(records: list[tuple[int, int, bool]], subprogs: Sequence[int],
                 slots: Sequence[Instruction | None] = ()) -> list[int]:
    """check_btf_func: one record per subprogram, each at its subprogram's first insn; a
    subprogram (not the main program) with LD_ABS/LD_IND or a tail call returns an int.

    Returns each subprogram's linkage (BTF_FUNC_STATIC, GLOBAL, EXTERN).
    """
    if len(records) != len(subprogs):
        raise Reject("number of funcs in func_info doesn't match number of subprogs",
                     errno.EINVAL)
    bounds = [*subprogs, len(slots)]
    for i, ((off, _, scalar), start) in enumerate(zip(records, subprogs, strict=True)):
        if off != start:
            raise Reject("func_info BTF section doesn't match subprog layout in BPF program",
                         errno.EINVAL)
        if not i or scalar:
            continue
        body = [x for x in slots[start:bounds[i + 1]] if x is not None]
        if any(x.code & 0xE7 in (0x20, 0x40) for x in body):  # BPF_LD | BPF_ABS/IND
            raise Reject("LD_ABS is only allowed in functions that return 'int'.",
                         errno.EINVAL)
        if any(x.code == 0x85 and x.src == 0 and x.imm == 12 for x in body):  # tail_call
            raise Reject("tail_call is only allowed in functions that return 'int'.",
                         errno.EINVAL)
    return [linkage for _, linkage, _ in records]


def synthetic_btf(count: int) -> bytes:
    """A BTF blob for a hand-written program of ``count`` subprograms: ``int``, one
    ``int (void)`` prototype and FUNCs ``f0`` (global: the main program) .. ``f{count-1}``
    (static: subprograms and callbacks), type ids 3 .. 3+count-1.

    Programs not compiled from C have no BTF; this is the least the kernel takes so that
    their callbacks load (the differential tests give it to both verifiers)."""
    names = b"\0int\0" + b"".join(f"f{i}".encode() + b"\0" for i in range(count))
    types = struct.pack("<IIII", 1, 0x01000000, 4, 32)   # [1] INT int, 4 bytes, 32 bits
    types += struct.pack("<III", 0, 0x0D000000, 1)       # [2] FUNC_PROTO: int (void)
    off = 5
    for i in range(count):
        linkage = LINKAGE_GLOBAL if i == 0 else LINKAGE_STATIC
        types += struct.pack("<III", off, 0x0C000000 | linkage, 2)
        off += len(f"f{i}") + 1
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(names))
    return hdr + types + names


def synthetic(starts: Sequence[int]) -> tuple[bytes, list[tuple[int, int]]]:
    """:func:`synthetic_btf` for subprograms starting at ``starts`` and its func_info
    records (insn_off, type_id)."""
    return synthetic_btf(len(starts)), [(s, 3 + i) for i, s in enumerate(starts)]
