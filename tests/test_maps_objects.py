"""Maps of kernel objects (issue 14): STACK_TRACE, CGROUP_ARRAY, DEVMAP, DEVMAP_HASH, CPUMAP,
XSKMAP, SOCKMAP, SOCKHASH, against the live kernel.

Creation: a grid of key sizes, value sizes, entry counts and flags, every cell's errno the
kernel's.  User-space operations: the same sequence of updates, lookups, deletes and
get_next_key on both sides, every result (bytes or errno) the kernel's.  Devices are the
loopback device (ifindex 1, which every network namespace has); sockets are this process's
own (UDP, TCP listening and unconnected); the cgroup is the cgroup2 root directory.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import os
import socket
from collections.abc import Callable

import pytest

from pyebpf import uapi
from pyebpf.errors import BPFError
from pyebpf.objects import Map
from pyebpf.runtime import Runtime

MT = uapi.BpfMapType
TYPES = (MT.BPF_MAP_TYPE_STACK_TRACE, MT.BPF_MAP_TYPE_CGROUP_ARRAY, MT.BPF_MAP_TYPE_DEVMAP,
         MT.BPF_MAP_TYPE_SOCKMAP, MT.BPF_MAP_TYPE_CPUMAP, MT.BPF_MAP_TYPE_XSKMAP,
         MT.BPF_MAP_TYPE_SOCKHASH, MT.BPF_MAP_TYPE_DEVMAP_HASH)
KEY_SIZES = (0, 1, 4, 8, 512, 513)
VALUE_SIZES = (0, 4, 8, 12, 16, 32, 64, 127 * 8, 128 * 8, 127 * 32, 128 * 32)
ENTRIES = (0, 1, 2, 256, 257, (1 << 31) + 1)
FLAGS = (0, uapi.BPF_F_NO_PREALLOC, uapi.BPF_F_NUMA_NODE, uapi.BPF_F_RDONLY, uapi.BPF_F_WRONLY,
         uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY, uapi.BPF_F_STACK_BUILD_ID,
         uapi.BPF_F_RDONLY_PROG, uapi.BPF_F_MMAPABLE, uapi.BPF_F_INNER_MAP)


def _errno(fn: Callable[[], object]) -> int:
    try:
        fn()
    except BPFError as exc:
        return exc.errno
    return 0


def test_creation_errnos_match_kernel(kernel) -> None:
    rt = Runtime()
    cells = list(itertools.product(TYPES, KEY_SIZES, VALUE_SIZES, ENTRIES, FLAGS))
    bad = []
    compared = 0
    for t, ks, vs, n, fl in cells:
        if n > 1 << 20 and t not in (MT.BPF_MAP_TYPE_DEVMAP_HASH, MT.BPF_MAP_TYPE_SOCKHASH):
            continue        # arrays of 2^31 slots: the kernel's answer is a memory limit
        compared += 1
        k = _errno(lambda a=(t, ks, vs, n), f=fl: kernel.KernelMap(*a, map_flags=f).close())
        ours = _errno(lambda a=(t, ks, vs, n), f=fl: Map(*a, flags=f, runtime=rt).close())
        if k != ours:
            bad.append(((int(t), ks, vs, n, fl), k, ours))
    print(f"object map creation: {compared - len(bad)}/{compared} cells with the kernel's "
          "errno")
    assert not bad, bad[:10]


def _kernel_flags(kernel, fd: int) -> int:
    info = uapi.BpfMapInfo()
    attr = uapi.BpfAttr()
    attr.info.bpf_fd, attr.info.info_len = fd, ctypes.sizeof(info)
    attr.info.info = ctypes.addressof(info)
    kernel.sys_bpf(uapi.BpfCmd.BPF_OBJ_GET_INFO_BY_FD, attr)
    return info.map_flags


@pytest.mark.parametrize("t", [MT.BPF_MAP_TYPE_DEVMAP, MT.BPF_MAP_TYPE_DEVMAP_HASH,
                               MT.BPF_MAP_TYPE_CPUMAP, MT.BPF_MAP_TYPE_STACK_TRACE],
                         ids=lambda t: t.name)
def test_map_flags_reported_as_kernel(kernel, t: int) -> None:
    """dev_map_init_map makes a devmap read-only for programs: its info says so."""
    km = kernel.KernelMap(t, 4, 8, 4)
    try:
        want = _kernel_flags(kernel, km.fd)
    finally:
        km.close()
    m = Map(t, 4, 8, 4, runtime=Runtime())
    assert m._info(uapi.BpfMapInfo).map_flags == want


# --- user-space operations ---------------------------------------------------------------

def u32(v: int) -> bytes:
    return (v & 0xFFFFFFFF).to_bytes(4, "little")


def u64(v: int) -> bytes:
    return (v & (1 << 64) - 1).to_bytes(8, "little")


class _Sides:
    """One map on both sides; each operation's outcome is bytes, None or an errno."""

    def __init__(self, kernel, t: int, ks: int, vs: int, n: int) -> None:
        self.k = kernel.KernelMap(t, ks, vs, n)
        self.rt = Runtime()
        self.m = Map(t, ks, vs, n, runtime=self.rt)
        self.p = self.rt.get_map(self.m.fd)

    def close(self) -> None:
        self.k.close()
        self.m.close()

    def run(self, op: str, *args: object) -> tuple[object, object]:
        if op == "keys":    # a whole walk, as a set: hash maps iterate in their own order
            return tuple(sorted(self._walk(self.k.get_next_key))), tuple(sorted(self._walk(
                lambda key: self.run("next", key)[1])))

        def k() -> object:
            if op == "update":
                return self.k.update(*args)
            if op == "lookup":
                return self.k.lookup(*args)
            if op == "delete":
                return self.k.delete(*args)
            return self.k.get_next_key(*args)

        def ours() -> object:
            if op == "update":
                key, value, *flags = args
                return self.p.update(key, value, *flags, resolve=self.rt.get)
            if op == "lookup":
                try:
                    return self.p.lookup(*args)
                except BPFError as exc:
                    if exc.errno == errno.ENOENT:
                        return None
                    raise
            if op == "delete":
                return self.p.delete(*args)
            try:
                return self.p.next_key(*args)
            except BPFError as exc:
                if exc.errno == errno.ENOENT:
                    return None
                raise
        return self._one(k), self._one(ours)

    @staticmethod
    def _walk(nxt: Callable[[bytes | None], object]) -> list:
        out: list = []
        key = nxt(None)
        while isinstance(key, bytes) and len(out) < 100:
            out.append(key)
            key = nxt(key)
        return out

    @staticmethod
    def _one(fn: Callable[[], object]) -> object:
        try:
            out = fn()
        except BPFError as exc:
            return f"errno {exc.errno}"
        return out


