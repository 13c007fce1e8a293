"""Differential comparison of pyebpf's verifier with the live kernel's.

``python -m pyebpf.verifier.diff START COUNT`` prints verdict agreement and
first-error-line agreement over seeds ``START .. START+COUNT-1`` of
:mod:`pyebpf.verifier.gen`, and lists the disagreements.
``python -m pyebpf.verifier.diff --log START COUNT`` prints the share of those programs
whose whole verifier log (level 1, then level 2) is identical to the kernel's.
``--run`` also runs the programs both sides accept (BPF_PROG_TEST_RUN, in the kernel and
through pyebpf's ``bpf()``) and compares their return values; ``--all`` prints every
measure (verdict, first error line, whole level-1 log, runs).
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
    ok, log, _ = _kernel(gp, log_level)
    return ok, log


def _kernel(gp: GenProgram, log_level: int = 1,
            data: bytes | None = None) -> tuple[bool, str, int | str | None]:
    """run_kernel, and with ``data`` the retval of one BPF_PROG_TEST_RUN on it (or the
    error test_run gave)."""
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
            return False, getattr(exc, "log", ""), None
        ret: int | str | None = None
        try:
            if data is not None:
                ret = prog.test_run(data).retval
        except BPFError as exc:
            ret = f"errno {exc.errno}"
        finally:
            prog.close()
        return True, prog.log, ret
    finally:
        for km in maps.values():
            km.close()


def packet(seed: int) -> bytes:
    """The test_run input of program ``seed``: 64 bytes, an IPv4 ethertype."""
    import random

    data = bytearray(random.Random(seed).randbytes(64))
    data[12:14] = b"\x08\x00"
    return bytes(data)


@dataclass
class RunOutcome:
    """A jointly accepted program run through BPF_PROG_TEST_RUN on both sides."""

    seed: int
    kernel: int | str  # the retval, or the error test_run gave
    ours: int | str

    @property
    def agrees(self) -> bool:
        return self.kernel == self.ours


def _our_run(gp: GenProgram, data: bytes) -> int | str | None:
    """The same through pyebpf's bpf(): its runtime, verifier and interpreter."""
    from pyebpf.objects import Map, Program, btf_load

    maps: dict[int, Map] = {}
    prog = None
    btf_fd = -1
    try:
        for idx, m in gp.maps.items():
            maps[idx] = Map(m.map_type, m.key_size, m.value_size, m.max_entries, flags=m.flags)
        insns = with_map_fds(gp.insns, {i: mp.fd for i, mp in maps.items()})
        if gp.btf is not None:
            btf_fd = btf_load(gp.btf)
        try:
            prog = Program(insns, gp.prog_type, expected_attach_type=gp.expected_attach_type,
                           btf_fd=max(btf_fd, 0), func_info=gp.func_info or ())
        except BPFError:
            return None
        try:
            return prog.test_run(data=data).retval
        except BPFError as exc:
            return f"errno {exc.errno}"
    finally:
        if prog is not None:
            prog.close()
        for mp in maps.values():
            mp.close()
        if btf_fd >= 0:
            from pyebpf.runtime import default_runtime

            default_runtime().close(btf_fd)


def run_compare(seed: int) -> RunOutcome | None:
    """Program ``seed`` run on both sides when both accept it (None otherwise).

    A program of the ``uninit_r0`` defect that is accepted returns what R0 last held, a
    map value pointer: an address, which no two runtimes share, so it is not run."""
    gp = generate(seed)
    if gp.defect == "uninit_r0":
        return None
    data = packet(seed)
    ok, _, k = _kernel(gp, 0, data)
    if not ok:
        return None
    o = _our_run(gp, data)
    if o is None:
        return None
    return RunOutcome(seed, k, o)


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
    except VerifierError:
        # the line as the log shows it (a message without a newline runs into the
        # summary line there, as in the kernel's)
        ours, line = False, error_line(our_log(gp, 1))
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


_MAP_ADDR = re.compile(r"^((?:\s*|mark_precise: frame\d+: regs=\S* stack=\S* before )\d+: "
                       r"(?:[.0-9]{10} )?\(18\) r\d+ = )0x[0-9a-f]+ *", re.M)


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
    p.add_argument("--run", action="store_true",
                   help="also run the programs both sides accept (BPF_PROG_TEST_RUN on a "
                        "64-byte packet) and compare their return values")
    p.add_argument("--all", action="store_true",
                   help="every measure: verdict, first error line, whole level-1 log, and "
                        "the runs of jointly accepted programs")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv[1:])
    start, count = args.start, args.count
    if count <= 0:
        print("COUNT must be positive", file=sys.stderr)
        return 2
    seeds = range(start, start + count)
    if args.all:
        frac, bad = log_agreement(seeds, 1)
        print(f"level 1: whole log identical for {100 * frac:.2f}% of seeds "
              f"{start}..{start + count - 1}; first differing: {bad[:15]}")
        args.run = True
    if args.log:
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
    if args.run:
        runs = [x for x in (run_compare(s) for s in seeds) if x is not None]
        same = sum(x.agrees for x in runs)
        for x in runs:
            if not x.agrees:
                print(f"seed {x.seed}: kernel retval {x.kernel}, ours {x.ours}")
        pct = 100 * same / len(runs) if runs else 100.0
        print(f"runs: {len(runs)} jointly accepted programs, identical retval {pct:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
