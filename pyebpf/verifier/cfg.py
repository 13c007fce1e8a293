"""Structural and control-flow checks done before abstract interpretation.

Follows the order of the kernel's ``bpf_check``: per-instruction sanity in
``resolve_pseudo_ldimm64`` (reserved LDX fields, unknown opcodes, map
references), subprogram discovery (``add_subprog``), jump ranges and the last
instruction of each subprogram (``check_subprogs``), then the depth-first walk of
``check_cfg`` (back-edges when loops are not allowed, unreachable instructions).
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pyebpf import helpers, isa
from pyebpf.isa import Form, Instruction


class Reject(Exception):  # noqa: N818 - internal signal, turned into VerifierError
    """The verifier refuses the program: ``msg`` is the log's error line."""

    def __init__(self, msg: str, err: int = errno.EACCES, extra: tuple[str, ...] = (),
                 glued: bool = False) -> None:
        super().__init__(msg)
        self.msg = msg
        self.err = err
        # the kernel's message has no newline: the summary line follows on the same line
        self.glued = glued
        # lines the kernel logs after the error line (``R2 offset is outside of the packet``)
        self.extra = extra


@dataclass
class Program:
    """The program as the verifier indexes it: one entry per 8-byte slot."""

    slots: list[Instruction | None]
    n: int
    subprogs: list[int] = field(default_factory=list)
    prune: set[int] = field(default_factory=set)
    live: list[int] = field(default_factory=list)
    # each subprogram's BTF linkage (static 0, global 1) from func_info; None: no func_info
    func_linkage: list[int] | None = None

    def subprog_of(self, pc: int) -> int:
        idx = 0
        for i, start in enumerate(self.subprogs):
            if start <= pc:
                idx = i
        return idx


def _spec(insn: Instruction) -> isa.OpSpec | None:
    return isa.find_spec(insn.code, insn.off, insn.imm)


def build(insns: Sequence[Instruction], maps: Mapping[int, object],
          allow_loops: bool, bpf_capable: bool = True, prog_type: int | None = None,
          after_subprogs: Callable[[Program], None] | None = None) -> Program:
    """Run the pre-interpretation checks and return the indexed program.

    ``after_subprogs`` runs once the subprograms are known and checked, before the
    per-instruction checks (where the kernel's check_btf_info checks func_info).

    ``bpf_capable`` False is a loader without CAP_BPF: bpf-to-bpf calls, callbacks
    and kfuncs are refused (EPERM) at the first one, as add_subprog_and_kfunc does.
    """
    if not insns:
        raise Reject("program is empty", errno.EINVAL)
    n = insns[-1].pc + insns[-1].slots
    slots: list[Instruction | None] = [None] * n
    for insn in insns:
        if 0 <= insn.pc < n:
            slots[insn.pc] = insn
    if n > 1_000_000:
        raise Reject(f"program of {n} insns is too large", errno.E2BIG)
    # add_subprog_and_kfunc
    subs = {0}
    for insn in insns:
        if not bpf_capable and _calls_code(insn):
            raise Reject("loading/calling other bpf or kernel functions are allowed for "
                         "CAP_BPF and CAP_SYS_ADMIN", errno.EPERM)
        if insn.code == isa.BPF_JMP | isa.BPF_CALL and insn.src == isa.BPF_PSEUDO_CALL:
            t = insn.pc + insn.imm + 1
            if t < 0 or t >= n:
                raise Reject("call to invalid destination", errno.EINVAL)
            subs.add(t)
        elif insn.code == isa.BPF_JMP | isa.BPF_CALL and insn.src == isa.BPF_PSEUDO_KFUNC_CALL:
            raise Reject("calling kernel functions is not allowed in pyebpf", errno.EINVAL)
        elif insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW and \
                insn.src == isa.BPF_PSEUDO_FUNC:
            t = insn.pc + isa._s32(insn.imm & 0xFFFFFFFF) + 1
            if t < 0 or t >= n:
                raise Reject("call to invalid destination", errno.EINVAL)
            subs.add(t)
    prog = Program(slots, n, sorted(subs))
    # check_subprogs: jumps stay inside their subprogram, each ends in exit or jmp
    bounds = [*prog.subprogs, n]
    for k in range(len(prog.subprogs)):
        start, end = bounds[k], bounds[k + 1]
        last: Instruction | None = None
        for pc in range(start, end):
            insn = slots[pc]
            if insn is None:
                continue
            last = insn
            cls = insn.code & 7
            if cls not in (isa.BPF_JMP, isa.BPF_JMP32):
                continue
            op = insn.code & 0xF0
            if op in (isa.BPF_EXIT, isa.BPF_CALL):
                continue
            off = insn.imm if cls == isa.BPF_JMP32 and op == isa.BPF_JA else insn.off
            t = pc + off + 1
            if t < start or t >= end:
                raise Reject(f"jump out of range from insn {pc} to {t}", errno.EINVAL)
        if last is None or last.pc + last.slots != end:
            raise Reject("last insn is not an exit or jmp", errno.EINVAL)
        code = last.code
        if not ((code & 7) in (isa.BPF_JMP, isa.BPF_JMP32) and
                (code & 0xF0) in (isa.BPF_EXIT, isa.BPF_JA)):
            raise Reject("last insn is not an exit or jmp", errno.EINVAL)
    if after_subprogs is not None:
        after_subprogs(prog)
    _resolve(insns, maps, prog_type)
    _check_cfg(prog, allow_loops)
    _liveness(prog, prog_type)
    return prog


