"""Verifier bugs real-world objects exposed (issue 14), each against the live kernel.

- shifts by a constant keep interval bounds as the kernel's scalar(32)_min_max_{lsh,rsh,arsh}
  do (``r1 <<= 3`` with r1 in [0, 64] is [0, 512], not the tnum's 1016);
- a lookup in an ARRAY_OF_MAPS/HASH_OF_MAPS yields, once NULL-checked, a pointer to the inner
  map (``map_ptr``), which the next lookup takes as its map argument.
"""

from __future__ import annotations

import difflib
import itertools

import pytest
from _programs import prog

from pyebpf import asm, uapi
from pyebpf.errors import BPFError
from pyebpf.objects import Map, Program
from pyebpf.runtime import Runtime
from pyebpf.verifier import diff
from pyebpf.verifier.gen import GenProgram

MT, PT = uapi.BpfMapType, uapi.BpfProgType
EXIT = (0x95, 0, 0, 0, 0)
SHIFTS = {"lsh": (0x67, 0x64), "rsh": (0x77, 0x74), "arsh": (0xC7, 0xC4)}
RANGES = ((0, 64), (1, 7), (-3, 5), (-100, -2), (0, 0xFFFF), (3, 0x7FFFFFFF))
AMOUNTS = (0, 1, 3, 7, 31, 32, 33, 63)


def _shift_programs() -> list[tuple[str, list]]:
    """skb->len bounded to [lo, hi] by a branch and an add, then shifted by a constant."""
    out = []
    for (op, codes), (lo, hi), s in itertools.product(SHIFTS.items(), RANGES, AMOUNTS):
        for code, bits in zip(codes, (64, 32), strict=True):
            if s >= bits:
                continue
            body = [(0x61, 0, 1, 0, 0), (0x25, 0, 0, 4, hi - lo), (0x07, 0, 0, 0, lo),
                    (code, 0, 0, 0, s), (0xBF, 3, 0, 0, 0), (0x05, 0, 0, 0, 0),
                    (0xB7, 0, 0, 0, 0), EXIT]
            out.append((f"{op}{bits} [{lo},{hi}] by {s}", prog(*body)))
    return out


def test_shift_bounds_match_kernel_level2(kernel: None) -> None:
    """Every (operation, width, input range, amount): the whole level-2 log is the kernel's."""
    bad = []
    progs = _shift_programs()
    for name, insns in progs:
        gp = GenProgram(0, PT.BPF_PROG_TYPE_SOCKET_FILTER, insns, None, {})
        k = diff.normalized(diff.run_kernel(gp, 2)[1]).splitlines()
        ours = diff.normalized(diff.our_log(gp, 2)).splitlines()
        if k != ours:
            bad.append((name, list(difflib.unified_diff(k, ours, lineterm="", n=0))[2:6]))
    print(f"shift bounds: {len(progs) - len(bad)}/{len(progs)} level-2 logs identical")
    assert not bad, bad[:5]


def test_lsh_by_3_of_0_64_is_512() -> None:
    from pyebpf.verifier import scalar as sc

    r = sc.unknown_scalar()
    r.umin, r.umax, r.smin, r.smax = 0, 64, 0, 64
    sc.sync(r)
    sc.alu_scalar("lsh", r, sc.const_scalar(3), True)
    assert (r.umin, r.umax, r.smax) == (0, 512, 512)


# outer lookup, NULL check, inner lookup with the result as the map, NULL check, read
MAP_IN_MAP = """
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    ld_pseudo r1, 1, {outer}
    call 1
    if r0 == 0 goto +9
    r1 = r0
    r2 = r10
    r2 += -4
    call 1
    if r0 == 0 goto +2
    r0 = *(u64 *)(r0 + 0)
    exit
    r0 = 0
    exit
    r0 = 1
    exit
"""


def _kernel_log(kernel, outer_type: int, text: str) -> tuple[bool, str]:
    inner = kernel.KernelMap(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 4)
    outer = kernel.KernelMap(outer_type, 4, 4, 2, inner_map_fd=inner.fd)
    try:
        insns = asm.assemble(text.format(outer=outer.fd), "llvm")
        try:
            p = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER, log_level=2)
        except BPFError as exc:
            return False, getattr(exc, "log", "")
        p.close()
        return True, p.log
    finally:
        outer.close()
        inner.close()


def _our_log(outer_type: int, text: str) -> tuple[bool, str, Runtime, Map, Map]:
    rt = Runtime()
    inner = Map(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 4, runtime=rt)
    outer = Map(outer_type, 4, 4, 2, inner_map=inner, runtime=rt)
    insns = asm.assemble(text.format(outer=outer.fd), "llvm")
    try:
        p = Program(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER, log_level=2, runtime=rt)
    except BPFError as exc:
        return False, getattr(exc, "log", ""), rt, inner, outer
    return True, p.log, rt, inner, outer


@pytest.mark.parametrize("outer_type", [MT.BPF_MAP_TYPE_ARRAY_OF_MAPS,
                                        MT.BPF_MAP_TYPE_HASH_OF_MAPS],
                         ids=["array_of_maps", "hash_of_maps"])
def test_map_in_map_lookup_is_a_map_pointer(kernel, outer_type: int) -> None:
    k_ok, k_log = _kernel_log(kernel, outer_type, MAP_IN_MAP)
    ok, log, *_ = _our_log(outer_type, MAP_IN_MAP)
    assert k_ok and ok
    assert diff.normalized(log).splitlines() == diff.normalized(k_log).splitlines()
    assert "R0=map_ptr(ks=4,vs=8)" in log


@pytest.mark.parametrize("change", [("    if r0 == 0 goto +9\n", "    if r10 == 0 goto +9\n"),
                                    ("    r1 = r0\n", "    r0 += 8\n")],
                         ids=["not-null-checked", "pointer-arithmetic"])
def test_map_in_map_result_misused(kernel, change: tuple[str, str]) -> None:
    """The inner map pointer used before its NULL check, or moved: the kernel's words."""
    text = MAP_IN_MAP.replace(*change)
    k_ok, k_log = _kernel_log(kernel, MT.BPF_MAP_TYPE_ARRAY_OF_MAPS, text)
    ok, log, *_ = _our_log(MT.BPF_MAP_TYPE_ARRAY_OF_MAPS, text)
    assert not k_ok and not ok
    assert diff.error_line(log) == diff.error_line(k_log)


def test_map_in_map_runs() -> None:
    """The inner map's value is what the program reads through the outer map."""
    ok, _, rt, inner, outer = _our_log(MT.BPF_MAP_TYPE_ARRAY_OF_MAPS, MAP_IN_MAP)
    assert ok
    inner[(0).to_bytes(4, "little")] = (1234).to_bytes(8, "little")
    outer[(0).to_bytes(4, "little")] = inner.fd.to_bytes(4, "little")
    insns = asm.assemble(MAP_IN_MAP.format(outer=outer.fd), "llvm")
    p = Program(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER, runtime=rt)
    assert p.test_run(data=bytes(64)).retval == 1234
