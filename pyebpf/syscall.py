"""``bpf(cmd, attr, size)``: the kernel's bpf(2) command API over pyebpf's runtime.

``attr`` is laid out as the kernel's ``union bpf_attr`` (``pyebpf.uapi.BpfAttr``
or any writable buffer), pointers inside it are addresses in this process, and
the result is what the syscall returns: an fd, an id or 0.  Errors raise
:class:`pyebpf.errors.BPFError` with the errno the kernel sets.  Code written
against the real syscall with ctypes runs unchanged by swapping that one call.

All user memory is copied as ``copy_from_user``/``copy_to_user`` would, through
``process_vm_readv``/``process_vm_writev`` on this process: an unmapped or NULL
address gives EFAULT, never a crash.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from collections.abc import Callable
from typing import Any

from pyebpf import links, uapi
from pyebpf.errors import BPFError, LoadError, VerifierError
from pyebpf.maps import ARRAY_TYPES, HASH_TYPES, BpfMap, MapAttrs
from pyebpf.progtypes import TestRunParams, test_run
from pyebpf.runtime import BpfProg, BtfObject, LoadRequest, Runtime, StatsHandle, default_runtime

C = uapi.BpfCmd
PAGE_SIZE = 4096
ENOTSUPP = 524

# --- safe user memory access --------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


class _IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


for _fn in (_libc.process_vm_readv, _libc.process_vm_writev):
    _fn.restype = ctypes.c_ssize_t
    _fn.argtypes = [ctypes.c_int, ctypes.POINTER(_IOVec), ctypes.c_ulong,
                    ctypes.POINTER(_IOVec), ctypes.c_ulong, ctypes.c_ulong]


def copy_from_user(addr: int, size: int) -> bytes:
    """``size`` bytes at ``addr`` of this process, or EFAULT if any is unreadable."""
    if size == 0:
        return b""
    if not addr:
        raise BPFError(errno.EFAULT, "NULL pointer in attr")
    buf = ctypes.create_string_buffer(size)
    local = _IOVec(ctypes.addressof(buf), size)
    remote = _IOVec(addr, size)
    n = _libc.process_vm_readv(os.getpid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if n != size:
        raise BPFError(errno.EFAULT, f"cannot read {size} bytes at {addr:#x}")
    return buf.raw


def copy_to_user(addr: int, data: bytes) -> None:
    """Write ``data`` at ``addr`` of this process, or EFAULT if any byte is not writable."""
    if not data:
        return
    if not addr:
        raise BPFError(errno.EFAULT, "NULL pointer in attr")
    buf = ctypes.create_string_buffer(bytes(data), len(data))
    local = _IOVec(ctypes.addressof(buf), len(data))
    remote = _IOVec(addr, len(data))
    n = _libc.process_vm_writev(os.getpid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if n != len(data):
        raise BPFError(errno.EFAULT, f"cannot write {len(data)} bytes at {addr:#x}")


def _strncpy_from_user(addr: int, limit: int) -> bytes:
    """A NUL-terminated string (at most ``limit`` bytes), read page by page."""
    out = bytearray()
    while len(out) < limit:
        chunk = min(limit - len(out), PAGE_SIZE - (addr + len(out)) % PAGE_SIZE)
        data = copy_from_user(addr + len(out), chunk)
        if b"\0" in data:
            return bytes(out + data.split(b"\0", 1)[0])
        out += data
    raise BPFError(errno.ENAMETOOLONG if limit >= PAGE_SIZE else errno.EINVAL,
                   "string too long")


# --- attr handling ---------------------------------------------------------------------------

def _end(struct_type: type) -> int:
    return max(f.offset + f.size for f in (getattr(struct_type, n) for n, *_ in
                                           struct_type._fields_))


_LAST = {  # offsetofend of each command's last field (CHECK_ATTR)
    C.BPF_MAP_CREATE: _end(uapi.BpfAttrMapCreate),
    C.BPF_MAP_LOOKUP_ELEM: 32, C.BPF_MAP_UPDATE_ELEM: 32, C.BPF_MAP_DELETE_ELEM: 32,
    C.BPF_MAP_GET_NEXT_KEY: 24, C.BPF_MAP_LOOKUP_AND_DELETE_ELEM: 32, C.BPF_MAP_FREEZE: 4,
    C.BPF_MAP_LOOKUP_BATCH: _end(uapi.BpfAttrMapBatch),
    C.BPF_MAP_LOOKUP_AND_DELETE_BATCH: _end(uapi.BpfAttrMapBatch),
    C.BPF_MAP_UPDATE_BATCH: _end(uapi.BpfAttrMapBatch),
    C.BPF_MAP_DELETE_BATCH: _end(uapi.BpfAttrMapBatch),
    C.BPF_PROG_LOAD: _end(uapi.BpfAttrProgLoad),
    C.BPF_OBJ_PIN: _end(uapi.BpfAttrObj), C.BPF_OBJ_GET: _end(uapi.BpfAttrObj),
    C.BPF_PROG_TEST_RUN: _end(uapi.BpfAttrTestRun),
    C.BPF_PROG_GET_NEXT_ID: 8, C.BPF_MAP_GET_NEXT_ID: 8, C.BPF_BTF_GET_NEXT_ID: 8,
    C.BPF_LINK_GET_NEXT_ID: 8,
    C.BPF_PROG_GET_FD_BY_ID: 4, C.BPF_MAP_GET_FD_BY_ID: 12, C.BPF_BTF_GET_FD_BY_ID: 12,
    C.BPF_LINK_GET_FD_BY_ID: 4,
    C.BPF_OBJ_GET_INFO_BY_FD: _end(uapi.BpfAttrInfoByFd),
    C.BPF_BTF_LOAD: _end(uapi.BpfAttrBtfLoad),
    C.BPF_ENABLE_STATS: 4, C.BPF_PROG_BIND_MAP: 12,
    C.BPF_LINK_UPDATE: 16, C.BPF_LINK_DETACH: 4, C.BPF_ITER_CREATE: 8,
    C.BPF_TASK_FD_QUERY: _end(uapi.BpfAttrTaskFdQuery),
}


def _attr_address(attr: Any) -> tuple[int, int, bool]:
    """(address, size, writable) of the caller's attr buffer."""
    if isinstance(attr, (ctypes.Structure, ctypes.Union, ctypes.Array)):
        return ctypes.addressof(attr), ctypes.sizeof(attr), True
    if isinstance(attr, int):
        return attr, 0, True
    view = memoryview(attr)
    if view.readonly:
        data = bytes(view)
        holder = ctypes.create_string_buffer(data, len(data))
        _KEEP.append(holder)
        return ctypes.addressof(holder), len(data), False
    holder = (ctypes.c_char * view.nbytes).from_buffer(view)
    return ctypes.addressof(holder), view.nbytes, True


