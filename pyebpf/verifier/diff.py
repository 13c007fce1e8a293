"""Differential comparison of pyebpf's verifier with the live kernel's.

``python -m pyebpf.verifier.diff START COUNT`` prints verdict agreement and
first-error-line agreement over seeds ``START .. START+COUNT-1`` of
:mod:`pyebpf.verifier.gen`, and lists the disagreements.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from pyebpf.errors import VerifierError
from pyebpf.verifier import bpf_check, oracle
from pyebpf.verifier.gen import GenProgram, generate


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


def run_kernel(gp: GenProgram) -> oracle.KernelResult:
    fds: dict[int, int] = {}
    try:
        for idx, m in gp.maps.items():
            fds[idx] = oracle.create_map(m.map_type, m.key_size, m.value_size, m.max_entries,
                                         m.flags)
        return oracle.load_program(gp.insns, gp.prog_type, log_level=1, map_fds=fds)
    finally:
        for fd in fds.values():
            os.close(fd)


def compare(seed: int) -> Outcome:
    gp = generate(seed)
    k = run_kernel(gp)
    try:
        bpf_check(gp.insns, gp.prog_type, maps=gp.maps)
        ours, line = True, ""
    except VerifierError as exc:
        ours, line = False, exc.reason
    return Outcome(seed, gp.defect, k.ok, ours, "" if k.ok else oracle.error_line(k.log), line)


def main(argv: list[str]) -> int:
    start = int(argv[1]) if len(argv) > 1 else 0
    count = int(argv[2]) if len(argv) > 2 else 1000
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
