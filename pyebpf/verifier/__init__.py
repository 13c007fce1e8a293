"""The verifier: decides what the kernel's ``bpf_check`` decides, in the kernel's words.

``bpf_check(insns, prog_type, maps=..., helpers=..., log_level=..., privileged=...)``
runs the structural and control-flow checks (:mod:`pyebpf.verifier.cfg`), then
abstract interpretation of every path with state pruning
(:mod:`pyebpf.verifier.check`), and returns a :class:`VerifyResult` or raises
:class:`pyebpf.errors.VerifierError` whose message is the kernel's first error line.
"""

from __future__ import annotations

import errno
import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pyebpf.errors import VerifierError
from pyebpf.isa import Instruction
from pyebpf.isa import _s32 as isa_s32
from pyebpf.verifier import cfg, funcinfo, sockctx
from pyebpf.verifier import log as vlog
from pyebpf.verifier import scalar as sc
from pyebpf.verifier.check import INSN_LIMIT, Checker
from pyebpf.verifier.env import UNPRIV_PROG_TYPES, Helper, MapInfo, check_attach_type
from pyebpf.verifier.funcinfo import FuncInfo

__all__ = ["FuncInfo", "MapInfo", "VerifyResult", "bpf_check", "subprog_starts"]

BPF_MAXINSNS = 4096  # the unprivileged program size limit (uapi's BPF_MAXINSNS)


class Log(str):
    """A verifier log, with the most bytes it held while the verifier wrote it.

    At level 1 a verified program's trace is dropped at the end, leaving only the
    statistics; the kernel still reports (log_true_size) and checks against
    log_size (ENOSPC) the trace's length.
    """

    peak: int

    def __new__(cls, text: str, peak: int = 0) -> Log:
        log = super().__new__(cls, text)
        log.peak = max(peak, len(text.encode()))
        return log


@dataclass
class VerifyResult:
    """A verified program: its log, the (xlated) instructions and the kernel's counters."""

    log: str
    insns: list[Instruction]
    processed: int
    max_states_per_insn: int
    total_states: int
    peak_states: int
    stack_depth: tuple[int, ...]
    # the end of the furthest context access (prog->aux->max_ctx_offset): a syscall
    # program's PROG_TEST_RUN refuses a shorter ctx
    max_ctx_offset: int = 0
    # the context loads by pc: (off, size), what convert_ctx_accesses rewrites
    ctx_loads: dict[int, tuple[int, int]] = field(default_factory=dict)
    # per instruction slot, whether the verifier walked it (aux->seen): the others are
    # dead code, which the kernel never checks further and replaces (sanitize_dead_code)
    seen: bytes = b""


def _summary(c: Checker | None) -> str:
    if c is None:  # refused before the walk: the kernel still prints its statistics
        return (f"processed 0 insns (limit {INSN_LIMIT}) max_states_per_insn 0 total_states 0 "
                "peak_states 0 mark_read 0")
    return (f"processed {c.processed} insns (limit {INSN_LIMIT}) max_states_per_insn "
            f"{c.max_states_per_insn} total_states {c.total_states} peak_states "
            f"{c.peak_states} mark_read 0")