_KEEP: list = []


class _Call:
    """One bpf() call: the kernel-side copy of attr and the way back to the user's."""

    def __init__(self, runtime: Runtime, cmd: int, addr: int, size: int, writable: bool) -> None:
        self.rt = runtime
        self.cmd = cmd
        self.uaddr = addr
        self.size = size
        self.writable = writable
        self.attr = uapi.BpfAttr()
        known = ctypes.sizeof(uapi.BpfAttr)
        if size > PAGE_SIZE:
            raise BPFError(errno.E2BIG, "attr larger than a page")
        if size > known and any(copy_from_user(addr + known, size - known)):
            raise BPFError(errno.E2BIG, "attr has nonzero bytes past the known union")
        n = min(size, known)
        ctypes.memmove(ctypes.addressof(self.attr), copy_from_user(addr, n), n)
        last = _LAST.get(cmd)
        if last is not None and any(bytes(self.attr)[last:]):
            raise BPFError(errno.EINVAL, "attr has nonzero bytes past this command's fields")

    def put(self, struct_type: type, offset_in: int, name: str, value: int) -> None:
        """Write one output field back (copy_to_user of that field)."""
        f = getattr(struct_type, name)
        fmt = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}[f.size]
        if not self.writable:
            raise BPFError(errno.EFAULT, "attr is read-only")
        copy_to_user(self.uaddr + offset_in + f.offset, struct.pack(fmt, value))


# --- commands ------------------------------------------------------------------------------

