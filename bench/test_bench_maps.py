"""Hash map lookups from a program: ns per bpf_map_lookup_elem, pyebpf next to the kernel.

Run: ``pytest bench/test_bench_maps.py --benchmark-only``.  The program loops N
times over ``v = bpf_map_lookup_elem(&hash, &key); if (v) sum += *v`` (10
instructions around the call).  The same loop with the call replaced by
``r0 = 0`` is timed too, and the difference divided by N is the cost of one
lookup (helper dispatch, key check, hashing, chain walk).  The kernel runs the
same instructions through BPF_PROG_TEST_RUN (JIT); its verifier walks every
iteration, so its loop is shorter and repeated.  Target (issue 3): < 100 ns.
"""

from __future__ import annotations

import struct
import time

import pytest
from pyebpf._core import VM, Executable
from pyebpf._maps import CMap, RunContext, c_helpers

from pyebpf import isa, kernel, uapi
from pyebpf.asm import assemble

N = 1_000_000
KERNEL_N = 5_000
KEY = 5
VALUE = 3


def lookup_loop(map_ptr: int, n: int, call: bool, src: int = 0) -> list[isa.Instruction]:
    """sum of *lookup(map, KEY) over n iterations; ``call=False``: the loop alone."""
    head = assemble(f"mov %r6, 0\nmov %r7, 0\nstw [%r10-4], {KEY}")
    body = [isa.Instruction(0x18, 1, src, 0, map_ptr), *assemble(
        "mov %r2, %r10\nadd %r2, -4\n" + ("call 1" if call else "mov %r0, 0")
        + "\njeq %r0, 0, +2\nldxw %r3, [%r0]\nadd %r7, %r3\nadd %r6, 1")]
    back = -(sum(i.slots for i in body) + 1)
    tail = assemble(f"jlt %r6, {n}, {back:+d}\nmov %r0, %r7\nexit")
    return [*head, *body, *tail]


def _pyebpf_vm(m: CMap) -> VM:
    vm = VM(budget=10**10)
    for hid, cap in c_helpers().items():
        vm.set_helper(hid, cap)
    ctx = RunContext()
    ctx.set_maps([m])
    ctx.attach(vm)
    return vm


def _kernel_ns(call: bool) -> float | None:
    ok, _ = kernel.kernel_available()
    if not ok:
        return None
    with kernel.KernelMap(uapi.BpfMapType.BPF_MAP_TYPE_HASH, 4, 4, 1024) as m:
        m.update(struct.pack("<I", KEY), struct.pack("<I", VALUE))
        code = isa.encode(lookup_loop(m.fd, KERNEL_N, call, isa.BPF_PSEUDO_MAP_FD))
        with kernel.KernelProgram(code, uapi.BpfProgType.BPF_PROG_TYPE_XDP) as p:
            best = None
            for _ in range(5):
                res = p.test_run(bytes(64), repeat=200)
                assert res.retval == (VALUE * KERNEL_N if call else 0)
                best = res.duration_ns if best is None else min(best, res.duration_ns)
    return best / KERNEL_N


@pytest.fixture(scope="module")
def hash_map() -> CMap:
    m = CMap(uapi.BpfMapType.BPF_MAP_TYPE_HASH, 4, 4, 1024)
    for k in range(1000):                      # a realistically filled table
        m.update(struct.pack("<I", k), struct.pack("<I", VALUE))
    return m


def _time(vm: VM, prog: Executable, rounds: int = 5) -> float:
    best = None
    for _ in range(rounds):
        t = time.perf_counter_ns()
        vm.run(prog)
        t = time.perf_counter_ns() - t
        best = t if best is None else min(best, t)
    return best


def test_hash_lookup_from_program(benchmark, bench_report, hash_map) -> None:
    vm = _pyebpf_vm(hash_map)
    with_call = Executable(isa.encode(lookup_loop(hash_map.address, N, True)))
    loop_only = Executable(isa.encode(lookup_loop(hash_map.address, N, False)))
    result = benchmark.pedantic(vm.run, (with_call,), rounds=5, iterations=1, warmup_rounds=1)
    assert result == VALUE * N
    gross = benchmark.stats.stats.min * 1e9
    base = _time(vm, loop_only)
    ns = (gross - base) / N
    kns = None
    k_with, k_base = _kernel_ns(True), _kernel_ns(False)
    if k_with is not None and k_base is not None:
        kns = k_with - k_base
    benchmark.extra_info.update(ns_per_lookup=round(ns, 1), ns_per_iteration=round(gross / N, 1),
                                kernel_ns_per_lookup=kns and round(kns, 1))
    bench_report("hash lookup", N, ns, kns, target=100.0, unit="ns/lookup")
    assert ns < 100.0


def test_lookup_loop_computes_the_sum(hash_map) -> None:
    """The benchmarked program is right (a cheap check outside --benchmark-only)."""
    vm = _pyebpf_vm(hash_map)
    assert vm.run(Executable(isa.encode(lookup_loop(hash_map.address, 1000, True)))) == VALUE * 1000
    assert vm.run(Executable(isa.encode(lookup_loop(hash_map.address, 1000, False)))) == 0