def bpf_check(insns: Sequence[Instruction], prog_type: int, *,
              maps: Mapping[int, MapInfo] | None = None,
              helpers: Mapping[int, Helper] | None = None,
              log_level: int = 0, privileged: bool = True,
              func_info: FuncInfo | None = None,
              expected_attach_type: int = 0, gpl: bool = True) -> VerifyResult:
    """Verify ``insns`` for ``prog_type``; raise VerifierError as the kernel would refuse it.

    ``func_info`` is PROG_LOAD's BTF func_info (checked as check_btf_func does); without
    it, as in the kernel, callbacks (LD_IMM64 of BPF_PSEUDO_FUNC) are refused.

    ``helpers`` replaces the helpers (and the program type's choice of them) that
    :mod:`pyebpf.helpers` and :mod:`pyebpf.progtypes` give.  ``privileged=False`` is a
    loader without CAP_BPF/CAP_PERFMON: bpf_prog_load's refusals (EPERM for the other
    program types, E2BIG past BPF_MAXINSNS), then the verifier with allow_ptr_leaks,
    allow_uninit_stack, bypass_spec_v1/v4 and bpf_capable all false.  ``gpl`` False is a
    license that is not GPL-compatible: a call of a GPL-only helper is refused where it is
    reached, as check_helper_call does.
    """
    maps = maps or {}
    insns = list(insns)
    if not check_attach_type(prog_type, expected_attach_type):
        # bpf_prog_load_check_attach, before the verifier: no log
        raise VerifierError(f"expected_attach_type {expected_attach_type} does not suit "
                            f"program type {prog_type}", err=errno.EINVAL)
    if not privileged:
        if prog_type not in UNPRIV_PROG_TYPES:
            raise VerifierError(f"program type {prog_type} needs CAP_BPF to be loaded",
                                err=errno.EPERM)
        n = insns[-1].pc + insns[-1].slots if insns else 0
        if n > BPF_MAXINSNS:
            raise VerifierError(f"insn_cnt {n} out of range (unprivileged limit "
                                f"{BPF_MAXINSNS})", err=errno.E2BIG)
    # the states form no reference cycles; a large program allocates millions of objects,
    # which would set the cyclic collector scanning them all again and again
    gc_was_on = gc.isenabled()
    gc.disable()
    # log_level bits: 1 and 2 trace the walk, 4 (BPF_LOG_STATS) adds the time and stack
    # depth to the statistics, 8 (BPF_LOG_FIXED) only changes how the log is truncated;
    # any of them asks for the messages and the statistics line
    start = time.perf_counter_ns()
    try:
        result = _check(insns, prog_type, maps, helpers, log_level & 3, privileged, func_info,
                        expected_attach_type, gpl, want_log=bool(log_level))
    except VerifierError as e:
        if log_level & 4 and e.log:
            e.log = _with_stats(e.log, time.perf_counter_ns() - start, (0,))
        raise
    finally:
        if gc_was_on:
            gc.enable()
    if log_level & 4:
        stats = _with_stats(result.log, time.perf_counter_ns() - start, result.stack_depth)
        result.log = Log(stats, getattr(result.log, "peak", 0))
    return result


def _with_stats(log: str, elapsed_ns: int, depths: tuple[int, ...]) -> str:
    """print_verification_stats' BPF_LOG_STATS lines, before the closing statistics."""
    head, _, last = log.rstrip("\n").rpartition("\n")
    stats = (f"verification time {elapsed_ns // 1000} usec\n"
             f"stack depth {'+'.join(str(d) for d in depths or (0,))}\n")
    return (head + "\n" if head else "") + stats + last + "\n"


