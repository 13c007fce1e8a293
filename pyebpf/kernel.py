"""The live kernel's bpf(2), as an oracle for pyebpf's semantics.

pyebpf promises the kernel's behaviour; the most direct check is to run the same program on
both. This module talks to the real ``bpf()`` syscall through ctypes with the structures of
:mod:`pyebpf.uapi` (so it also exercises those layouts): load programs (``KernelProgram``), run
them with ``BPF_PROG_TEST_RUN`` (``test_run``) and use maps (``KernelMap``). It never attaches
programs or changes system settings, and every object closes its file descriptor (context
managers, ``close()``, and as a last resort on garbage collection).

Needs Linux and a process allowed to call ``bpf()`` (root or CAP_BPF + CAP_PERFMON/NET_ADMIN);
``kernel_available()`` says whether that is the case, and why not.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from collections.abc import Sequence
from typing import NamedTuple

from pyebpf import uapi
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction, encode

# bpf(2) syscall numbers per architecture (arch/*/include/uapi/asm/unistd*.h).
_SYS_BPF = {"x86_64": 321, "aarch64": 280, "i686": 357, "i386": 357, "armv7l": 386,
            "ppc64le": 361, "s390x": 351, "riscv64": 280, "loongarch64": 280}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

DEFAULT_LOG_SIZE = 1 << 20
_MAX_LOG_SIZE = (1 << 30) - 1  # the kernel refuses log_size >= UINT_MAX >> 2


def _sys_bpf_number() -> int | None:
    return _SYS_BPF.get(platform.machine()) if os.uname().sysname == "Linux" else None


def sys_bpf(cmd: int, attr: ctypes.Structure | ctypes.Union, size: int | None = None) -> int:
    """Call the kernel's ``bpf(cmd, &attr, size)``; raise :class:`BPFError` with its errno."""
    number = _sys_bpf_number()
    if number is None:
        raise BPFError(errno.ENOSYS, f"bpf() is not available on {platform.machine()} "
                                     f"{os.uname().sysname}")
    if size is None:
        size = ctypes.sizeof(attr)
    ret = _libc.syscall(ctypes.c_long(number), ctypes.c_int(int(cmd)), ctypes.byref(attr),
                        ctypes.c_uint(size))
    if ret < 0:
        err = ctypes.get_errno()
        name = uapi.BpfCmd(cmd).name if cmd in uapi.BpfCmd._value2member_map_ else str(cmd)
        raise BPFError(err, f"{name}: {os.strerror(err)}")
    return int(ret)


_available: tuple[bool, str] | None = None


def kernel_available() -> tuple[bool, str]:
    """Whether this process may use ``bpf()``, and a human reason when it may not.

    Probes by creating (and closing) a one-element array map: the cheapest command that needs
    the same privilege as loading socket-filter/XDP programs and running them.
    """
    global _available
    if _available is not None:
        return _available
    attr = uapi.BpfAttr()
    attr.map_type = uapi.BpfMapType.BPF_MAP_TYPE_ARRAY
    attr.key_size, attr.value_size, attr.max_entries = 4, 8, 1
    try:
        fd = sys_bpf(uapi.BpfCmd.BPF_MAP_CREATE, attr)
    except BPFError as exc:
        reason = {errno.EPERM: "bpf() refused with EPERM: not root / no CAP_BPF, or "
                               "kernel.unprivileged_bpf_disabled",
                  errno.ENOSYS: "bpf() does not exist here (ENOSYS)"}.get(
            exc.errno, f"bpf() failed: {exc}")
        _available = (False, reason)
    else:
        os.close(fd)
        _available = (True, "bpf() works")
    return _available


def _addr(buf: ctypes.Array | None) -> int:
    return 0 if buf is None else ctypes.addressof(buf)


class _FdObject:
    """Owns one kernel file descriptor; closed by close(), ``with`` or garbage collection."""

    fd: int = -1

    def close(self) -> None:
        """Release the kernel object (the kernel frees it when its last reference goes)."""
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass

    def _check_open(self) -> int:
        if self.fd < 0:
            raise BPFError(errno.EBADF, f"{type(self).__name__} is closed")
        return self.fd


class TestRunResult(NamedTuple):
    """What BPF_PROG_TEST_RUN reports (``duration_ns`` is the mean over ``repeat`` runs)."""

    __test__ = False  # not a pytest test class despite the name

    retval: int
    data_out: bytes | None
    ctx_out: bytes | None
    duration_ns: int