def _calls_code(insn: Instruction) -> bool:
    """A bpf-to-bpf call, a kfunc call or a callback address (BPF_PSEUDO_FUNC)."""
    if insn.code == isa.BPF_JMP | isa.BPF_CALL:
        return insn.src in (isa.BPF_PSEUDO_CALL, isa.BPF_PSEUDO_KFUNC_CALL)
    return insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW and \
        insn.src == isa.BPF_PSEUDO_FUNC


def _resolve(insns: Sequence[Instruction], maps: Mapping[int, object],
             prog_type: int | None = None) -> None:
    """resolve_pseudo_ldimm64: per-instruction sanity (after check_subprogs, as the kernel
    orders them)."""
    for insn in insns:
        cls = insn.code & 7
        if cls == isa.BPF_LDX and ((insn.code & 0xE0) not in (isa.BPF_MEM, isa.BPF_MEMSX)
                                   or insn.imm != 0):
            raise Reject("BPF_LDX uses reserved fields", errno.EINVAL)
        if insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW:
            if insn.src == 0:
                continue
            if insn.src not in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE,
                                isa.BPF_PSEUDO_FUNC):
                raise Reject("unrecognized bpf_ld_imm64 insn", errno.EINVAL)
            if insn.src == isa.BPF_PSEUDO_FUNC:
                continue
            fd = isa._s32(insn.imm & 0xFFFFFFFF)
            if fd not in maps:
                raise Reject(f"fd {fd} is not pointing to valid bpf_map", errno.EBADF)
            if prog_type is not None:
                _map_prog_compat(maps[fd], prog_type)
            continue
        if not isa.bpf_opcode_in_insntable(insn.code):
            raise Reject(f"unknown opcode {insn.code:02x}", errno.EINVAL)


# is_tracing_prog_type: KPROBE, TRACEPOINT, PERF_EVENT, RAW_TRACEPOINT(_WRITABLE)
_TRACING_PROG_TYPES = frozenset({2, 5, 7, 17, 24})
_SOCKET_FILTER = 1


def _map_prog_compat(mp: object, prog_type: int) -> None:
    """check_map_prog_compatibility: program types that may not use a map's special
    fields (the kernel cannot run their bpf_spin_lock or bpf_timer safely)."""
    kinds = {f.kind.name for f in getattr(mp, "fields", ())}
    if kinds & {"bpf_spin_lock", "bpf_res_spin_lock"}:
        if prog_type == _SOCKET_FILTER:
            raise Reject("socket filter progs cannot use bpf_spin_lock yet", errno.EINVAL)
        if prog_type in _TRACING_PROG_TYPES:
            raise Reject("tracing progs cannot use bpf_spin_lock yet", errno.EINVAL)
    if "bpf_timer" in kinds and prog_type in _TRACING_PROG_TYPES:
        raise Reject("tracing progs cannot use bpf_timer yet", errno.EINVAL)
    if "bpf_wq" in kinds and prog_type in _TRACING_PROG_TYPES:
        raise Reject("tracing progs cannot use bpf_wq yet", errno.EINVAL)


# is_sync_callback_calling_insn: the helpers that call their callback before returning
# (bpf_for_each_map_elem, bpf_find_vma, bpf_loop, bpf_user_ringbuf_drain).  check_cfg
# marks their call sites (mark_calls_callback) whatever the program type: each is a
# forced checkpoint and, for compute_scc, a loop of its own.
SYNC_CALLBACK_HELPERS = frozenset((164, 180, 181, 209))


def calls_callback(insn: Instruction) -> bool:
    """bpf_calls_callback: a helper call that calls a callback synchronously."""
    return insn.code == isa.BPF_JMP | isa.BPF_CALL and insn.src == 0 and \
        insn.imm in SYNC_CALLBACK_HELPERS


def successors(prog: Program, pc: int) -> list[int]:
    insn = prog.slots[pc]
    assert insn is not None
    cls = insn.code & 7
    nxt = pc + insn.slots
    if cls not in (isa.BPF_JMP, isa.BPF_JMP32):
        return [nxt]
    op = insn.code & 0xF0
    if op == isa.BPF_EXIT:
        return []
    if op == isa.BPF_CALL:
        return [nxt]
    if op == isa.BPF_JA:
        off = insn.imm if cls == isa.BPF_JMP32 else insn.off
        return [pc + off + 1]
    return [nxt, pc + insn.off + 1]


