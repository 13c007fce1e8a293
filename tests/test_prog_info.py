"""OBJ_GET_INFO_BY_FD on programs against the kernel: ``tag`` and ``verified_insns``.

``tag`` is bpf_prog_calc_tag: the hash of the code as loaded, with the immediates of
BPF_PSEUDO_MAP_FD/MAP_VALUE references zeroed (map fds differ from load to load) but
MAP_IDX references kept.  ``verified_insns`` is the count the log's ``processed N insns``
line prints (not the program's length).
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pytest

from pyebpf import uapi
from pyebpf.isa import Instruction as I  # noqa: N817 - short, for the tables
from pyebpf.objects import Map, Program
from pyebpf.runtime import Runtime

PT = uapi.BpfProgType
MT = uapi.BpfMapType


def _programs(mfd: int) -> dict[str, list[I]]:
    lookup = [I(0xB7, 1, 0, 0, 0), I(0x63, 10, 1, -4, 0), I(0xBF, 2, 10, 0, 0),
              I(0x07, 2, 0, 0, -4), I(0x18, 1, 1, 0, mfd), I(0x85, 0, 0, 0, 1)]
    return {
        "plain": [I(0xB7, 0, 0, 0, 7), I(0x95)],
        "map-fd": [I(0x18, 1, 1, 0, mfd), I(0xB7, 0, 0, 0, 0), I(0x95)],
        "map-value": [I(0x18, 1, 2, 0, mfd | (4 << 32)), I(0x61, 0, 1, 0, 0), I(0x95)],
        "map-idx": [I(0x18, 1, 5, 0, 0), I(0xB7, 0, 0, 0, 0), I(0x95)],
        "map-idx-value": [I(0x18, 1, 6, 0, 4 << 32), I(0x61, 0, 1, 0, 0), I(0x95)],
        # two paths, one pruned: the processed count is not the length
        "lookup-branches": [*lookup, I(0xB7, 6, 0, 0, 1), I(0x15, 0, 0, 1, 0),
                            I(0xB7, 6, 0, 0, 2), I(0xBF, 0, 6, 0, 0), I(0x07, 0, 0, 0, 1),
                            I(0x95)],
        "narrow-ctx": [I(0x71, 0, 1, 5, 0), I(0x95)],
        "subprog": [I(0x85, 0, 1, 0, 1), I(0x95), I(0xB7, 0, 0, 0, 3), I(0x95)],
    }


def _kernel_info(kernel, fd: int) -> uapi.BpfProgInfo:
    info = uapi.BpfProgInfo()
    attr = uapi.BpfAttr()
    attr.info.bpf_fd, attr.info.info_len = fd, ctypes.sizeof(info)
    attr.info.info = ctypes.addressof(info)
    kernel.sys_bpf(uapi.BpfCmd.BPF_OBJ_GET_INFO_BY_FD, attr)
    return info


def _processed(log: str) -> int:
    m = re.search(r"^processed (\d+) insns", log, re.M)
    assert m, log
    return int(m.group(1))


@pytest.mark.parametrize("name", sorted(_programs(0)))
def test_tag_and_verified_insns_as_kernel(kernel, name):
    rt = Runtime()
    km = kernel.KernelMap(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 1)
    pm = Map(MT.BPF_MAP_TYPE_ARRAY, key_size=4, value_size=8, max_entries=1, runtime=rt)
    try:
        kp = kernel.KernelProgram(_programs(km.fd)[name], PT.BPF_PROG_TYPE_SCHED_CLS,
                                  fd_array=[km.fd], log_level=1)
        try:
            ki = _kernel_info(kernel, kp.fd)
            k_processed = _processed(kp.log)
        finally:
            kp.close()
        pp = Program(_programs(pm.fd)[name], PT.BPF_PROG_TYPE_SCHED_CLS, fd_array=[pm],
                     runtime=rt, log_level=1)
        pi = pp.info()
        assert bytes(pi.tag) == bytes(ki.tag)
        assert pi.verified_insns == ki.verified_insns == k_processed
        assert pi.verified_insns == _processed(pp.log)
        pp.close()
    finally:
        km.close()
        pm.close()


def test_verified_insns_is_not_the_length():
    prog = _programs(0)["lookup-branches"]
    rt = Runtime()
    pm = Map(MT.BPF_MAP_TYPE_ARRAY, key_size=4, value_size=8, max_entries=1, runtime=rt)
    pp = Program(_programs(pm.fd)["lookup-branches"], PT.BPF_PROG_TYPE_SCHED_CLS,
                 runtime=rt, log_level=1)
    n = sum(i.slots for i in prog)
    assert pp.info().verified_insns == _processed(pp.log) != n   # pruning: 12 of 13
    pp.close()
    pm.close()


ROOT = Path(__file__).resolve().parent.parent
OBJECTS = [*(f"examples/{n}.o" for n in ("xdp_firewall", "tc_rewrite", "socket_filter",
                                          "packet_counter", "ringbuf_events", "tail_calls")),
           "tests/data/elf/full.v1.o", "tests/data/elf/full.v4.o", "tests/data/elf/legacy.o",
           "tests/data/runtime/loop_packet.o", "tests/data/liveness/liveness.o"]


@pytest.mark.parametrize("obj", [o for o in OBJECTS if (ROOT / o).exists()])
def test_tags_of_clang_objects_as_kernel(kernel, obj):
    """Objects loaded as libbpf loads them (MAP_IDX references into fd_array, global data,
    callbacks): every program's tag is the kernel's."""
    from pyebpf.elf import load_elf, load_into_kernel

    spec = load_elf(ROOT / obj)
    with load_into_kernel(spec) as theirs, spec.load(Runtime()) as ours:
        assert theirs.programs.keys() == ours.programs.keys()
        for name, kp in theirs.programs.items():
            assert bytes(ours.programs[name].info().tag) == \
                bytes(_kernel_info(kernel, kp.fd).tag), name