def test_run(fd: int, data_in: bytes | None = None, ctx_in: bytes | None = None, *,
             repeat: int = 1, data_size_out: int | None = None,
             ctx_size_out: int | None = None, flags: int = 0, cpu: int = 0) -> TestRunResult:
    """Run a loaded program with ``BPF_PROG_TEST_RUN``.

    ``data_size_out`` defaults to room for the input plus 256 bytes (XDP and tc may grow the
    packet); ``0`` asks for no output buffer. The kernel treats data_size_out 0 as "no limit",
    so the buffer size is always passed explicitly. ENOSPC (output larger than the buffer)
    is raised as :class:`BPFError`, as the syscall reports it.
    """
    attr = uapi.BpfAttr()
    t = attr.test
    t.prog_fd = fd
    t.repeat = repeat
    t.flags = flags
    t.cpu = cpu
    keep = []
    if data_in is not None:
        data_buf = ctypes.create_string_buffer(bytes(data_in), len(data_in) or 1)
        keep.append(data_buf)
        t.data_in, t.data_size_in = _addr(data_buf), len(data_in)
    if data_size_out is None:
        data_size_out = (len(data_in) + 256) if data_in is not None else 0
    out_buf = ctypes.create_string_buffer(data_size_out) if data_size_out else None
    if out_buf is not None:
        t.data_out, t.data_size_out = _addr(out_buf), data_size_out
    if ctx_in is not None:
        ctx_buf = ctypes.create_string_buffer(bytes(ctx_in), len(ctx_in) or 1)
        keep.append(ctx_buf)
        t.ctx_in, t.ctx_size_in = _addr(ctx_buf), len(ctx_in)
    if ctx_size_out is None:
        ctx_size_out = len(ctx_in) if ctx_in is not None else 0
    ctx_out_buf = ctypes.create_string_buffer(ctx_size_out) if ctx_size_out else None
    if ctx_out_buf is not None:
        t.ctx_out, t.ctx_size_out = _addr(ctx_out_buf), ctx_size_out
    sys_bpf(uapi.BpfCmd.BPF_PROG_TEST_RUN, attr)
    data_out = out_buf.raw[:t.data_size_out] if out_buf is not None else None
    ctx_out = ctx_out_buf.raw[:t.ctx_size_out] if ctx_out_buf is not None else None
    return TestRunResult(t.retval, data_out, ctx_out, t.duration)


test_run.__test__ = False  # type: ignore[attr-defined]  # a library function, not a test


