"""Run-time faults the kernel does not have: memory a program was given must stay readable.

``tests/data/runtime/loop_packet.bpf.c`` (clang-19, committed object) calls the callback
helpers (``bpf_loop``, nested, ``bpf_for_each_map_elem`` over an array and a hash map whose
values the callback writes) and then reads the context and the packet.  pyebpf used to lose
the run's own memory (context and packet) when a callback returned: re-attaching the maps
to the caller's VM replaced its regions, and the key copy for_each_map_elem hands to the
callback was not in the callback's memory.  Each program runs in pyebpf and in the live
kernel on the same packets and map contents: retval, data out and maps afterwards agree.
"""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path
from typing import Any

import pytest
from test_examples import run_packets

from pyebpf import VM, Executable, address_of, assemble
from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.runtime import Runtime

OBJ = Path(__file__).resolve().parent / "data" / "runtime" / "loop_packet.o"
PACKETS = [bytes(range(64)), bytes(range(200, 256)) + bytes(range(14)), b"\xff" * 14,
           b"\x01" * 13]


def _fill(coll: Any) -> None:
    for i in range(4):
        coll.maps["vals"].update(struct.pack("<I", i), struct.pack("<Q", 10 * i + 3))
    for k in (2, 5, 7):
        coll.maps["counts"].update(struct.pack("<I", k), struct.pack("<I", k * 3))


def _maps(coll: Any) -> dict[str, dict[bytes, bytes]]:
    out = {}
    for name in ("vals", "counts"):
        m = coll.maps[name]
        keys = m.keys() if hasattr(m, "get_next_key") else list(m)
        out[name] = {bytes(k): bytes(m.lookup(k)) for k in keys}
    return out


@pytest.mark.parametrize("name", sorted(load_elf(OBJ).programs))
def test_callback_then_packet_same_as_kernel(kernel, name):
    spec = load_elf(OBJ)
    with spec.load(Runtime()) as ours, load_into_kernel(spec, [name]) as theirs:
        _fill(ours)
        _fill(theirs)
        got = run_packets(ours.programs[name], PACKETS)
        want = run_packets(theirs.programs[name], PACKETS)
        assert got == want
        assert _maps(ours) == _maps(theirs)
    # the example: data[12] + 4 iterations + (7 + 4*(1+2+3+4)) * 256
    if name == "loop_then_packet":
        assert got[0][0] == 12 + 4 + 47 * 256


def test_static_regions_replaced_during_a_run_keep_the_run_buffers():
    """VM.set_static_regions from a helper (a callback attaching maps) keeps the buffers
    the run was given readable, before and after the static ones change size."""
    buf = bytearray(range(16))
    statics = [(ctypes.c_char * 8)(), (ctypes.c_char * 8)()]
    seen: list[bool] = []
    prog = Executable(assemble("""
        mov %r6, %r1
        call 6
        call 6
        call 6
        ldxb %r0, [%r6+5]
        exit
    """), cpu="v3")
    sizes = iter([2, 0, 1])
    vm = VM()

    def helper(vm: VM, *_: int) -> None:
        seen.append(vm.readable(address_of(buf), 16))
        vm.set_static_regions([(ctypes.addressof(s), 8, True)
                               for s in statics[:next(sizes)]])

    vm.set_helper(6, helper)
    vm.set_static_regions([(ctypes.addressof(statics[0]), 8, True)])
    assert vm.run(prog, address_of(buf), memory=[buf]) == 5
    assert seen == [True, True, True]
    assert vm.readable(ctypes.addressof(statics[0]), 8)
    assert not vm.readable(address_of(buf), 1)        # the run's buffers end with the run