def _sequence(kernel, t: int, ks: int, vs: int, n: int, ops: list[tuple]) -> list:
    s = _Sides(kernel, t, ks, vs, n)
    try:
        return [(op, s.run(*op)) for op in ops]
    finally:
        s.close()


def _assert_same(results: list) -> None:
    bad = [(op, k, o) for op, (k, o) in results if k != o]
    assert not bad, bad


def _array_walk(n: int) -> list[tuple]:
    return [("next", None), ("next", u32(0)), ("next", u32(n - 1)), ("next", u32(n + 5))]


@pytest.mark.parametrize("vs", [4, 8])
def test_devmap_ops(kernel, vs: int) -> None:
    pad = b"" if vs == 4 else u32(0)
    ops = [("update", u32(0), u32(1) + pad), ("lookup", u32(0)), ("lookup", u32(1)),
           ("update", u32(1), u32(999999) + pad), ("update", u32(4), u32(1) + pad),
           ("update", u32(0), u32(1) + pad, uapi.BPF_NOEXIST),
           ("update", u32(0), u32(1) + pad, uapi.BPF_EXIST),
           ("update", u32(0), u32(1) + pad, 4), ("update", u32(2), u32(0) + pad),
           *_array_walk(4), ("delete", u32(0)), ("delete", u32(0)), ("delete", u32(4)),
           ("lookup", u32(0))]
    if vs == 8:
        ops += [("update", u32(3), u32(0) + u32(5)), ("update", u32(3), u32(1) + u32(-1)),
                ("lookup", u32(3))]
    _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_DEVMAP, 4, vs, 4, ops))


def test_devmap_hash_ops(kernel) -> None:
    ops = [("next", None), ("update", u32(77), u32(1)), ("lookup", u32(77)), ("lookup", u32(3)),
           ("update", u32(77), u32(1), uapi.BPF_NOEXIST), ("update", u32(5), u32(1),
                                                          uapi.BPF_EXIST),
           ("update", u32(6), u32(0)), ("update", u32(6), u32(424242)),
           ("update", u32(8), u32(1)), ("update", u32(9), u32(1)), ("keys",),
           ("delete", u32(3)), ("delete", u32(77)), ("lookup", u32(77))]
    _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 3, ops))


