"""Differential comparison of pyebpf's verifier with the live kernel's.

``python -m pyebpf.verifier.diff START COUNT`` prints verdict agreement and
first-error-line agreement over seeds ``START .. START+COUNT-1`` of
:mod:`pyebpf.verifier.gen`, and lists the disagreements.
``python -m pyebpf.verifier.diff --log START COUNT`` prints the share of those programs
whose whole verifier log (level 1, then level 2) is identical to the kernel's.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyebpf import isa, kernel
from pyebpf.btf import BTF
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.verifier import FuncInfo, VerifyResult, bpf_check
from pyebpf.verifier.gen import GenProgram, generate

LOG_SIZE = 1 << 22  # large enough that the kernel never truncates a level-1 log here


@dataclass
class Outcome:
    seed: int
    defect: str | None
    kernel_ok: bool
    ours_ok: bool
    kernel_line: str
    our_line: str

    @property
    def verdict_agrees(self) -> bool:
        return self.kernel_ok == self.ours_ok

    @property
    def line_agrees(self) -> bool:
        return self.verdict_agrees and (self.kernel_ok or self.kernel_line == self.our_line)


_TRACE = re.compile(r"^(\d+: |from \d+ to \d+|func#\d+ @|Live regs|\s+\d+: )")


def error_line(log: str) -> str:
    """The verifier's first error line: the first line after the last trace line.

    Trace lines are the ``N: ...`` instruction and state lines (and, at level 2,
    ``from X to Y`` headers); the summary ``processed ...`` line is ignored.
    """
    lines = [ln for ln in log.splitlines() if ln.strip()]
    last = -1
    for i, ln in enumerate(lines):
        if _TRACE.match(ln):
            last = i
    for ln in lines[last + 1:]:
        if not ln.startswith("processed ") and not _TRACE.match(ln):
            return ln
    return ""


def with_map_fds(insns: Sequence[Instruction], fds: Mapping[int, int]) -> list[Instruction]:
    """LD_IMM64 map references (pyebpf's map indexes) rewritten to the kernel's map fds."""
    return [Instruction(i.code, i.dst, i.src, i.off,
                        (i.imm >> 32 << 32) | fds[isa._s32(i.imm & 0xFFFFFFFF)], i.pc)
            if i.slots == 2 and i.src in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE)
            and isa._s32(i.imm & 0xFFFFFFFF) in fds else i for i in insns]


def run_kernel(gp: GenProgram, log_level: int = 1) -> tuple[bool, str]:
    """Load ``gp`` into the live kernel (maps created, all fds closed): (accepted, log)."""
    maps: dict[int, kernel.KernelMap] = {}
    try:
        for idx, m in gp.maps.items():
            maps[idx] = kernel.KernelMap(m.map_type, m.key_size, m.value_size,
                                         m.max_entries, map_flags=m.flags)
        insns = with_map_fds(gp.insns, {i: km.fd for i, km in maps.items()})
        try:
            prog = kernel.KernelProgram(insns, gp.prog_type, log_level=log_level,
                                        log_size=LOG_SIZE,
                                        expected_attach_type=gp.expected_attach_type,
                                        btf=gp.btf, func_info=gp.func_info or ())
        except BPFError as exc:  # VerifierError carries the log
            return False, getattr(exc, "log", "")
        prog.close()
        return True, prog.log
    finally:
        for km in maps.values():
            km.close()


def _check(gp: GenProgram, log_level: int = 0) -> VerifyResult:
    """pyebpf's verifier on ``gp``, with its attach type and func_info."""
    fi = None
    if gp.func_info is not None:
        assert gp.btf is not None
        fi = FuncInfo.from_records(gp.func_info, BTF(gp.btf))
    return bpf_check(gp.insns, gp.prog_type, maps=gp.maps, log_level=log_level,
                     expected_attach_type=gp.expected_attach_type, func_info=fi)


def compare(seed: int) -> Outcome:
    gp = generate(seed)
    k_ok, k_log = run_kernel(gp)
    try:
        _check(gp)
        ours, line = True, ""
    except VerifierError as exc:
        ours, line = False, exc.reason
    return Outcome(seed, gp.defect, k_ok, ours, "" if k_ok else error_line(k_log), line)


def our_log(gp: GenProgram, log_level: int) -> str:
    """pyebpf's verifier log for ``gp`` at ``log_level`` (accepted or refused)."""
    try:
        return _check(gp, log_level).log
    except VerifierError as exc:
        return exc.log


def logs(seed: int, log_level: int) -> tuple[str, str]:
    """(kernel's log, pyebpf's log) of generated program ``seed`` at ``log_level``."""
    gp = generate(seed)
    return run_kernel(gp, log_level)[1], our_log(gp, log_level)


_MAP_ADDR = re.compile(r"^(\s*\d+: (?:[.0-9]{10} )?\(18\) r\d+ = )0x[0-9a-f]+ *", re.M)


def normalized(log: str) -> str:
    """``log`` with the one thing pyebpf cannot know replaced: the kernel address a map
    reference (LD_IMM64 of a map fd) was rewritten to (pyebpf prints its map index)."""
    return _MAP_ADDR.sub(r"\1<map> ", log)


def log_agreement(seeds: range, log_level: int) -> tuple[float, list[int]]:
    """The fraction of ``seeds`` whose WHOLE log is identical to the kernel's, and the
    seeds whose log differs."""
    bad = []
    for seed in seeds:
        k_log, our = logs(seed, log_level)
        if normalized(k_log) != normalized(our):
            bad.append(seed)
    return 1 - len(bad) / len(seeds), bad


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pyebpf.verifier.diff",
        description="Compare pyebpf's verifier with the live kernel's on generated programs "
                    "(pyebpf.verifier.gen seeds START .. START+COUNT-1): verdict and first "
                    "error line agreement, or with --log the whole level-1 and level-2 log.")
    p.add_argument("start", nargs="?", type=int, default=0, help="first seed (default 0)")
    p.add_argument("count", nargs="?", type=int, default=1000,
                   help="number of seeds (default 1000)")
    p.add_argument("--log", action="store_true",
                   help="whole-log agreement at log levels 1 and 2 instead")
    p.add_argument("--level", type=int, choices=(1, 2), action="append",
                   help="with --log: only this level (repeatable; default both)")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv[1:])
    start, count = args.start, args.count
    if count <= 0:
        print("COUNT must be positive", file=sys.stderr)
        return 2
    if args.log:
        seeds = range(start, start + count)
        for level in args.level or (1, 2):
            frac, bad = log_agreement(seeds, level)
            print(f"level {level}: whole log identical for {100 * frac:.2f}% of seeds "
                  f"{start}..{start + count - 1}; first differing: {bad[:15]}")
        return 0

    outs = [compare(s) for s in range(start, start + count)]
    v = sum(o.verdict_agrees for o in outs)
    line = sum(o.line_agrees for o in outs)
    rejected = sum(not o.kernel_ok for o in outs)
    for o in outs:
        if not o.line_agrees:
            print(f"seed {o.seed} defect={o.defect} kernel={o.kernel_ok} ours={o.ours_ok}\n"
                  f"   kernel: {o.kernel_line}\n   ours:   {o.our_line}")
    print(f"seeds {start}..{start + count - 1}: {count} programs, kernel rejected {rejected}")
    print(f"verdict agreement {100 * v / count:.2f}%  first error line agreement "
          f"{100 * line / count:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