def _map_create(c: _Call) -> int:
    a = c.attr
    if a.btf_vmlinux_value_type_id:
        raise BPFError(errno.EINVAL, "struct_ops maps are not supported")
    inner = None
    if a.map_type in (uapi.BpfMapType.BPF_MAP_TYPE_ARRAY_OF_MAPS,
                      uapi.BpfMapType.BPF_MAP_TYPE_HASH_OF_MAPS):
        inner = c.rt.get_map(a.inner_map_fd)
    if a.map_flags & uapi.BPF_F_NUMA_NODE and a.numa_node >= 1:
        raise BPFError(errno.EINVAL, f"no NUMA node {a.numa_node}")
    if a.map_ifindex:
        raise BPFError(errno.EOPNOTSUPP, "device-offloaded maps need a device")
    attrs = MapAttrs(a.map_type, a.key_size, a.value_size, a.max_entries, a.map_flags, inner,
                     a.numa_node, a.map_name.decode("latin-1"), a.map_extra, a.btf_fd,
                     a.btf_key_type_id, a.btf_value_type_id)
    btf = None
    if a.btf_key_type_id or a.btf_value_type_id:
        # the kernel looks at btf_fd only when a type id names something in it
        btf = c.rt.get(a.btf_fd, BtfObject)
    return c.rt.new_fd(c.rt.create_map(attrs, btf))


def _key(m: BpfMap, addr: int) -> bytes | None:
    if m.key_size == 0:
        return None
    return copy_from_user(addr, m.key_size)


def _resolver(c: _Call) -> Callable[[int], Any]:
    def resolve(fd: int) -> Any:
        return c.rt.get(fd)
    return resolve


def _map_elem(c: _Call) -> int:
    a = c.attr
    m = c.rt.get_map(a.map_fd)
    cmd = c.cmd
    if cmd == C.BPF_MAP_FREEZE:
        m.freeze()
        return 0
    if cmd == C.BPF_MAP_LOOKUP_ELEM:
        if a.flags & ~uapi.BPF_F_LOCK:
            raise BPFError(errno.EINVAL, "lookup flags")
        key = _key(m, a.key)
        vin = None
        if m.map_type == uapi.BpfMapType.BPF_MAP_TYPE_BLOOM_FILTER:
            vin = copy_from_user(a.value, m.value_size)
        value = m.lookup(key, a.flags, vin)
        if vin is None:
            copy_to_user(a.value, value)
        return 0
    if cmd == C.BPF_MAP_UPDATE_ELEM:
        key = _key(m, a.key)
        size = 4 if m.map_type in (uapi.BpfMapType.BPF_MAP_TYPE_HASH_OF_MAPS,) else \
            m.user_value_size
        value = copy_from_user(a.value, size)
        m.update(key, value, a.flags, _resolver(c))
        return 0
    if cmd == C.BPF_MAP_DELETE_ELEM:
        m.delete(_key(m, a.key))
        return 0
    if cmd == C.BPF_MAP_GET_NEXT_KEY:
        key = copy_from_user(a.key, m.key_size) if a.key else None
        nxt = m.next_key(key)
        copy_to_user(a.next_key, nxt)
        return 0
    if cmd == C.BPF_MAP_LOOKUP_AND_DELETE_ELEM:
        key = _key(m, a.key)
        value = m.lookup_and_delete(key, a.flags)
        copy_to_user(a.value, value)
        return 0
    raise BPFError(errno.EINVAL)


