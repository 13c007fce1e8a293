"""Verifier throughput (processed instructions per second) and processed-count parity.

A counted loop whose states never prune: the kernel walks every iteration, and so
must pyebpf.  Default: a loop of ~20k processed insns; ``PYEBPF_LONG=1``: ~900k,
the size issue 4 names.  Prints insns/s and the kernel's processed count.
"""

from __future__ import annotations

import os
import re

import pytest

from pyebpf import kernel
from pyebpf.isa import Instruction
from pyebpf.verifier import bpf_check

LONG = os.environ.get("PYEBPF_LONG") == "1"


def counted_loop(iterations: int) -> list[Instruction]:
    """r0 = 0; loop: r0 += 1; r1 = r0; r1 &= 7; if r0 < N goto loop; exit."""
    return [Instruction(0xB7, 0, 0, 0, 0, 0), Instruction(0x07, 0, 0, 0, 1, 1),
            Instruction(0xBF, 2, 0, 0, 0, 2), Instruction(0x57, 2, 0, 0, 7, 3),
            Instruction(0xA5, 0, 0, -4, iterations, 4), Instruction(0x95, 0, 0, 0, 0, 5)]


def test_bench_loop_throughput(benchmark) -> None:
    n = 225_000 if LONG else 5_000
    prog = counted_loop(n)
    res = benchmark.pedantic(bpf_check, args=(prog, 1), rounds=1 if LONG else 3, iterations=1)
    dt = benchmark.stats.stats.min
    rate = res.processed / dt
    benchmark.extra_info["processed_insns_per_s"] = round(rate)
    print(f"\npyebpf processed {res.processed} insns in {dt:.2f}s: {rate:,.0f} insns/s")
    assert res.processed >= 4 * n
    ok, reason = kernel.kernel_available()
    if not ok:  # pragma: no cover
        pytest.skip(f"kernel comparison skipped: {reason}")
    k = kernel.KernelProgram(prog, 1, log_level=1 | 4, log_size=1 << 26)
    k.close()
    m = re.search(r"processed (\d+) insns", k.log)
    assert m, k.log[-300:]
    kp = int(m.group(1))
    print(f"kernel processed {kp} insns")
    assert kp / 2 <= res.processed <= kp * 2
