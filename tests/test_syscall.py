"""The bpf() command API: one ctypes client run against the live kernel and pyebpf.

``Client`` is code written for the kernel's bpf(2) with ctypes; the ``backend``
fixture swaps the one call (``pyebpf.kernel.sys_bpf`` or ``pyebpf.bpf``).  Bad
input (attr sizes, NULL and unmapped pointers, closed and wrong-kind fds,
unknown commands and types) is compared with the kernel where it is available.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import struct

import pytest

from pyebpf import isa, uapi
from pyebpf.asm import assemble
from pyebpf.errors import BPFError
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf

Cmd = uapi.BpfCmd
MT = uapi.BpfMapType
PT = uapi.BpfProgType


class Client:
    """A minimal libbpf-like client over one ``bpf(cmd, attr, size)`` function."""

    def __init__(self, call) -> None:
        self.call = call
        self.fds: list[int] = []

    def err(self, fn, *args, **kw) -> int:
        """0 on success, else the errno."""
        try:
            fn(*args, **kw)
        except OSError as e:
            return e.errno
        return 0

    def map_create(self, map_type, key_size, value_size, max_entries, flags=0, inner=0,
                   extra=0, name=b"") -> int:
        a = uapi.BpfAttr()
        a.map_type, a.key_size, a.value_size, a.max_entries = (map_type, key_size, value_size,
                                                               max_entries)
        a.map_flags, a.inner_map_fd, a.map_extra, a.map_name = flags, inner, extra, name
        fd = self.call(Cmd.BPF_MAP_CREATE, a)
        self.fds.append(fd)
        return fd

    def _elem(self, cmd, fd, key, value=None, flags=0):
        a = uapi.BpfAttr()
        a.map_fd = fd
        kb = ctypes.create_string_buffer(key, len(key)) if key is not None else None
        a.key = ctypes.addressof(kb) if kb is not None else 0
        if value is not None:
            a.value = ctypes.addressof(value)
        a.flags = flags
        return self.call(cmd, a)

    def update(self, fd, key, value: bytes, flags=0):
        vb = ctypes.create_string_buffer(value, len(value))
        return self._elem(Cmd.BPF_MAP_UPDATE_ELEM, fd, key, vb, flags)

    def lookup(self, fd, key, size) -> bytes:
        out = ctypes.create_string_buffer(size)
        self._elem(Cmd.BPF_MAP_LOOKUP_ELEM, fd, key, out)
        return out.raw

    def lookup_and_delete(self, fd, key, size) -> bytes:
        out = ctypes.create_string_buffer(size)
        self._elem(Cmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, out)
        return out.raw

    def delete(self, fd, key):
        return self._elem(Cmd.BPF_MAP_DELETE_ELEM, fd, key)

    def next_key(self, fd, key, size) -> bytes:
        out = ctypes.create_string_buffer(size)
        a = uapi.BpfAttr()
        a.map_fd = fd
        kb = ctypes.create_string_buffer(key, len(key)) if key is not None else None
        a.key = ctypes.addressof(kb) if kb is not None else 0
        a.next_key = ctypes.addressof(out)
        self.call(Cmd.BPF_MAP_GET_NEXT_KEY, a)
        return out.raw

    def keys(self, fd, size) -> list[bytes]:
        out, key = [], None
        while True:
            try:
                key = self.next_key(fd, key, size)
            except OSError as e:
                assert e.errno == errno.ENOENT
                return out
            out.append(key)

    def freeze(self, fd):
        a = uapi.BpfAttr()
        a.map_fd = fd
        return self.call(Cmd.BPF_MAP_FREEZE, a)

    def prog_load(self, insns, prog_type=PT.BPF_PROG_TYPE_XDP, license=b"GPL",
                  fd_array=None, flags=0) -> int:
        code = insns if isinstance(insns, bytes) else isa.encode(insns)
        buf = ctypes.create_string_buffer(code, len(code))
        lic = ctypes.create_string_buffer(license)
        a = uapi.BpfAttr()
        a.prog_type, a.insn_cnt = prog_type, len(code) // 8
        a.insns, a.license = ctypes.addressof(buf), ctypes.addressof(lic)
        a.prog_flags = flags
        if fd_array is not None:
            arr = (ctypes.c_int * len(fd_array))(*fd_array)
            a.fd_array = ctypes.addressof(arr)
        fd = self.call(Cmd.BPF_PROG_LOAD, a)
        self.fds.append(fd)
        return fd

    def test_run(self, fd, data=None, ctx=None, repeat=0, data_size_out=None,
                 ctx_size_out=None):
        a = uapi.BpfAttr()
        t = a.test
        t.prog_fd, t.repeat = fd, repeat
        keep = []
        dout = cout = None
        if data is not None:
            din = ctypes.create_string_buffer(data, len(data))
            n = len(data) + 256 if data_size_out is None else data_size_out
            dout = ctypes.create_string_buffer(max(n, 1))
            keep += [din, dout]
            t.data_in, t.data_size_in = ctypes.addressof(din), len(data)
            t.data_out, t.data_size_out = ctypes.addressof(dout), n
        if ctx is not None:
            cin = ctypes.create_string_buffer(ctx, len(ctx))
            n = len(ctx) if ctx_size_out is None else ctx_size_out
            cout = ctypes.create_string_buffer(max(n, 1))
            keep += [cin, cout]
            t.ctx_in, t.ctx_size_in = ctypes.addressof(cin), len(ctx)
            t.ctx_out, t.ctx_size_out = ctypes.addressof(cout), n
        self.call(Cmd.BPF_PROG_TEST_RUN, a)
        return (t.retval, dout.raw[:t.data_size_out] if dout is not None else None,
                cout.raw[:t.ctx_size_out] if cout is not None else None)

    def close(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds.clear()


def client_backends(request):
    """Yield the same client over the live kernel or over pyebpf (a fresh runtime)."""
    if request.param == "kernel":
        kernel = request.getfixturevalue("kernel")
        c = Client(kernel.sys_bpf)
    else:
        rt = Runtime()
        c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    yield c
    c.close()


@pytest.fixture(params=["kernel", "pyebpf"])
def client(request):
    """The client on each backend: the test runs once on the kernel, once on pyebpf."""
    yield from client_backends(request)


def ld_map(dst: int, fd: int, src: int = isa.BPF_PSEUDO_MAP_FD, off: int = 0) -> isa.Instruction:
    """LD_IMM64 ``r<dst> = map`` with a pseudo source (imm = fd, next imm = off)."""
    return isa.Instruction(0x18, dst, src, 0, (off << 32) | (fd & 0xFFFFFFFF))


def lookup_prog(map_fd: int, key: int) -> list[isa.Instruction]:
    """XDP program: return *lookup(map, key) (u32) + 1, or 0 when missing."""
    head = assemble(f"stw [%r10-4], {key}\nmov %r2, %r10\nadd %r2, -4")
    tail = assemble("call 1\njeq %r0, 0, +2\nldxw %r0, [%r0]\nadd %r0, 1\nexit")
    return [*head, ld_map(1, map_fd), *tail]


# --- the client, unchanged, on both backends ------------------------------------------

def test_client_map_and_program_roundtrip(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 8)
    client.update(fd, struct.pack("<I", 7), struct.pack("<I", 41))
    prog = client.prog_load(lookup_prog(fd, 7))
    retval, data_out, _ = client.test_run(prog, bytes(range(64)), repeat=2)
    assert retval == 42
    assert data_out == bytes(range(64))
    assert client.lookup(fd, struct.pack("<I", 7), 4) == struct.pack("<I", 41)


def test_client_fd_array_map_idx(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 4)
    client.update(fd, struct.pack("<I", 1), struct.pack("<I", 9))
    insns = lookup_prog(fd, 1)
    insns = [isa.Instruction(i.code, i.dst, isa.BPF_PSEUDO_MAP_IDX, i.off, 0, i.pc)
             if i.slots == 2 else i for i in insns]
    prog = client.prog_load(insns, fd_array=[fd])
    assert client.test_run(prog, bytes(20))[0] == 10


def test_client_map_value_pseudo(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 16, 1)
    client.update(fd, struct.pack("<I", 0), struct.pack("<QQ", 5, 77))
    insns = [ld_map(1, fd, isa.BPF_PSEUDO_MAP_VALUE, 8), *assemble("ldxdw %r0, [%r1]\nexit")]
    prog = client.prog_load(insns)
    assert client.test_run(prog, bytes(20))[0] == 77


@pytest.mark.parametrize("src", [7, 3], ids=["unknown-src", "btf-id-without-btf"])
def test_client_bad_pseudo_src(client, src):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1)
    insns = [isa.Instruction(24, 1, src, 0, fd), *assemble("mov %r0, 0\nexit")]
    with pytest.raises(OSError) as exc:
        client.prog_load(insns)
    assert exc.value.errno == errno.EINVAL


def test_client_map_fd_not_a_map(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1)
    prog = client.prog_load(assemble("mov %r0, 0\nexit"))
    insns = [isa.Instruction(24, 1, isa.BPF_PSEUDO_MAP_FD, 0, prog), *assemble("mov %r0, 0\nexit")]
    with pytest.raises(OSError) as exc:
        client.prog_load(insns)
    assert exc.value.errno == errno.EINVAL
    assert fd


# --- bad input ---------------------------------------------------------------------------

def test_attr_larger_than_known_with_nonzero_tail(client):
    """A tail past every known field must be zero (E2BIG), as bpf_check_uarg_tail_zero."""
    big = (ctypes.c_char * 4096)()
    a = uapi.BpfAttr.from_buffer(big)
    a.map_type, a.key_size, a.value_size, a.max_entries = MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1
    big[3000] = b"\x01"
    with pytest.raises(OSError) as exc:
        client.call(Cmd.BPF_MAP_CREATE, big, ctypes.sizeof(big))
    assert exc.value.errno == errno.E2BIG
    big[3000] = b"\x00"
    fd = client.call(Cmd.BPF_MAP_CREATE, big, ctypes.sizeof(big))
    client.fds.append(fd)
    with pytest.raises(OSError) as exc:
        client.call(Cmd.BPF_MAP_CREATE, (ctypes.c_char * 8192)(), 8192)
    assert exc.value.errno == errno.E2BIG


def test_nonzero_bytes_past_command_fields(client):
    a = uapi.BpfAttr()
    a.map_type, a.key_size, a.value_size, a.max_entries = MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1
    raw = (ctypes.c_char * ctypes.sizeof(a)).from_buffer(a)
    raw[100] = b"\x05"
    with pytest.raises(OSError) as exc:
        client.call(Cmd.BPF_MAP_CREATE, a)
    assert exc.value.errno == errno.EINVAL


def test_null_and_unmapped_pointers_give_efault(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 4)
    page = mmap.mmap(-1, 4096)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(page))
    page.close()                      # now unmapped
    for key_addr in (0, addr):
        a = uapi.BpfAttr()
        a.map_fd, a.key = fd, key_addr
        v = ctypes.c_uint32(1)
        a.value = ctypes.addressof(v)
        with pytest.raises(OSError) as exc:
            client.call(Cmd.BPF_MAP_UPDATE_ELEM, a)
        assert exc.value.errno == errno.EFAULT
    a = uapi.BpfAttr()
    a.prog_type, a.insn_cnt, a.insns = PT.BPF_PROG_TYPE_XDP, 2, addr
    with pytest.raises(OSError) as exc:
        client.call(Cmd.BPF_PROG_LOAD, a)
    assert exc.value.errno == errno.EFAULT


def test_closed_and_wrong_kind_fds(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 4)
    prog = client.prog_load(assemble("mov %r0, 2\nexit"))
    assert client.err(client.lookup, prog, b"\0" * 4, 4) == errno.EINVAL
    with open("/dev/null") as f:
        assert client.err(client.lookup, f.fileno(), b"\0" * 4, 4) == errno.EINVAL
    os.close(fd)
    client.fds.remove(fd)
    assert client.err(client.lookup, fd, b"\0" * 4, 4) == errno.EBADF
    assert client.err(client.test_run, fd, bytes(20)) == errno.EBADF


def test_unknown_command_and_types(client):
    assert client.err(client.call, 999, uapi.BpfAttr()) == errno.EINVAL
    assert client.err(client.map_create, 250, 4, 4, 1) == errno.EINVAL
    assert client.err(client.prog_load, assemble("mov %r0, 0\nexit"), 250) == errno.EINVAL


def test_test_run_ctx_pointer_without_size(client):
    prog = client.prog_load(assemble("mov %r0, 2\nexit"))
    a = uapi.BpfAttr()
    a.test.prog_fd = prog
    buf = ctypes.create_string_buffer(24)
    a.test.ctx_in = ctypes.addressof(buf)
    assert client.err(client.call, Cmd.BPF_PROG_TEST_RUN, a) == errno.EINVAL


def test_attach_family_fails_as_for_unknown_targets(client):
    """No cgroups, devices, tracepoints or links in pyebpf yet: the kernel's errnos."""
    prog = client.prog_load(assemble("mov %r0, 0\nexit"), PT.BPF_PROG_TYPE_SOCKET_FILTER)
    a = uapi.BpfAttr()
    a.target_fd, a.attach_bpf_fd = 9999, prog
    a.attach_type = uapi.BpfAttachType.BPF_CGROUP_INET_INGRESS
    assert client.err(client.call, Cmd.BPF_PROG_ATTACH, a) in (errno.EBADF, errno.EINVAL)
    q = uapi.BpfAttr()
    q.query.target_fd = 9999
    assert client.err(client.call, Cmd.BPF_PROG_QUERY, q) == errno.EBADF
    lk = uapi.BpfAttr()
    lk.link_detach.link_fd = 9999
    assert client.err(client.call, Cmd.BPF_LINK_DETACH, lk) == errno.EBADF
    g = uapi.BpfAttr()
    g.start_id = 0x7FFFFFF0
    assert client.err(client.call, Cmd.BPF_LINK_GET_FD_BY_ID, g) == errno.ENOENT