def _check(insns: list[Instruction], prog_type: int, maps: Mapping[int, MapInfo],
           helpers: Mapping[int, Helper] | None, log_level: int,
           privileged: bool = True, func_info: FuncInfo | None = None,
           expected_attach_type: int = 0, gpl: bool = True,
           want_log: bool = False) -> VerifyResult:
    checker: Checker | None = None
    early = True  # func_info's early checks come before the subprograms are listed
    try:
        records = funcinfo.check_early(func_info) if func_info and func_info.count else None
        early = False

        def btf_func(p: cfg.Program) -> None:
            if records is not None:
                p.func_linkage = funcinfo.check_layout(records, p.subprogs, p.slots)

        prog = cfg.build(insns, maps, allow_loops=privileged, bpf_capable=privileged,
                         prog_type=prog_type, after_subprogs=btf_func)
        checker = Checker(prog, prog_type, maps, helpers, log_level, privileged,
                          expected_attach_type)
        checker.gpl = gpl
        if log_level >= 2:
            checker.lines.extend(vlog.level2_header(prog))
        checker.run()
        peak = 0
        if log_level == 1:
            # do_check_common: a verified program's trace is dropped at level 1 (the log
            # position goes back to 0), only the statistics remain
            peak = sum(len(line.encode()) + 1 for line in checker.lines)
            checker.lines.clear()
        _check_stack_depth(checker)
        _check_conversions(checker)
    except cfg.Reject as rej:
        if checker is not None:
            lines = checker.lines
        elif log_level >= 2 and not early:  # check_subprogs lists the subprograms before its checks
            lines = [f"func#{i} @{start}" for i, start in enumerate(subprog_starts(insns))]
        else:
            lines = []
        # a message without a newline in the kernel runs into the summary line
        last = [rej.msg + _summary(checker)] if rej.glued else \
            [rej.msg, *rej.extra, _summary(checker)]
        text = "\n".join([*lines, *last]).strip("\n") + "\n"
        raise VerifierError(rej.msg, log=text if want_log else "", err=rej.err) from None
    except RecursionError:  # pragma: no cover - defensive: hostile nesting
        raise VerifierError("program too complex", err=errno.E2BIG) from None
    text = ""
    if want_log:
        text = Log("\n".join([*checker.lines, _summary(checker)]) + "\n", peak)
    return VerifyResult(text, insns, checker.processed, checker.max_states_per_insn,
                        checker.total_states, checker.peak_states, tuple(checker.stack_depth),
                        checker.max_ctx_offset, dict(checker.ctx_loads), bytes(checker.seen))


def _check_conversions(checker: Checker) -> None:
    """convert_ctx_accesses, after the walk: a socket access the kernel cannot rewrite
    (whose converter has no case for its offset) fails the load with EFAULT."""
    for pc, t in checker.ptr_aux.items():
        if t == sc.TCP_SOCK and not sockctx.tcp_sock_converts(checker.p.slots[pc].off):
            raise cfg.Reject("verifier bug: error during ctx access conversion (0)",
                             errno.EFAULT)


def subprog_starts(insns: list[Instruction]) -> list[int]:
    """Subprogram entries (add_subprog_and_kfunc): 0 and every bpf-to-bpf call target."""
    starts = {0}
    for i in insns:
        if i.code == 0x85 and i.src == 1:
            starts.add(i.pc + i.imm + 1)
        elif i.code == 0x18 and i.src == 4:  # BPF_PSEUDO_FUNC: a callback
            starts.add(i.pc + isa_s32(i.imm & 0xFFFFFFFF) + 1)
    return sorted(starts)


MAX_CALL_FRAMES = 8
MAX_BPF_STACK = 512


def _check_stack_depth(c: Checker) -> None:
    """check_max_stack_depth: every call chain from the main program (bpf-to-bpf calls
    and callback addresses alike), each frame's stack rounded up to 16 bytes as with the
    JIT, must fit in 512 bytes together."""
    prog = c.p
    bounds = [*prog.subprogs, prog.n]

    def walk(idx: int, frame: int, depth: int) -> None:
        depth += (c.stack_depth[idx] + 15) // 16 * 16
        if depth > MAX_BPF_STACK:
            raise cfg.Reject(f"combined stack size of {frame + 1} calls is {depth}. Too large")
        for pc in range(bounds[idx], bounds[idx + 1]):
            insn = prog.slots[pc]
            if insn is None or not ((insn.code == 0x85 and insn.src == 1) or
                                    (insn.code == 0x18 and insn.src == 4)):
                continue
            target = pc + isa_s32(insn.imm & 0xFFFFFFFF) + 1
            if frame + 1 >= MAX_CALL_FRAMES:
                raise cfg.Reject(f"the call stack of {frame + 1} frames is too deep !",
                                 errno.E2BIG)
            walk(prog.subprogs.index(target), frame + 1, depth)

    walk(0, 0, 0)