def _batch(c: _Call) -> int:
    """The four BATCH commands (generic_map_*_batch; hashes use bucket-free cursors)."""
    b = c.attr.batch
    m = c.rt.get_map(b.map_fd)
    cmd = c.cmd
    off = uapi.BpfAttr.batch.offset
    if b.elem_flags & ~uapi.BPF_F_LOCK or b.flags:
        raise BPFError(errno.EINVAL, "batch flags")
    if b.elem_flags & uapi.BPF_F_LOCK and m.spin_lock_off < 0:
        raise BPFError(errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value")
    vsize = m.user_value_size
    count = b.count
    # which map_ops have batch operations: htab all four, arrays lookup and update
    if not (m.map_type in HASH_TYPES or (m.map_type in ARRAY_TYPES and cmd in (
            C.BPF_MAP_LOOKUP_BATCH, C.BPF_MAP_UPDATE_BATCH))):
        raise BPFError(ENOTSUPP, "this map type has no such batch operation")
    if cmd in (C.BPF_MAP_UPDATE_BATCH, C.BPF_MAP_DELETE_BATCH):
        done = 0
        try:
            for i in range(count):
                key = copy_from_user(b.keys + i * m.key_size, m.key_size)
                if cmd == C.BPF_MAP_UPDATE_BATCH:
                    m.update(key, copy_from_user(b.values + i * vsize, vsize), b.elem_flags,
                             _resolver(c))
                else:
                    m.delete(key)
                done += 1
        finally:
            c.put(uapi.BpfAttrMapBatch, off, "count", done)
        return 0
    # lookup (and delete)
    if count == 0:
        raise BPFError(errno.EINVAL, "count is 0")
    if m.map_type in HASH_TYPES:
        # htab batches: the cursor is an opaque u32 (pyebpf: the position in key order)
        start = struct.unpack("<I", copy_from_user(b.in_batch, 4))[0] if b.in_batch else 0
        keys = m.keys()
        chunk = keys[start:start + count]
        done = start + len(chunk) >= len(keys)
        cursor = struct.pack("<I", start if cmd == C.BPF_MAP_LOOKUP_AND_DELETE_BATCH
                             else start + len(chunk))
    else:
        # generic_map_lookup_batch: in_batch/out_batch hold the last key copied
        prev = copy_from_user(b.in_batch, m.key_size) if b.in_batch else None
        chunk, done = [], False
        while len(chunk) < count:
            try:
                prev = m.next_key(prev)
            except BPFError as e:
                if e.errno != errno.ENOENT:
                    raise
                done = True
                break
            chunk.append(prev)
        cursor = chunk[-1] if chunk else b""
    copy_to_user(b.keys, b"".join(chunk))
    copy_to_user(b.values, b"".join(m.lookup(k, b.elem_flags) for k in chunk))
    if cmd == C.BPF_MAP_LOOKUP_AND_DELETE_BATCH:
        for k in chunk:
            m.delete(k)
    if cursor:
        copy_to_user(b.out_batch, cursor)
    c.put(uapi.BpfAttrMapBatch, off, "count", len(chunk))
    if done:
        raise BPFError(errno.ENOENT, "no more elements")
    return 0


def _prog_load(c: _Call) -> int:
    a = c.attr
    if a.insn_cnt == 0 or a.insn_cnt > 1_000_000:
        raise BPFError(errno.E2BIG, f"insn_cnt {a.insn_cnt}")
    insns = copy_from_user(a.insns, a.insn_cnt * 8)
    lic = _strncpy_from_user(a.license, 128).decode("latin-1") if a.license else ""
    if a.license == 0:
        raise BPFError(errno.EFAULT, "license is NULL")
    # bpf_verifier_log_attr_valid (6.4+): a buffer needs a level, a level needs no buffer
    # (the log's true size is still reported), and any size fits
    if (a.log_buf == 0) != (a.log_size == 0) or (a.log_buf and not a.log_level) \
            or a.log_level & ~_BPF_LOG_MASK or a.log_size > 0xFFFFFFFF >> 2:
        raise BPFError(errno.EINVAL, "log_level/log_buf/log_size")
    fd_array = None
    if a.fd_array:
        # read fds one by one as the kernel does, as far as an index is used
        fd_array = _LazyFdArray(a.fd_array)
    req = LoadRequest(a.prog_type, insns, lic, a.prog_name.decode("latin-1"),
                      a.expected_attach_type, a.prog_flags, a.log_level, a.log_size, fd_array,
                      a.kern_version)
    if a.func_info_cnt:
        req.prog_btf_fd, req.func_info_rec_size = a.prog_btf_fd, a.func_info_rec_size
        req.func_info_cnt = a.func_info_cnt
        rs = a.func_info_rec_size
        # the records are copied once their size is known good (check_btf_func_early)
        if 8 <= rs <= 252 and not rs % 4:
            if rs * a.func_info_cnt > _MAX_FUNC_INFO:
                raise BPFError(errno.ENOMEM, f"func_info_cnt {a.func_info_cnt}")
            req.func_info = copy_from_user(a.func_info, rs * a.func_info_cnt)
    try:
        prog, log = c.rt.load_program(req)
    except LoadError as e:
        log = (e.log if isinstance(e, VerifierError) else "") or f"{e.reason}\n"
        if _finish_log(c, log):
            raise BPFError(errno.ENOSPC, "verifier log truncated (the program was "
                           f"refused: {e.reason})") from e
        raise
    fd = c.rt.new_fd(prog)
    if _finish_log(c, log):
        c.rt.close(fd)
        raise BPFError(errno.ENOSPC, "verifier log does not fit in log_size")
    return fd


_BPF_LOG_MASK = 0xF             # BPF_LOG_LEVEL1 | LEVEL2 | STATS | FIXED
_BPF_LOG_FIXED = 8
# where 6.4+ reports the whole log's size: the u32 after core_relo_rec_size, which
# pyebpf's generated union (from older headers) ends with
_LOG_TRUE_SIZE_OFF = (uapi.BpfAttrProgLoad.core_relo_rec_size.offset
                      + uapi.BpfAttrProgLoad.core_relo_rec_size.size)


def _finish_log(c: _Call, log: str) -> bool:
    """bpf_vlog_finalize: copy the log out, report its true size; True if truncated.

    The buffer keeps the log's end (the kernel's rotating log) unless BPF_LOG_FIXED
    asks for its start.  A truncated log makes the load fail with ENOSPC, whatever
    the verdict, as in the kernel.
    """
    a = c.attr
    if not a.log_level:
        return False
    data = log.encode()
    true_size = max(len(data), getattr(log, "peak", 0)) + 1
    if c.size >= _LOG_TRUE_SIZE_OFF + 4 and c.writable:
        copy_to_user(c.uaddr + _LOG_TRUE_SIZE_OFF, struct.pack("<I", true_size))
    if not a.log_buf:
        return False
    keep = a.log_size - 1
    if true_size > a.log_size:
        if len(data) > keep:
            data = data[:keep] if a.log_level & _BPF_LOG_FIXED else data[len(data) - keep:]
        copy_to_user(a.log_buf, data + b"\0")
        return True
    copy_to_user(a.log_buf, data + b"\0")
    return False


_MAX_FUNC_INFO = 1 << 26  # bytes of func_info records copied in (kvcalloc's own limit)


def _write_log(addr: int, size: int, text: str) -> bool:
    """Copy the log, truncated and NUL-terminated; False when it did not fit."""
    data = text.encode()
    fits = len(data) + 1 <= size
    data = data[:size - 1] + b"\0"
    copy_to_user(addr, data)
    return fits


class _LazyFdArray:
    def __init__(self, addr: int) -> None:
        self.addr = addr

    def __len__(self) -> int:
        return 1 << 31

    def __getitem__(self, i: int) -> int:
        return struct.unpack("<i", copy_from_user(self.addr + 4 * i, 4))[0]


def _obj(c: _Call) -> int:
    a = c.attr
    path = _strncpy_from_user(a.pathname, PAGE_SIZE).decode("latin-1")
    if c.cmd == C.BPF_OBJ_PIN:
        if a.file_flags & ~0x4000:       # BPF_F_PATH_FD
            raise BPFError(errno.EINVAL, "file_flags")
        c.rt.pin(c.rt.get(a.bpf_fd), path)
        return 0
    if a.file_flags & ~(uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY | 0x4000) or \
            (a.file_flags & uapi.BPF_F_RDONLY and a.file_flags & uapi.BPF_F_WRONLY):
        raise BPFError(errno.EINVAL, "file_flags")
    return c.rt.new_fd(c.rt.get_pinned(path))


def _test_run(c: _Call) -> int:
    t = c.attr.test
    off = uapi.BpfAttr.test.offset
    if bool(t.ctx_size_in) != bool(t.ctx_in) or bool(t.ctx_size_out) != bool(t.ctx_out):
        raise BPFError(errno.EINVAL, "ctx pointer and size must be given together")
    prog = c.rt.get_prog(t.prog_fd)
    params = TestRunParams(
        data_in=copy_from_user(t.data_in, t.data_size_in) if t.data_in or t.data_size_in
        else None,
        data_size_out=t.data_size_out, want_data_out=bool(t.data_out),
        ctx_in=copy_from_user(t.ctx_in, t.ctx_size_in) if t.ctx_in else None,
        ctx_size_out=t.ctx_size_out, want_ctx_out=bool(t.ctx_out), repeat=t.repeat,
        duration=t.duration, flags=t.flags, cpu=t.cpu, batch_size=t.batch_size)
    out = test_run(prog, params)
    if out.data_out is not None:
        copy_to_user(t.data_out, out.data_out)
    tr = uapi.BpfAttrTestRun
    if params.data_in is not None or out.data_size_out:
        c.put(tr, off, "data_size_out", out.data_size_out)
    c.put(tr, off, "retval", out.retval)
    c.put(tr, off, "duration", out.duration)
    if out.ctx_out is not None:
        copy_to_user(t.ctx_out, out.ctx_out)
        c.put(tr, off, "ctx_size_out", out.ctx_size_out)
    if out.ctx_in_out is not None:
        copy_to_user(t.ctx_in, out.ctx_in_out)
    if out.err:
        raise BPFError(out.err, "output buffer too small")
    return 0


_KIND = {C.BPF_PROG_GET_NEXT_ID: "prog", C.BPF_MAP_GET_NEXT_ID: "map",
         C.BPF_BTF_GET_NEXT_ID: "btf", C.BPF_LINK_GET_NEXT_ID: "link",
         C.BPF_PROG_GET_FD_BY_ID: "prog", C.BPF_MAP_GET_FD_BY_ID: "map",
         C.BPF_BTF_GET_FD_BY_ID: "btf", C.BPF_LINK_GET_FD_BY_ID: "link"}


def _get_next_id(c: _Call) -> int:
    a = c.attr
    nid = c.rt.next_id(_KIND[c.cmd], a.start_id)
    c.put(uapi.BpfAttrGetId, 0, "next_id", nid)
    return 0


def _get_fd_by_id(c: _Call) -> int:
    a = c.attr
    if c.cmd == C.BPF_MAP_GET_FD_BY_ID and a.open_flags & ~(uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY):
        raise BPFError(errno.EINVAL, "open_flags")
    return c.rt.new_fd(c.rt.by_id(_KIND[c.cmd], a.start_id))


def _info(c: _Call) -> int:
    a = c.attr.info
    obj = c.rt.get(a.bpf_fd)
    if isinstance(obj, BpfProg):
        info_type: type = uapi.BpfProgInfo
    elif isinstance(obj, BpfMap):
        info_type = uapi.BpfMapInfo
    elif isinstance(obj, BtfObject):
        info_type = uapi.BpfBtfInfo
    elif isinstance(obj, links.BpfLink):
        n = links.link_info(obj, a.info, a.info_len)
        c.put(uapi.BpfAttrInfoByFd, 0, "info_len", n)
        return 0
    else:
        raise BPFError(errno.EINVAL, "no info for this kind of fd")
    known = ctypes.sizeof(info_type)
    ulen = a.info_len
    if ulen > PAGE_SIZE:
        raise BPFError(errno.E2BIG, "info_len larger than a page")
    if ulen > known and any(copy_from_user(a.info + known, ulen - known)):
        raise BPFError(errno.E2BIG, "info has nonzero bytes past the known struct")
    n = min(ulen, known)
    info = info_type()
    ctypes.memmove(ctypes.addressof(info), copy_from_user(a.info, n), n)
    if isinstance(obj, BpfProg):
        _prog_info(obj, info)
    elif isinstance(obj, BpfMap):
        src = info
        info = info_type()
        info.type, info.id, info.key_size = obj.map_type, obj.id, obj.key_size
        info.value_size, info.max_entries = obj.value_size, obj.max_entries
        info.map_flags = obj.map_flags
        info.name = obj.name.encode()[:15]
        info.map_extra = obj.attrs.map_extra
        if obj.btf is not None:
            info.btf_id = obj.btf.id
            info.btf_key_type_id, info.btf_value_type_id = (obj.attrs.btf_key_type_id,
                                                            obj.attrs.btf_value_type_id)
        del src
    else:
        ubtf, ubtf_size = info.btf, info.btf_size
        info.id = obj.id
        info.btf_size = len(obj.data)
        if ubtf and ubtf_size:
            copy_to_user(ubtf, obj.data[:ubtf_size])
    copy_to_user(a.info, bytes(info)[:n])
    c.put(uapi.BpfAttrInfoByFd, 0, "info_len", n)
    return 0


def _prog_info(p: BpfProg, info: Any) -> None:
    u_xlated, u_xlated_len = info.xlated_prog_insns, info.xlated_prog_len
    u_maps, u_nmaps = info.map_ids, info.nr_map_ids
    keep = {f: getattr(info, f) for f in ("jited_prog_insns", "jited_prog_len")}
    ctypes.memset(ctypes.addressof(info), 0, ctypes.sizeof(info))
    info.type, info.id, info.tag[:] = p.prog_type, p.id, p.tag
    info.load_time = p.load_time
    info.created_by_uid = os.getuid()
    info.name = p.name.encode()[:15]
    info.gpl_compatible = int(p.gpl_compatible)
    info.run_time_ns, info.run_cnt = p.run_time_ns, p.run_cnt
    info.verified_insns = p.verified_insns
    info.xlated_prog_len = len(p.xlated)
    info.xlated_prog_insns = u_xlated
    if u_xlated and u_xlated_len:
        copy_to_user(u_xlated, p.xlated[:u_xlated_len])
    info.nr_map_ids = len(p.used_maps)
    info.map_ids = u_maps
    if u_maps and u_nmaps:
        ids = [m.id for m in p.used_maps][:u_nmaps]
        copy_to_user(u_maps, struct.pack(f"<{len(ids)}I", *ids))
    # the native image when the program was JIT-compiled (bpf_prog_select_runtime)
    jited = p.core.jit_image.code if p.core.jited else b""
    info.jited_prog_insns = keep["jited_prog_insns"]
    info.jited_prog_len = len(jited)
    if jited and keep["jited_prog_len"] and keep["jited_prog_insns"]:
        copy_to_user(keep["jited_prog_insns"], jited[:keep["jited_prog_len"]])


def _btf_load(c: _Call) -> int:
    a = c.attr
    if not c.rt.privileged:
        raise BPFError(errno.EPERM, "BTF_LOAD needs CAP_BPF")
    if a.btf_size == 0 or a.btf_size > (1 << 24):
        raise BPFError(errno.E2BIG if a.btf_size else errno.EINVAL, "btf_size")
    if bool(a.btf_log_buf) != bool(a.btf_log_size) or a.btf_log_level & ~0x3 or \
            (a.btf_log_level and not a.btf_log_buf):
        raise BPFError(errno.EINVAL, "btf log attributes")
    data = copy_from_user(a.btf, a.btf_size)
    try:
        obj = c.rt.load_btf(data)
    except BPFError as e:
        if a.btf_log_level and a.btf_log_buf:
            _write_log(a.btf_log_buf, a.btf_log_size, f"{e.strerror}\n")
        raise
    return c.rt.new_fd(obj)


def _enable_stats(c: _Call) -> int:
    if c.attr.enable_stats.type != uapi.BpfStatsType.BPF_STATS_RUN_TIME:
        raise BPFError(errno.EINVAL, "unknown stats type")
    handle: StatsHandle = c.rt.enable_stats()
    return c.rt.new_fd(handle)


def _bind_map(c: _Call) -> int:
    a = c.attr.prog_bind_map
    if a.flags:
        raise BPFError(errno.EINVAL, "flags must be 0")
    prog = c.rt.get_prog(a.prog_fd)
    prog.bind_map(c.rt.get_map(a.map_fd))
    return 0


# The attach family: cgroups (pyebpf.cgroups) for PROG_ATTACH/DETACH/QUERY, perf events
# and tracepoints of the Python process (pyebpf.links, pyebpf.probes) for links.

def _prog_attach(c: _Call) -> int:
    from pyebpf import cgroups

    if c.cmd == C.BPF_PROG_ATTACH:
        return cgroups.prog_attach(c.rt, c.attr)
    return cgroups.prog_detach(c.rt, c.attr)


def _prog_query(c: _Call) -> int:
    from pyebpf import cgroups

    off = uapi.BpfAttr.query.offset

    def put(name: str, value: int) -> None:
        c.put(uapi.BpfAttrProgQuery, off, name, value)

    return cgroups.prog_query(c.rt, c.attr.query, put)


def _raw_tp_open(c: _Call) -> int:
    raw = bytes(c.attr)
    name_ptr, prog_fd, cookie = struct.unpack_from("<QI4xQ", raw, 0)
    if any(raw[24:]):               # CHECK_ATTR: last field raw_tracepoint.cookie
        raise BPFError(errno.EINVAL, "attr has nonzero bytes past this command's fields")
    return links.raw_tracepoint_open(c.rt, name_ptr, prog_fd, cookie)


def _link_create(c: _Call) -> int:
    return links.link_create(c.rt, c.attr.link_create)


def _link_cmd(c: _Call) -> int:
    if c.cmd == C.BPF_LINK_UPDATE:
        return links.link_update(c.rt, c.attr.link_update)
    if c.cmd == C.BPF_LINK_DETACH:
        return links.link_detach(c.rt, c.attr.link_detach.link_fd)
    return links.iter_create(c.rt, c.attr.iter_create.link_fd, c.attr.iter_create.flags)


def _task_fd_query(c: _Call) -> int:
    off = uapi.BpfAttr.task_fd_query.offset

    def put(name: str, value: int) -> None:
        c.put(uapi.BpfAttrTaskFdQuery, off, name, value)

    return links.task_fd_query(c.rt, c.attr.task_fd_query, put)


def _link_by_id(c: _Call) -> int:
    return links.link_get_fd_by_id(c.rt, c.attr.start_id)


HANDLERS: dict[int, Callable[[_Call], int]] = {
    C.BPF_MAP_CREATE: _map_create,
    C.BPF_MAP_LOOKUP_ELEM: _map_elem, C.BPF_MAP_UPDATE_ELEM: _map_elem,
    C.BPF_MAP_DELETE_ELEM: _map_elem, C.BPF_MAP_GET_NEXT_KEY: _map_elem,
    C.BPF_MAP_LOOKUP_AND_DELETE_ELEM: _map_elem, C.BPF_MAP_FREEZE: _map_elem,
    C.BPF_MAP_LOOKUP_BATCH: _batch, C.BPF_MAP_LOOKUP_AND_DELETE_BATCH: _batch,
    C.BPF_MAP_UPDATE_BATCH: _batch, C.BPF_MAP_DELETE_BATCH: _batch,
    C.BPF_PROG_LOAD: _prog_load,
    C.BPF_OBJ_PIN: _obj, C.BPF_OBJ_GET: _obj,
    C.BPF_PROG_ATTACH: _prog_attach, C.BPF_PROG_DETACH: _prog_attach,
    C.BPF_PROG_TEST_RUN: _test_run,
    C.BPF_PROG_GET_NEXT_ID: _get_next_id, C.BPF_MAP_GET_NEXT_ID: _get_next_id,
    C.BPF_BTF_GET_NEXT_ID: _get_next_id, C.BPF_LINK_GET_NEXT_ID: _get_next_id,
    C.BPF_PROG_GET_FD_BY_ID: _get_fd_by_id, C.BPF_MAP_GET_FD_BY_ID: _get_fd_by_id,
    C.BPF_BTF_GET_FD_BY_ID: _get_fd_by_id, C.BPF_LINK_GET_FD_BY_ID: _link_by_id,
    C.BPF_OBJ_GET_INFO_BY_FD: _info,
    C.BPF_PROG_QUERY: _prog_query,
    C.BPF_RAW_TRACEPOINT_OPEN: _raw_tp_open,
    C.BPF_BTF_LOAD: _btf_load,
    C.BPF_TASK_FD_QUERY: _task_fd_query,
    C.BPF_LINK_CREATE: _link_create, C.BPF_LINK_UPDATE: _link_cmd,
    C.BPF_LINK_DETACH: _link_cmd, C.BPF_ITER_CREATE: _link_cmd,
    C.BPF_ENABLE_STATS: _enable_stats,
    C.BPF_PROG_BIND_MAP: _bind_map,
}


def bpf(cmd: int, attr: Any, size: int | None = None, *, runtime: Runtime | None = None) -> int:
    """The bpf(2) system call, answered by pyebpf: returns an fd, an id or 0.

    ``attr``: a ``pyebpf.uapi.BpfAttr`` (or any ctypes object / writable buffer
    laid out as ``union bpf_attr``); ``size``: how many bytes of it the kernel
    would read (default: all of it).  Raises :class:`~pyebpf.errors.BPFError`.
    """
    rt = runtime or default_runtime()
    addr, asize, writable = _attr_address(attr)
    size = asize if size is None else size
    handler = HANDLERS.get(int(cmd))
    if handler is None:
        raise BPFError(errno.EINVAL, f"unknown bpf command {cmd}")
    try:
        call = _Call(rt, int(cmd), addr, size, writable)
        return handler(call)
    finally:
        _KEEP.clear()


__all__ = ["HANDLERS", "bpf", "copy_from_user", "copy_to_user"]
