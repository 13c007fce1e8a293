"""Benchmark reporting: a summary table of ns per instruction, pyebpf next to the kernel.

pytest-benchmark's own table shows seconds per round; what issue 2 asks for is ns per executed
instruction (and per call for ``empty``) against the targets, so each benchmark records a row
through the ``bench_report`` fixture and the table is printed at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

_ROWS: list[tuple[str, int, float, float | None, float, str]] = []


@pytest.fixture
def bench_report() -> Callable[..., None]:
    """``record(name, executed_insns, pyebpf_value, kernel_value_or_None, target=, unit=)``."""

    def record(name: str, executed: int, value: float, kernel_value: float | None, *,
               target: float, unit: str) -> None:
        _ROWS.append((name, executed, value, kernel_value, target, unit))

    return record


def pytest_terminal_summary(terminalreporter) -> None:
    if not _ROWS:
        return
    tr = terminalreporter
    tr.section("pyebpf interpreter vs kernel (PROG_TEST_RUN, JIT)")
    tr.write_line(f"{'benchmark':<18}{'executed':>12}{'pyebpf':>12}{'kernel':>12}"
                  f"{'target':>10}  unit     verdict")
    for name, executed, value, kernel_value, target, unit in _ROWS:
        kv = f"{kernel_value:12.3f}" if kernel_value is not None else f"{'n/a':>12}"
        verdict = "meets target" if value <= target else f"misses by {value / target:.2f}x"
        tr.write_line(f"{name:<18}{executed:>12}{value:12.3f}{kv}{target:10.1f}  {unit:<8} "
                      f"{verdict}")