class KernelProgram(_FdObject):
    """A program loaded into the live kernel with ``BPF_PROG_LOAD``.

    ``insns`` is raw bytecode or a list of :class:`pyebpf.isa.Instruction`. On refusal raises
    :class:`VerifierError` (with the kernel's errno and its whole verifier log) when the kernel
    produced a log, else :class:`BPFError`. With ``log_level=0`` a refused load is retried once
    with ``log_level=1`` so the error always carries the log. ``fd_array`` fills attr
    ``fd_array`` (for BPF_PSEUDO_MAP_IDX); map fds for BPF_PSEUDO_MAP_FD go in the instructions.
    """

    def __init__(self, insns: bytes | Sequence[Instruction],
                 prog_type: int = uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, *,
                 license: str = "GPL", log_level: int = 0, log_size: int = DEFAULT_LOG_SIZE,
                 fd_array: Sequence[int] | None = None, name: str = "",
                 prog_flags: int = 0, expected_attach_type: int = 0,
                 btf: bytes | None = None,
                 func_info: Sequence[tuple[int, int]] = ()) -> None:
        code = bytes(insns) if isinstance(insns, bytes | bytearray | memoryview) \
            else encode(list(insns))
        if len(code) % uapi.BPF_INSN_SIZE:
            raise BPFError(errno.EINVAL, f"program length {len(code)} is not a multiple of 8")
        self.prog_type = prog_type
        self.log = ""
        self.fd = -1
        # BTF (loaded for the load's duration) and its func_info records: callbacks need them
        self._btf_fd = load_btf(btf) if btf is not None else -1
        self._func_info = list(func_info)
        try:
            self.fd = self._load(code, prog_type, license, log_level, log_size, fd_array, name,
                                 prog_flags, expected_attach_type)
        except BPFError as exc:
            if log_level or exc.errno not in (errno.EACCES, errno.EINVAL):
                raise
            # reload with a log, to say why (the verdict itself does not depend on log_level):
            # this raises VerifierError carrying the log
            fd = self._load(code, prog_type, license, 1, log_size, fd_array, name, prog_flags,
                            expected_attach_type)
            os.close(fd)  # pragma: no cover - the reload cannot succeed where the load failed
            raise
        finally:
            if self._btf_fd >= 0:
                os.close(self._btf_fd)
                self._btf_fd = -1

    def _load(self, code: bytes, prog_type: int, license: str, log_level: int, log_size: int,
              fd_array: Sequence[int] | None, name: str, prog_flags: int,
              expected_attach_type: int) -> int:
        insns = ctypes.create_string_buffer(code, len(code) or 1)
        lic = ctypes.create_string_buffer(license.encode())
        log = ctypes.create_string_buffer(min(log_size, _MAX_LOG_SIZE)) if log_level else None
        fds = (ctypes.c_int32 * len(fd_array))(*fd_array) if fd_array else None
        attr = uapi.BpfAttr()
        attr.prog_type = prog_type
        attr.insn_cnt = len(code) // uapi.BPF_INSN_SIZE
        attr.insns = _addr(insns)
        attr.license = _addr(lic)
        attr.prog_flags = prog_flags
        attr.expected_attach_type = expected_attach_type
        attr.prog_name = name.encode()[: uapi.BPF_OBJ_NAME_LEN - 1]
        if log is not None:
            attr.log_level, attr.log_buf, attr.log_size = log_level, _addr(log), len(log)
        if fds is not None:
            attr.fd_array = ctypes.addressof(fds)
        fi = b"".join(struct.pack("<II", off, tid) for off, tid in self._func_info)
        fi_buf = ctypes.create_string_buffer(fi, max(len(fi), 1))
        if self._func_info:
            attr.prog_btf_fd, attr.func_info_rec_size = max(self._btf_fd, 0), 8
            attr.func_info_cnt, attr.func_info = len(self._func_info), _addr(fi_buf)
        try:
            fd = sys_bpf(uapi.BpfCmd.BPF_PROG_LOAD, attr)
        except BPFError as exc:
            text = log.value.decode(errors="replace") if log is not None else ""
            if text:
                self.log = text
                # the reason is the last line before the "processed N insns" summary
                reasons = [ln for ln in text.splitlines() if ln.strip()
                           and not ln.startswith(("processed ", "verification time"))]
                last = reasons[-1] if reasons else ""
                raise VerifierError(f"kernel refused the program: {last}", log=text,
                                    err=exc.errno) from None
            raise
        self.log = log.value.decode(errors="replace") if log is not None else ""
        return fd

    def test_run(self, data_in: bytes | None = None, ctx_in: bytes | None = None,
                 **kwargs: int | None) -> TestRunResult:
        """:func:`test_run` on this program."""
        return test_run(self._check_open(), data_in, ctx_in, **kwargs)  # type: ignore[arg-type]


def load_btf(data: bytes) -> int:
    """BPF_BTF_LOAD of ``data``: the BTF object's fd (the caller closes it)."""
    buf = ctypes.create_string_buffer(data, len(data))
    log = ctypes.create_string_buffer(1 << 16)
    attr = uapi.BpfAttr()
    attr.btf, attr.btf_size = _addr(buf), len(data)
    attr.btf_log_buf, attr.btf_log_size, attr.btf_log_level = _addr(log), len(log), 1
    try:
        return sys_bpf(uapi.BpfCmd.BPF_BTF_LOAD, attr)
    except BPFError as exc:
        raise BPFError(exc.errno or errno.EINVAL,
                       f"BTF_LOAD: {log.value.decode(errors='replace').strip()}") from None


def possible_cpus() -> int:
    """Number of possible CPUs: per-CPU map values come back as this many slots."""
    try:
        with open("/sys/devices/system/cpu/possible") as f:
            text = f.read().strip()
    except OSError:
        return os.cpu_count() or 1
    count = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        count += int(hi or lo) - int(lo) + 1
    return count


_PERCPU = {uapi.BpfMapType.BPF_MAP_TYPE_PERCPU_HASH, uapi.BpfMapType.BPF_MAP_TYPE_PERCPU_ARRAY,
           uapi.BpfMapType.BPF_MAP_TYPE_LRU_PERCPU_HASH,
           uapi.BpfMapType.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE}


