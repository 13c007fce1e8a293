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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyebpf.errors import VerifierError
from pyebpf.isa import Instruction
from pyebpf.verifier import cfg
from pyebpf.verifier import log as vlog
from pyebpf.verifier.check import INSN_LIMIT, Checker
from pyebpf.verifier.env import UNPRIV_PROG_TYPES, Helper, MapInfo

__all__ = ["MapInfo", "VerifyResult", "bpf_check"]

BPF_MAXINSNS = 4096  # the unprivileged program size limit (uapi's BPF_MAXINSNS)


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
              log_level: int = 0, privileged: bool = True) -> VerifyResult:
    """Verify ``insns`` for ``prog_type``; raise VerifierError as the kernel would refuse it.

    ``helpers`` replaces the helpers (and the program type's choice of them) that
    :mod:`pyebpf.helpers` and :mod:`pyebpf.progtypes` give.  ``privileged=False`` is a
    loader without CAP_BPF/CAP_PERFMON: bpf_prog_load's refusals (EPERM for the other
    program types, E2BIG past BPF_MAXINSNS), then the verifier with allow_ptr_leaks,
    allow_uninit_stack, bypass_spec_v1/v4 and bpf_capable all false.
    """
    maps = maps or {}
    insns = list(insns)
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
    try:
        return _check(insns, prog_type, maps, helpers, log_level, privileged)
    finally:
        if gc_was_on:
            gc.enable()


def _check(insns: list[Instruction], prog_type: int, maps: Mapping[int, MapInfo],
           helpers: Mapping[int, Helper] | None, log_level: int,
           privileged: bool = True) -> VerifyResult:
    checker: Checker | None = None
    try:
        prog = cfg.build(insns, maps, allow_loops=privileged, bpf_capable=privileged,
                         prog_type=prog_type)
        checker = Checker(prog, prog_type, maps, helpers, log_level, privileged)
        if log_level >= 2:
            checker.lines.extend(vlog.level2_header(prog))
        checker.run()
        if log_level == 1:
            # do_check_common: a verified program's trace is dropped at level 1 (the log
            # position goes back to 0), only the statistics remain
            checker.lines.clear()
        _check_stack_depth(checker)
    except cfg.Reject as rej:
        if checker is not None:
            lines = checker.lines
        elif log_level >= 2:  # check_subprogs lists the subprograms before its checks
            lines = [f"func#{i} @{start}" for i, start in enumerate(_subprog_starts(insns))]
        else:
            lines = []
        text = "\n".join([*lines, rej.msg, *rej.extra, _summary(checker)]).strip("\n") + "\n"
        raise VerifierError(rej.msg, log=text if log_level else "", err=rej.err) from None
    except RecursionError:  # pragma: no cover - defensive: hostile nesting
        raise VerifierError("program too complex", err=errno.E2BIG) from None
    text = ""
    if log_level:
        text = "\n".join([*checker.lines, _summary(checker)]) + "\n"
    return VerifyResult(text, insns, checker.processed, checker.max_states_per_insn,
                        checker.total_states, checker.peak_states, tuple(checker.stack_depth))


def _subprog_starts(insns: list[Instruction]) -> list[int]:
    """Subprogram entries (add_subprog_and_kfunc): 0 and every bpf-to-bpf call target."""
    starts = {0}
    for i in insns:
        if i.code == 0x85 and i.src == 1:
            starts.add(i.pc + i.imm + 1)
    return sorted(starts)


def _check_stack_depth(c: Checker) -> None:
    """check_max_stack_depth, simplified: frames along a call chain, rounded to 32 bytes."""
    total = sum(max(32, (d + 31) // 32 * 32) if d else 0 for d in c.stack_depth)
    if total > 512 and len(c.stack_depth) > 1:
        raise cfg.Reject(f"combined stack size of {len(c.stack_depth)} calls is {total}. "
                         "Too large")