def test_attach_family_pyebpf_errnos():
    rt = Runtime()
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    name = ctypes.create_string_buffer(b"sys_enter")
    prog = c.prog_load(assemble("mov %r0, 0\nexit"), PT.BPF_PROG_TYPE_RAW_TRACEPOINT)
    a = uapi.BpfAttr()
    a.raw_tracepoint.name, a.raw_tracepoint.prog_fd = ctypes.addressof(name), prog
    assert c.err(c.call, Cmd.BPF_RAW_TRACEPOINT_OPEN, a) == errno.ENOENT
    lc = uapi.BpfAttr()
    lc.link_create.prog_fd, lc.link_create.target_fd = prog, 9999
    # attach type 0 (BPF_CGROUP_INET_INGRESS) is for cgroup skb programs
    assert c.err(c.call, Cmd.BPF_LINK_CREATE, lc) == errno.EINVAL
    kprobe = c.prog_load(assemble("mov %r0, 0\nexit"), PT.BPF_PROG_TYPE_KPROBE)
    lc.link_create.prog_fd = kprobe
    lc.link_create.attach_type = uapi.BpfAttachType.BPF_PERF_EVENT
    assert c.err(c.call, Cmd.BPF_LINK_CREATE, lc) == errno.EBADF
    it = uapi.BpfAttr()
    it.iter_create.link_fd = prog
    assert c.err(c.call, Cmd.BPF_ITER_CREATE, it) == errno.EINVAL
    c.close()