def _check_cfg(prog: Program, allow_loops: bool) -> None:
    """check_cfg: depth-first walk marking prune points, back-edges and reachability."""
    n = prog.n
    state = [0] * n  # 0 unseen, 1 on stack, 2 done
    prune = prog.prune
    for entry in prog.subprogs:
        if state[entry]:
            continue
        stack = [(entry, 0)]
        state[entry] = 1
        while stack:
            t, i = stack[-1]
            insn = prog.slots[t]
            if insn is None:
                raise Reject(f"jump into the middle of ldimm64 insn {t - 1}", errno.EINVAL)
            succ = successors(prog, t)
            cls = insn.code & 7
            op = insn.code & 0xF0
            if i == 0 and insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW and \
                    insn.src == isa.BPF_PSEUDO_FUNC:
                # visit_func_call_insn: a callback's address is a prune point
                prune.add(t)
            if i == 0 and cls in (isa.BPF_JMP, isa.BPF_JMP32):
                if op == isa.BPF_JA:
                    prune.add(succ[0])
                elif op == isa.BPF_CALL:
                    if insn.src == isa.BPF_PSEUDO_CALL:
                        prune.add(t)
                        prune.add(t + insn.imm + 1)  # the callee's entry (a branch edge)
                    prune.add(t + 1)
                elif op != isa.BPF_EXIT:
                    prune.add(t)
                    prune.add(succ[1])
            if i == 0 and insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW and \
                    insn.src == isa.BPF_PSEUDO_FUNC:
                # visit_func_call_insn: the load, the next instruction and the callback
                prune.update((t, t + 2, t + isa._s32(insn.imm & 0xFFFFFFFF) + 1))
            if i >= len(succ):
                state[t] = 2
                stack.pop()
                continue
            stack[-1] = (t, i + 1)
            w = succ[i]
            if w < 0 or w >= n:
                raise Reject(f"jump out of range from insn {t} to {w}", errno.EINVAL)
            if prog.slots[w] is None:
                raise Reject(f"jump into the middle of ldimm64 insn {w - 1}", errno.EINVAL)
            if state[w] == 0:
                state[w] = 1
                stack.append((w, 0))
            elif state[w] == 1 and not allow_loops:
                raise Reject(f"back-edge from insn {t} to {w}", errno.EINVAL)
    for pc in range(n):
        if prog.slots[pc] is not None and not state[pc]:
            raise Reject(f"unreachable insn {pc}", errno.EINVAL)


def _uses_defs(insn: Instruction, prog_type: int | None = None) -> tuple[int, int]:
    """Bitmasks of registers an instruction reads and writes (for liveness)."""
    spec = _spec(insn)
    if spec is None:
        return 0, 0
    d, s = 1 << insn.dst, 1 << insn.src
    f = spec.form
    if f is Form.ALU_REG:
        return (s if spec.op == "mov" else d | s), d
    if f in (Form.ALU_IMM, Form.NEG, Form.END):
        return (0 if spec.op == "mov" else d), d
    if f is Form.MOVSX:
        return s, d
    if f is Form.LDX:
        return s, d
    if f is Form.ST:
        return d, 0
    if f is Form.STX:
        return d | s, 0
    if f is Form.ATOMIC:
        if spec.op == "atomic_cmpxchg":
            return d | s | 1, 1
        return d | s, (s if "fetch" in spec.op or "xchg" in spec.op else 0)
    if f is Form.LDDW:
        return 0, d
    if f in (Form.LDABS, Form.LDIND):
        # compute_insn_live_regs counts every register r0-r9 as read (the load may end
        # the program, returning through its exit path)
        return 0x3FF, 0x3F
    if f in (Form.JCOND_REG,):
        return d | s, 0
    if f is Form.JCOND_IMM:
        return d, 0
    if f is Form.CALL:
        # a helper reads only its prototype's arguments (compute_insn_live_regs); a
        # subprogram or an unknown helper may read r1..r5
        # (get_call_summary: a helper this program type may not call reads r1..r5)
        if insn.src != 0:
            h = None
        elif prog_type is None:
            h = helpers.HELPERS.get(insn.imm)
        else:
            from pyebpf.verifier.env import helper_for

            h = helper_for(prog_type, insn.imm)
        if h is not None:
            return ((1 << (len(h.args) + 1)) - 2), 0x3F
        return 0x3E, 0x3F
    if f is Form.EXIT:
        return 1, 0
    return 0, 0


def _liveness(prog: Program, prog_type: int | None = None) -> None:
    """Registers live before each instruction (backward data flow to a fixed point)."""
    n = prog.n
    live = [0] * n
    ud = [(0, 0)] * n
    succs: list[list[int]] = [[] for _ in range(n)]
    for pc in range(n):
        insn = prog.slots[pc]
        if insn is not None:
            ud[pc] = _uses_defs(insn, prog_type)
            succs[pc] = successors(prog, pc)
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            if prog.slots[pc] is None:
                continue
            out = 0
            for w in succs[pc]:
                if 0 <= w < n:
                    out |= live[w]
            use, dfn = ud[pc]
            new = use | (out & ~dfn) | (1 << 10)
            if new != live[pc]:
                live[pc] = new
                changed = True
    prog.live = live
