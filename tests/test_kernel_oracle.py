"""pyebpf.kernel: the live-kernel wrapper the differential tests rely on.

The kernel is the reference here, so these tests check the wrapper passes its answers through
faithfully (values, errnos, verifier logs) and never leaks a file descriptor.
"""

from __future__ import annotations

import errno
import os
import struct

import pytest

from pyebpf import VerifierError, uapi
from pyebpf.errors import BPFError

MOV_R0_42_EXIT = bytes.fromhex("b70000002a000000" "9500000000000000")
T = uapi.BpfMapType


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError as exc:
        return exc.errno == errno.EBADF
    return False


def test_load_and_run_returns_retval_and_data(kernel) -> None:
    # tc sees (and gives back) the whole frame; socket filters would get the MAC header zeroed
    # in data_out on this kernel, which is the kernel's business, not the wrapper's.
    frame = bytes(range(1, 65))
    with kernel.KernelProgram(MOV_R0_42_EXIT, uapi.BpfProgType.BPF_PROG_TYPE_SCHED_CLS,
                              log_level=1) as prog:
        assert "processed 2 insns" in prog.log
        res = prog.test_run(frame, repeat=3)
        assert res.retval == 42 and res.data_out == frame and res.duration_ns >= 0
        fd = prog.fd
    assert _closed(fd)


def test_xdp_test_run_min_size_is_the_kernels(kernel) -> None:
    with kernel.KernelProgram(MOV_R0_42_EXIT, uapi.BpfProgType.BPF_PROG_TYPE_XDP) as prog:
        assert prog.test_run(b"\0" * 14).retval == 42
        with pytest.raises(BPFError) as info:
            prog.test_run(b"\0" * 13)
        assert info.value.errno == errno.EINVAL


def test_data_out_too_small_is_enospc(kernel) -> None:
    with kernel.KernelProgram(MOV_R0_42_EXIT) as prog, pytest.raises(BPFError) as info:
        prog.test_run(b"\0" * 64, data_size_out=10)
    assert info.value.errno == errno.ENOSPC


def test_refused_program_carries_errno_and_log(kernel) -> None:
    exit_only = bytes.fromhex("9500000000000000")  # r0 never written
    with pytest.raises(VerifierError) as info:
        kernel.KernelProgram(exit_only)
    assert info.value.errno == errno.EACCES
    assert "R0 !read_ok" in info.value.log and "R0 !read_ok" in info.value.reason


@pytest.mark.parametrize(("map_type", "key", "value"), [
    (T.BPF_MAP_TYPE_HASH, b"abcd", b"12345678"),
    (T.BPF_MAP_TYPE_ARRAY, b"\0\0\0\0", b"12345678"),
    (T.BPF_MAP_TYPE_LRU_HASH, b"wxyz", b"87654321"),
], ids=["hash", "array", "lru_hash"])
def test_map_round_trip(kernel, map_type: int, key: bytes, value: bytes) -> None:
    with kernel.KernelMap(map_type, 4, 8, 4) as m:
        m.update(key, value)
        assert m.lookup(key) == value
        assert m.get_next_key(None) == key
        fd = m.fd
    assert _closed(fd)


def test_hash_semantics(kernel) -> None:
    with kernel.KernelMap(T.BPF_MAP_TYPE_HASH, 4, 8, 2) as m:
        assert m.lookup(b"none") is None
        m.update(b"aaaa", b"1" * 8, uapi.BPF_NOEXIST)
        with pytest.raises(BPFError) as info:
            m.update(b"aaaa", b"2" * 8, uapi.BPF_NOEXIST)
        assert info.value.errno == errno.EEXIST
        m.update(b"bbbb", b"2" * 8)
        with pytest.raises(BPFError) as info:
            m.update(b"cccc", b"3" * 8)
        assert info.value.errno == errno.E2BIG
        assert sorted(m.keys()) == [b"aaaa", b"bbbb"]
        m.delete(b"aaaa")
        with pytest.raises(BPFError) as info:
            m.delete(b"aaaa")
        assert info.value.errno == errno.ENOENT


def test_percpu_values_come_back_per_possible_cpu(kernel) -> None:
    with kernel.KernelMap(T.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 1) as m:
        assert m.user_value_size == 8 * kernel.possible_cpus()
        assert m.lookup(b"\0" * 4) == bytes(m.user_value_size)


def test_queue_push_peek_pop(kernel) -> None:
    with kernel.KernelMap(T.BPF_MAP_TYPE_QUEUE, 0, 4, 4) as m:
        m.update(None, struct.pack("<I", 1))
        m.update(None, struct.pack("<I", 2))
        assert m.lookup(None) == struct.pack("<I", 1)
        assert m.lookup_and_delete(None) == struct.pack("<I", 1)
        assert m.lookup_and_delete(None) == struct.pack("<I", 2)
        assert m.lookup_and_delete(None) is None


def test_closed_objects_refuse_use(kernel) -> None:
    m = kernel.KernelMap(T.BPF_MAP_TYPE_ARRAY, 4, 8, 1)
    m.close()
    m.close()  # idempotent
    with pytest.raises(BPFError) as info:
        m.lookup(b"\0" * 4)
    assert info.value.errno == errno.EBADF


def test_wrong_sizes_are_refused_before_the_syscall(kernel) -> None:
    with kernel.KernelMap(T.BPF_MAP_TYPE_ARRAY, 4, 8, 1) as m:
        with pytest.raises(BPFError):
            m.lookup(b"\0" * 3)
        with pytest.raises(BPFError):
            m.update(b"\0" * 4, b"short")


def test_bad_attr_gets_the_kernels_errno(kernel) -> None:
    attr = uapi.BpfAttr()
    attr.map_type = 0xFFFF  # unknown map type
    attr.key_size, attr.value_size, attr.max_entries = 4, 4, 1
    with pytest.raises(BPFError) as info:
        kernel.sys_bpf(uapi.BpfCmd.BPF_MAP_CREATE, attr)
    assert info.value.errno == errno.EINVAL