# --- ids, pins, info, stats ---------------------------------------------------------------

def test_ids_pins_and_info():
    rt = Runtime()
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    fd = c.map_create(MT.BPF_MAP_TYPE_HASH, 4, 8, 16, name=b"counts")
    prog = c.prog_load(lookup_prog(fd, 1))
    # OBJ_GET_INFO_BY_FD on the program: map ids, xlated code, tag
    info = uapi.BpfProgInfo()
    ids = (ctypes.c_uint32 * 4)()
    xl = ctypes.create_string_buffer(1024)
    info.nr_map_ids, info.map_ids = 4, ctypes.addressof(ids)
    info.xlated_prog_len, info.xlated_prog_insns = 1024, ctypes.addressof(xl)
    a = uapi.BpfAttr()
    a.info.bpf_fd, a.info.info_len, a.info.info = prog, ctypes.sizeof(info), ctypes.addressof(info)
    bpf(Cmd.BPF_OBJ_GET_INFO_BY_FD, a, runtime=rt)
    mobj = rt.get_map(fd)
    assert info.nr_map_ids == 1 and ids[0] == mobj.id
    assert info.xlated_prog_len == len(isa.encode(lookup_prog(fd, 1)))
    assert info.type == PT.BPF_PROG_TYPE_XDP and bytes(info.tag) != bytes(8)
    minfo = uapi.BpfMapInfo()
    a.info.bpf_fd, a.info.info_len, a.info.info = fd, ctypes.sizeof(minfo), ctypes.addressof(minfo)
    bpf(Cmd.BPF_OBJ_GET_INFO_BY_FD, a, runtime=rt)
    assert (minfo.key_size, minfo.value_size, minfo.max_entries, minfo.name) == (4, 8, 16,
                                                                                 b"counts")
    # ids: next id and fd by id
    g = uapi.BpfAttr()
    g.start_id = 0
    bpf(Cmd.BPF_MAP_GET_NEXT_ID, g, runtime=rt)
    assert g.next_id == mobj.id
    g.start_id = g.next_id
    with pytest.raises(BPFError) as exc:
        bpf(Cmd.BPF_MAP_GET_NEXT_ID, g, runtime=rt)
    assert exc.value.errno == errno.ENOENT
    g.start_id = mobj.id
    fd2 = bpf(Cmd.BPF_MAP_GET_FD_BY_ID, g, runtime=rt)
    assert rt.get_map(fd2) is mobj
    # pins
    path = ctypes.create_string_buffer(b"/sys/fs/bpf/counts")
    o = uapi.BpfAttr()
    o.pathname, o.bpf_fd = ctypes.addressof(path), fd
    bpf(Cmd.BPF_OBJ_PIN, o, runtime=rt)
    with pytest.raises(BPFError) as exc:
        bpf(Cmd.BPF_OBJ_PIN, o, runtime=rt)
    assert exc.value.errno == errno.EEXIST
    o2 = uapi.BpfAttr()
    o2.pathname = ctypes.addressof(path)
    fd3 = bpf(Cmd.BPF_OBJ_GET, o2, runtime=rt)
    assert rt.get_map(fd3) is mobj
    bad = ctypes.create_string_buffer(b"/tmp/counts")
    o2.pathname = ctypes.addressof(bad)
    with pytest.raises(BPFError) as exc:
        bpf(Cmd.BPF_OBJ_GET, o2, runtime=rt)
    assert exc.value.errno == errno.EPERM
    for f in (fd2, fd3):
        rt.close(f)
    c.close()


