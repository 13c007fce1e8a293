"""The live kernel as an oracle: load a program with ``bpf(BPF_PROG_LOAD)`` and read its log.

Used by the differential tests and the agreement script.  Only BPF_MAP_CREATE and
BPF_PROG_LOAD are issued; every fd is closed.  When ``bpf()`` is refused (EPERM,
ENOSYS) :func:`kernel_available` says why, so tests can skip with that reason.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno as _errno
import os
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyebpf.isa import Instruction, encode

_SYS_BPF = 321  # x86-64
_BPF_MAP_CREATE = 0
_BPF_PROG_LOAD = 5

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _bpf(cmd: int, attr: bytes) -> int:
    buf = ctypes.create_string_buffer(attr, len(attr))
    ret = _libc.syscall(ctypes.c_long(_SYS_BPF), ctypes.c_long(cmd), buf,
                        ctypes.c_uint(len(attr)))
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret


def create_map(map_type: int, key_size: int, value_size: int, max_entries: int,
               flags: int = 0) -> int:
    """Create a kernel map; the caller closes the fd."""
    attr = struct.pack("<IIIII", map_type, key_size, value_size, max_entries, flags)
    return _bpf(_BPF_MAP_CREATE, attr + bytes(128 - len(attr)))


@dataclass
class KernelResult:
    """What the kernel said about a program."""

    ok: bool
    errno: int
    log: str


def load_program(insns: Sequence[Instruction], prog_type: int, *, log_level: int = 1,
                 license_: bytes = b"GPL", log_size: int = 1 << 22,
                 map_fds: Mapping[int, int] | None = None) -> KernelResult:
    """BPF_PROG_LOAD ``insns``; LD_IMM64 map references are rewritten through ``map_fds``."""
    if map_fds:
        insns = [
            Instruction(i.code, i.dst, i.src, i.off,
                        map_fds[i.imm] if i.slots == 2 and i.src in (1, 2) and i.imm in map_fds
                        else i.imm, i.pc) if i.slots == 2 else i
            for i in insns]
    code = encode(insns)
    code_buf = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(license_)
    log = ctypes.create_string_buffer(log_size)
    attr = struct.pack(
        "<IIQQIIQI", prog_type, len(code) // 8, ctypes.addressof(code_buf),
        ctypes.addressof(lic), log_level, log_size, ctypes.addressof(log), 0)
    attr += bytes(144 - len(attr))
    try:
        fd = _bpf(_BPF_PROG_LOAD, attr)
    except OSError as exc:
        text = log.value.decode(errors="replace")
        return KernelResult(False, exc.errno or _errno.EINVAL, text)
    os.close(fd)
    return KernelResult(True, 0, log.value.decode(errors="replace"))


def kernel_available() -> str | None:
    """None when ``bpf()`` works here, else the reason it does not."""
    prog = [Instruction(0xB7, 0, 0, 0, 0, 0), Instruction(0x95, 0, 0, 0, 0, 1)]
    try:
        res = load_program(prog, 1, log_level=0)
    except OSError as exc:  # pragma: no cover - depends on the machine
        return f"bpf() refused: {exc}"
    if not res.ok and res.errno in (_errno.EPERM, _errno.ENOSYS):
        return f"bpf() refused: {os.strerror(res.errno)}"
    return None


_TRACE = re.compile(r"^(\d+: |from \d+ to \d+|func#\d+ @|Live regs|\s+\d+: )")


def error_line(log: str) -> str:
    """The verifier's first error line: the first line after the last trace line.

    Trace lines are the ``N: ...`` instruction and state lines (and, at level 2,
    ``from X to Y`` headers); the summary ``processed ...`` line is ignored.
    """
    lines = [ln for ln in log.splitlines() if ln.strip()]
    last = -1
    for i, ln in enumerate(lines):
        if _TRACE.match(ln):
            last = i
    for ln in lines[last + 1:]:
        if not ln.startswith("processed ") and not _TRACE.match(ln):
            return ln
    return ""
