"""JIT speed (issue 11): the sum, fib and csum loops on the interpreter, the JIT and the kernel's
JIT in the same run, and the JIT's compile time.

Run: ``pytest bench/test_bench_jit.py --benchmark-only -s``.  Targets: the JIT within 1.2x of the
kernel's JIT per loop iteration; compiling <= 50 us per 1000 instructions.

Times are CPU time of the running thread (``time.thread_time``), best of several runs: the
machine is shared, and wall time would count the time spent waiting for a core (the kernel's
PROG_TEST_RUN duration is measured while its loop runs, without such waits at these lengths).
Every run checks the program's result.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_bench_interp import (
    CSUM_LEN,
    KERNEL_N,
    csum_kernel,
    csum_loop,
    fib,
    fib_loop,
    kernel_ns_per_insn,
    sum_loop,
)

import pyebpf
from pyebpf import _jit, kernel, uapi
from pyebpf.isa import encode

pytestmark = pytest.mark.skipif(not _jit.SUPPORTED, reason="the JIT emits x86-64 code only")

TARGET_RATIO = 1.2
TARGET_COMPILE_US = 50.0   # per 1000 instructions


def _cpu_ns(run, expect: int, rounds: int = 5) -> float:
    best = None
    for _ in range(rounds):
        t = time.thread_time_ns()
        r = run()
        t = time.thread_time_ns() - t
        assert r == expect
        best = t if best is None else min(best, t)
    return float(best)


def _three_ways(benchmark, bench_report, name: str, code, executed: int, expect: int,
                kernel_ns: float | None, per_iter: int, args=(), memory=()) -> None:
    vm = pyebpf.VM(budget=10**11)
    interp = pyebpf.Executable(encode(code), jit=False)
    jited = pyebpf.Executable(encode(code), jit=True)
    assert jited.jited, jited.jit_error
    result = benchmark.pedantic(lambda: vm.run(jited, *args, memory=memory), rounds=3,
                                iterations=1, warmup_rounds=1)
    assert result == expect
    jit_ns = _cpu_ns(lambda: vm.run(jited, *args, memory=memory), expect) / executed
    interp_ns = _cpu_ns(lambda: vm.run(interp, *args, memory=memory), expect, 2) / executed
    ratio = jit_ns / kernel_ns if kernel_ns else None
    benchmark.extra_info.update(jit_ns_per_insn=round(jit_ns, 4),
                                interp_ns_per_insn=round(interp_ns, 3),
                                kernel_ns_per_insn=kernel_ns and round(kernel_ns, 4),
                                jit_ns_per_iteration=round(jit_ns * per_iter, 3),
                                kernel_ns_per_iteration=kernel_ns and round(kernel_ns * per_iter,
                                                                            3),
                                jit_over_kernel=ratio and round(ratio, 2))
    print(f"\n{name}: interpreter {interp_ns:.3f} ns/insn, JIT {jit_ns:.4f} ns/insn, kernel "
          f"{kernel_ns and round(kernel_ns, 4)} ns/insn; per iteration JIT "
          f"{jit_ns * per_iter:.3f} ns vs kernel {kernel_ns and round(kernel_ns * per_iter, 3)}"
          f" ns ({ratio and round(ratio, 2)}x)")
    bench_report(f"{name} (JIT)", executed, jit_ns, kernel_ns,
                 target=(kernel_ns or jit_ns) * TARGET_RATIO, unit="ns/insn")
    bench_report(f"{name} (interp)", executed, interp_ns, kernel_ns, target=3.0, unit="ns/insn")


def test_jit_sum(benchmark, bench_report) -> None:
    n = 20_000_000
    code, executed = sum_loop(n)
    kcode, kexec = sum_loop(KERNEL_N)
    kns = kernel_ns_per_insn(kcode, kexec, 50, sum(range(KERNEL_N)))
    _three_ways(benchmark, bench_report, "sum", code, executed, sum(range(n)), kns, 3)


def test_jit_fib(benchmark, bench_report) -> None:
    n = 10_000_000
    code, executed = fib_loop(n)
    kcode, kexec = fib_loop(KERNEL_N)
    kns = kernel_ns_per_insn(kcode, kexec, 50, fib(KERNEL_N))
    _three_ways(benchmark, bench_report, "fib", code, executed, fib(n), kns, 6)


def test_jit_csum(benchmark, bench_report) -> None:
    buf = bytes((i * 7 + 3) & 0xFF for i in range(CSUM_LEN))
    passes = 20_000
    code, executed = csum_loop(passes)
    kns = None
    if kernel.kernel_available()[0]:
        with kernel.KernelMap(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, 4, CSUM_LEN, 1) as m:
            m.update(b"\0" * 4, buf)
            kcode, kexec = csum_kernel(m.fd)
            kns = kernel_ns_per_insn(kcode, kexec, 5000, sum(buf))
    _three_ways(benchmark, bench_report, "csum", code, executed, sum(buf) * passes, kns, 5,
                args=(pyebpf.address_of(buf),), memory=(buf,))


def _corpus() -> list[tuple[str, list]]:
    """Programs nobody wrote for the JIT: the examples' objects and the generator's."""
    from pyebpf.elf import load_elf
    from pyebpf.verifier import gen

    out = []
    examples = Path(__file__).resolve().parent.parent / "examples"
    for obj in sorted(examples.glob("*.o")):
        for p in load_elf(obj.read_bytes()).programs.values():
            out.append((f"{obj.name}:{p.name}", p.instructions))
    for seed in range(gen.EXTENDED_FROM, gen.EXTENDED_FROM + 50):
        out.append((f"gen:{seed}", gen.generate(seed).insns))
    return out


def test_jit_compile_time(benchmark, bench_report) -> None:
    total_ns = total_insns = 0
    worst = 0.0
    for _name, insns in _corpus():
        try:
            exe = pyebpf.Executable(insns, jit=False)
        except pyebpf.errors.LoadError:
            continue
        ns = _jit.compile_time_ns(exe, repeat=5)
        total_ns += ns
        total_insns += len(exe)
        worst = max(worst, ns / len(exe) * 1000 / 1000)
    # one long program too: 100k instructions of the ALU/memory/branch mix of the corpus
    _, fib_code = "fib", fib_loop(10)[0]
    big = pyebpf.Executable(encode(fib_code[:-2] * 10000 + fib_code[-2:]), jit=False)
    big_ns = _jit.compile_time_ns(big, repeat=3)
    per_k = total_ns / total_insns * 1000 / 1000     # us per 1000 instructions
    big_per_k = big_ns / len(big) * 1000 / 1000
    benchmark.pedantic(lambda: _jit.compile_time_ns(big), rounds=3, iterations=1)
    benchmark.extra_info.update(corpus_us_per_1000_insns=round(per_k, 2),
                                corpus_insns=total_insns, worst_us_per_1000_insns=round(worst, 2),
                                big_us_per_1000_insns=round(big_per_k, 2))
    print(f"\ncompile: corpus {total_insns} insns, {per_k:.2f} us per 1000 insns "
          f"(worst program {worst:.2f}); 100k-insn program {big_per_k:.2f} us per 1000 insns")
    bench_report("JIT compile", total_insns, per_k, None, target=TARGET_COMPILE_US,
                 unit="us/1k insns")
    assert big_per_k <= TARGET_COMPILE_US * 2