class KernelMap(_FdObject):
    """A map in the live kernel, any type (``BPF_MAP_CREATE``), with the element commands.

    Keys and values are bytes of exactly ``key_size`` / ``user_value_size`` bytes (per-CPU
    maps: the value rounded up to 8 bytes, times the possible CPUs, as the kernel returns it).
    Maps without keys (queue, stack, bloom filter) take ``key=None``.
    """

    def __init__(self, map_type: int, key_size: int, value_size: int, max_entries: int, *,
                 map_flags: int = 0, name: str = "", inner_map_fd: int = 0,
                 map_extra: int = 0, numa_node: int = 0, btf_fd: int = 0,
                 btf_key_type_id: int = 0, btf_value_type_id: int = 0) -> None:
        attr = uapi.BpfAttr()
        attr.btf_fd, attr.btf_key_type_id = btf_fd, btf_key_type_id
        attr.btf_value_type_id = btf_value_type_id
        attr.map_type = map_type
        attr.key_size, attr.value_size, attr.max_entries = key_size, value_size, max_entries
        attr.map_flags, attr.inner_map_fd, attr.map_extra = map_flags, inner_map_fd, map_extra
        attr.numa_node = numa_node
        attr.map_name = name.encode()[: uapi.BPF_OBJ_NAME_LEN - 1]
        self.map_type, self.key_size, self.value_size = map_type, key_size, value_size
        self.max_entries = max_entries
        self.user_value_size = ((value_size + 7) // 8 * 8 * possible_cpus()
                                if map_type in _PERCPU else value_size)
        self.fd = sys_bpf(uapi.BpfCmd.BPF_MAP_CREATE, attr)

    def _key(self, key: bytes | None) -> ctypes.Array | None:
        if key is None:
            return None
        if len(key) != self.key_size:
            raise BPFError(errno.EINVAL, f"key is {len(key)} bytes, the map's are {self.key_size}")
        return ctypes.create_string_buffer(bytes(key), max(len(key), 1))

    def _elem(self, cmd: int, key: bytes | None, value: ctypes.Array | None = None,
              flags: int = 0, next_key: ctypes.Array | None = None) -> None:
        attr = uapi.BpfAttr()
        attr.map_fd = self._check_open()
        kbuf = self._key(key)
        attr.key = _addr(kbuf)
        attr.value = _addr(next_key if next_key is not None else value)
        attr.flags = flags
        sys_bpf(cmd, attr)

    def lookup(self, key: bytes | None, flags: int = 0) -> bytes | None:
        """The value at ``key`` (for queue/stack: peek), or None when absent (ENOENT)."""
        value = ctypes.create_string_buffer(max(self.user_value_size, 1))
        try:
            self._elem(uapi.BpfCmd.BPF_MAP_LOOKUP_ELEM, key, value, flags)
        except BPFError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise
        return value.raw[: self.user_value_size]

    def update(self, key: bytes | None, value: bytes, flags: int = uapi.BPF_ANY) -> None:
        """Create or replace an element (queue/stack: push); kernel errno on refusal."""
        if len(value) != self.user_value_size:
            raise BPFError(errno.EINVAL,
                           f"value is {len(value)} bytes, the map's are {self.user_value_size}")
        vbuf = ctypes.create_string_buffer(bytes(value), max(len(value), 1))
        self._elem(uapi.BpfCmd.BPF_MAP_UPDATE_ELEM, key, vbuf, flags)

    def delete(self, key: bytes | None) -> None:
        """Delete an element; raises BPFError(ENOENT) when absent, as the kernel does."""
        self._elem(uapi.BpfCmd.BPF_MAP_DELETE_ELEM, key)

    def lookup_and_delete(self, key: bytes | None) -> bytes | None:
        """Lookup then delete atomically (queue/stack: pop); None when empty/absent."""
        value = ctypes.create_string_buffer(max(self.user_value_size, 1))
        try:
            self._elem(uapi.BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, value)
        except BPFError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise
        return value.raw[: self.user_value_size]

    def get_next_key(self, key: bytes | None = None) -> bytes | None:
        """The key after ``key`` (None or a missing key: the first); None at the end."""
        nxt = ctypes.create_string_buffer(max(self.key_size, 1))
        try:
            self._elem(uapi.BpfCmd.BPF_MAP_GET_NEXT_KEY, key, next_key=nxt)
        except BPFError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise
        return nxt.raw[: self.key_size]

    def keys(self) -> list[bytes]:
        """All keys, in the kernel's iteration order."""
        out: list[bytes] = []
        key = self.get_next_key(None)
        while key is not None and len(out) <= self.max_entries:
            out.append(key)
            key = self.get_next_key(key)
        return out

    def freeze(self) -> None:
        """BPF_MAP_FREEZE: no more writes from user space."""
        attr = uapi.BpfAttr()
        attr.map_fd = self._check_open()
        sys_bpf(uapi.BpfCmd.BPF_MAP_FREEZE, attr)