def test_closing_last_fd_releases_the_object():
    rt = Runtime()
    fd = bpf(Cmd.BPF_MAP_CREATE, _array_attr(), runtime=rt)
    mid = rt.get_map(fd).id
    rt.close(fd)
    import gc

    gc.collect()
    with pytest.raises(BPFError) as exc:
        rt.by_id("map", mid)
    assert exc.value.errno == errno.ENOENT


def _array_attr() -> uapi.BpfAttr:
    a = uapi.BpfAttr()
    a.map_type, a.key_size, a.value_size, a.max_entries = MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1
    return a


def test_enable_stats_counts_runs():
    rt = Runtime()
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    prog = c.prog_load(assemble("mov %r0, 2\nexit"))
    s = uapi.BpfAttr()
    s.enable_stats.type = uapi.BpfStatsType.BPF_STATS_RUN_TIME
    sfd = bpf(Cmd.BPF_ENABLE_STATS, s, runtime=rt)
    c.test_run(prog, bytes(20), repeat=5)
    p = rt.get_prog(prog)
    assert p.run_cnt == 5 and p.run_time_ns > 0
    rt.close(sfd)
    c.close()


def test_security_hook_denies_load():
    rt = Runtime()
    rt.security_hooks.append(lambda req: req.prog_type != PT.BPF_PROG_TYPE_XDP)
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    assert c.err(c.prog_load, assemble("mov %r0, 2\nexit")) == errno.EPERM
    assert c.prog_load(assemble("mov %r0, 2\nexit"), PT.BPF_PROG_TYPE_SOCKET_FILTER) >= 0
    c.close()


