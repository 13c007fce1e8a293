"""Hostile use of the API: re-entrant runs, objects freed under a running program,
huge sizes, out-of-range numbers, unbounded input. Each must end in a clear error
with the kernel's errno (pyebpf.errors), never a crash, a traceback or a silent wrap."""

from __future__ import annotations

import errno
import gc

import pytest

from pyebpf import VM, Executable
from pyebpf.errors import ExecutionError
from pyebpf.isa import Instruction as I  # noqa: N817

EXIT = I(0x95)


def _prog(*insns: I) -> Executable:
    out, pc = [], 0
    for i in insns:
        out.append(I(i.code, i.dst, i.src, i.off, i.imm, pc))
        pc += i.slots
    return Executable(out)


def test_nested_run_of_the_same_vm_is_refused_and_the_outer_run_is_intact() -> None:
    vm = VM()
    inner = _prog(I(0xB7, 0, 0, 0, 5), EXIT)
    seen: list[BaseException] = []

    def helper(vm: VM, *_: int) -> int:
        try:
            vm.run(inner)
        except ExecutionError as exc:
            seen.append(exc)
        return 0

    vm.set_helper(7, helper)
    # r6..r9 hold values across the helper call; the result sums them
    outer = _prog(I(0xB7, 6, 0, 0, 1), I(0xB7, 7, 0, 0, 2), I(0xB7, 8, 0, 0, 3),
                  I(0xB7, 9, 0, 0, 4), I(0x85, 0, 0, 0, 7), I(0xBF, 0, 6), I(0x0F, 0, 7),
                  I(0x0F, 0, 8), I(0x0F, 0, 9), EXIT)
    assert vm.run(outer) == 10
    assert len(seen) == 1 and seen[0].errno == errno.EBUSY
    assert vm.run(inner) == 5                    # usable again once the outer run ended


def test_tail_call_then_nested_run_cannot_free_the_target() -> None:
    vm = VM()
    calls = []

    def helper(vm: VM, *_: int) -> int:
        target = _prog(I(0xB7, 0, 0, 0, 42), EXIT)
        assert vm.tail_call(target)
        del target
        with pytest.raises(ExecutionError):
            vm.run(_prog(I(0xB7, 0, 0, 0, 1), EXIT))
        gc.collect()
        calls.append(1)
        return 0

    vm.set_helper(12, helper)
    assert vm.run(_prog(I(0x85, 0, 0, 0, 12), I(0xB7, 0, 0, 0, 3), EXIT)) == 42
    assert calls == [1]


def test_tail_call_outside_a_run_is_refused() -> None:
    with pytest.raises(ExecutionError) as exc:
        VM().tail_call(_prog(EXIT))
    assert exc.value.errno == errno.EINVAL


def test_prog_array_slot_cleared_while_its_program_runs_in_another_thread() -> None:
    """The tail-called program keeps running after its slot is cleared and its fd closed
    (the kernel defers the free past an RCU grace period; pyebpf past the last run)."""
    import threading
    import time

    from test_syscall import Client, ld_map

    from pyebpf import uapi
    from pyebpf.asm import assemble
    from pyebpf.runtime import Runtime
    from pyebpf.syscall import bpf

    rt = Runtime(verifier=False)
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    arr = c.map_create(uapi.BpfMapType.BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1)
    # the target counts r0 down from 2^25 (a fraction of a second) and returns 7
    c.prog_load(assemble("mov %r0, 0\nexit"))       # id 1; the target is id 2
    target = c.prog_load(assemble("lddw %r0, 0x2000000\nsub %r0, 1\njne %r0, 0, -2\n"
                                  "mov %r0, 7\nexit"))
    entry = c.prog_load([ld_map(2, arr), *assemble("mov %r3, 0\ncall 12\nmov %r0, 3\nexit")])
    c.update(arr, (0).to_bytes(4, "little"), target.to_bytes(4, "little"))
    results: list[int] = []
    runner = threading.Thread(target=lambda: results.append(c.test_run(entry, bytes(20))[0]))
    runner.start()
    time.sleep(0.005)
    c.delete(arr, (0).to_bytes(4, "little"))
    rt.close(target)
    gc.collect()
    alive = any(type(o).__name__ == "BpfProg" and o.id == 2 for o in gc.get_objects())
    running = runner.is_alive()
    runner.join()
    assert alive or not running, "the target was released while it was running"
    assert results == [7]
    gc.collect()
    assert not any(type(o).__name__ == "BpfProg" and o.id == 2 for o in gc.get_objects()), \
        "the target is released once the run has ended"
    c.close()