def test_cpumap_ops(kernel) -> None:
    ncpus = os.cpu_count() or 1
    ops = [("lookup", u32(0)), ("update", u32(0), u32(0)), ("update", u32(0), u32(16385)),
           ("update", u32(4), u32(64)), ("update", u32(0), u32(64), uapi.BPF_NOEXIST),
           ("update", u32(3), u32(64)) if ncpus < 4 else ("lookup", u32(3)),
           ("update", u32(0), u32(192)), ("lookup", u32(0)), *_array_walk(4),
           ("delete", u32(0)), ("delete", u32(9)), ("lookup", u32(0))]
    _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_CPUMAP, 4, 4, 4, ops))


def test_stack_trace_ops(kernel) -> None:
    ops = [("lookup", u32(0)), ("lookup", u32(9)), ("update", u32(0), bytes(16)),
           ("delete", u32(0)), ("delete", u32(7)), ("delete", u32(8)), ("next", None),
           ("next", u32(3))]
    _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_STACK_TRACE, 4, 16, 5, ops))


@pytest.fixture
def sockets():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(1)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    r, w = os.pipe()
    closed = os.dup(r)
    os.close(closed)
    yield {"udp": udp.fileno(), "listen": listening.fileno(), "tcp": tcp.fileno(), "pipe": r,
           "closed": closed, "unbound": unbound.fileno()}
    for s in (udp, listening, tcp, unbound):
        s.close()
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("t", [MT.BPF_MAP_TYPE_SOCKMAP, MT.BPF_MAP_TYPE_SOCKHASH],
                         ids=["sockmap", "sockhash"])
@pytest.mark.parametrize("vs", [4, 8])
def test_sock_map_ops(kernel, sockets, t: int, vs: int) -> None:
    def fd(name: str) -> bytes:
        return sockets[name].to_bytes(vs, "little")
    ops = [("update", u32(0), fd("udp")), ("lookup", u32(0)), ("update", u32(1), fd("listen")),
           ("update", u32(2), fd("tcp")), ("update", u32(2), fd("pipe")),
           ("update", u32(2), fd("unbound")),
           ("update", u32(2), fd("closed")), ("update", u32(0), fd("udp"), uapi.BPF_NOEXIST),
           ("update", u32(3), fd("udp"), uapi.BPF_EXIST), ("update", u32(9), fd("udp")),
           ("update", u32(0), fd("udp"), 4), ("keys",), ("delete", u32(0)),
           ("delete", u32(0)), ("delete", u32(9)), ("lookup", u32(0))]
    _assert_same(_sequence(kernel, t, 4, vs, 4, ops))


def test_xskmap_ops(kernel, sockets) -> None:
    ops = [("update", u32(0), u32(sockets["udp"])), ("update", u32(0), u32(sockets["pipe"])),
           ("update", u32(0), u32(sockets["closed"])), ("update", u32(7), u32(sockets["udp"])),
           ("lookup", u32(0)), *_array_walk(4), ("delete", u32(0)), ("delete", u32(4))]
    _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_XSKMAP, 4, 4, 4, ops))


def _cgroup2_root() -> str:
    with open("/proc/mounts") as f:
        for line in f:
            _, path, fstype, *_ = line.split()
            if fstype == "cgroup2":
                return path
    pytest.skip("no cgroup2 filesystem mounted")


def test_cgroup_array_ops(kernel) -> None:
    cg = os.open(_cgroup2_root(), os.O_RDONLY | os.O_DIRECTORY)
    tmp = os.open("/tmp", os.O_RDONLY | os.O_DIRECTORY)
    try:
        ops = [("update", u32(0), u32(cg)), ("update", u32(1), u32(tmp)),
               ("update", u32(4), u32(cg)), ("update", u32(0), u32(cg), uapi.BPF_NOEXIST),
               ("lookup", u32(0)), *_array_walk(4), ("delete", u32(0)), ("delete", u32(0)),
               ("delete", u32(4))]
        _assert_same(_sequence(kernel, MT.BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, ops))
    finally:
        os.close(cg)
        os.close(tmp)