def test_log_buffer_enospc_when_too_small():
    rt = Runtime()
    code = isa.encode(assemble("mov %r0, 2\nexit"))
    buf = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(128)
    a = uapi.BpfAttr()
    a.prog_type, a.insn_cnt = PT.BPF_PROG_TYPE_XDP, 2
    a.insns, a.license = ctypes.addressof(buf), ctypes.addressof(lic)
    a.log_level, a.log_size, a.log_buf = 2, 128, ctypes.addressof(log)
    try:
        fd = bpf(Cmd.BPF_PROG_LOAD, a, runtime=rt)
    except BPFError as e:
        assert e.errno == errno.ENOSPC
        assert log.raw[127:128] == b"\0"
    else:  # the whole log fitted
        assert len(log.value) < 127
        rt.close(fd)


def _batch_attr(fd, keys, values, count, in_batch=None, out_batch=None):
    a = uapi.BpfAttr()
    b = a.batch
    b.map_fd, b.count = fd, count
    b.keys, b.values = ctypes.addressof(keys), ctypes.addressof(values)
    b.in_batch = ctypes.addressof(in_batch) if in_batch is not None else 0
    b.out_batch = ctypes.addressof(out_batch) if out_batch is not None else 0
    return a


def test_array_batches_match_kernel(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 5)
    keys = (ctypes.c_uint32 * 5)(0, 1, 2, 3, 4)
    vals = (ctypes.c_uint32 * 5)(10, 11, 12, 13, 14)
    a = _batch_attr(fd, keys, vals, 5)
    client.call(Cmd.BPF_MAP_UPDATE_BATCH, a)
    assert a.batch.count == 5
    okeys, ovals, cursor = (ctypes.c_uint32 * 5)(), (ctypes.c_uint32 * 5)(), ctypes.c_uint32()
    a = _batch_attr(fd, okeys, ovals, 3, None, cursor)
    client.call(Cmd.BPF_MAP_LOOKUP_BATCH, a)
    assert (a.batch.count, list(okeys)[:3], list(ovals)[:3]) == (3, [0, 1, 2], [10, 11, 12])
    nxt = ctypes.c_uint32(cursor.value)
    a = _batch_attr(fd, okeys, ovals, 3, nxt, cursor)
    assert client.err(client.call, Cmd.BPF_MAP_LOOKUP_BATCH, a) == errno.ENOENT
    assert (a.batch.count, list(ovals)[:2]) == (2, [13, 14])
    a = _batch_attr(fd, okeys, ovals, 3)
    assert client.err(client.call, Cmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH, a) == 524
    a = _batch_attr(fd, keys, vals, 2)
    assert client.err(client.call, Cmd.BPF_MAP_DELETE_BATCH, a) == 524   # ENOTSUPP


def test_hash_batches_drain_the_map(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 16)
    keys = (ctypes.c_uint32 * 6)(*range(6))
    vals = (ctypes.c_uint32 * 6)(*range(100, 106))
    client.call(Cmd.BPF_MAP_UPDATE_BATCH, _batch_attr(fd, keys, vals, 6))
    got = {}
    okeys, ovals = (ctypes.c_uint32 * 16)(), (ctypes.c_uint32 * 16)()
    cursor = ctypes.c_uint32()
    a = _batch_attr(fd, okeys, ovals, 16, None, cursor)
    assert client.err(client.call, Cmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH, a) == errno.ENOENT
    got.update(zip(list(okeys)[:a.batch.count], list(ovals)[:a.batch.count], strict=True))
    assert got == {k: 100 + k for k in range(6)}
    assert client.keys(fd, 4) == []


def test_btf_load_matches_kernel(client):
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", (1 << 24) | 32)
    strings = b"\0int\0"
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    for blob, want in ((hdr + types + strings, 0), (b"\0\0" + hdr[2:] + types + strings,
                                                    errno.EINVAL)):
        buf = ctypes.create_string_buffer(blob, len(blob))
        a = uapi.BpfAttr()
        a.btf, a.btf_size = ctypes.addressof(buf), len(blob)
        try:
            fd = client.call(Cmd.BPF_BTF_LOAD, a)
        except OSError as e:
            assert e.errno == want
        else:
            assert want == 0
            client.fds.append(fd)


def test_prog_tag_matches_kernel(client):
    """bpf_prog_calc_tag: the map fd in the code does not change the tag."""
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 1)
    prog = client.prog_load(lookup_prog(fd, 0))
    info = uapi.BpfProgInfo()
    a = uapi.BpfAttr()
    a.info.bpf_fd, a.info.info_len, a.info.info = prog, ctypes.sizeof(info), ctypes.addressof(info)
    client.call(Cmd.BPF_OBJ_GET_INFO_BY_FD, a)
    import hashlib

    zeroed = isa.encode([ld_map(1, 0) if i.slots == 2 else i for i in lookup_prog(fd, 0)])
    assert bytes(info.tag) == hashlib.sha256(zeroed).digest()[:8]


def test_int_keys_and_values_convert_through_ctypes_types() -> None:
    import ctypes

    from pyebpf.objects import Map
    from pyebpf.uapi import BpfMapType

    m = Map(BpfMapType.BPF_MAP_TYPE_ARRAY, key_type=ctypes.c_uint32,
            value_type=ctypes.c_uint64, max_entries=4)
    m[3] = 7
    assert m[3].value == 7
    assert m[ctypes.c_uint32(3)].value == 7
    assert m[0].value == 0
    m.close()
