"""Fuzz targets: each takes arbitrary bytes and may raise only the errors pyebpf documents.

A target returning normally or raising :class:`pyebpf.errors.BPFError` (with an errno)
is a pass; any other exception, a crash or a hang is a finding.  ``run.py`` drives them
with atheris (coverage-guided libFuzzer); ``tests/test_fuzz.py`` replays the committed
corpus and runs each for a short while.
"""

from __future__ import annotations

import ctypes
import struct

from pyebpf import VM, Executable, uapi
from pyebpf.btf import BTF, check_struct_metas
from pyebpf.elf import load_elf
from pyebpf.errors import BPFError, MemoryAccessError
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf

_SIGNALS = (109, 117)     # BPF_FUNC_send_signal, BPF_FUNC_send_signal_thread
# program types a fuzzed PROG_LOAD picks from (the first input byte), all test-runnable
_PROG_TYPES = (uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER,
               uapi.BpfProgType.BPF_PROG_TYPE_SCHED_CLS,
               uapi.BpfProgType.BPF_PROG_TYPE_XDP)


def elf(data: bytes) -> None:
    """Parse an object and load everything it defines into a fresh runtime."""
    try:
        spec = load_elf(data)
    except BPFError:
        return
    try:
        with spec.load(runtime=Runtime()):
            pass
    except BPFError:
        pass


def btf(data: bytes) -> None:
    """Parse a BTF blob, check its struct metas and load it (BTF_LOAD)."""
    try:
        parsed = BTF(data)
        check_struct_metas(parsed)
        for t in parsed.types[1:64]:
            parsed.resolve(t.id)
        Runtime().load_btf(data)
    except BPFError:
        pass


class SoundnessError(AssertionError):
    """A program the verifier accepted faulted at run time."""


def prog_load(data: bytes) -> None:
    """PROG_LOAD of arbitrary instructions; an accepted program runs on a packet and
    must not fault on memory (no program the verifier accepts may touch memory it was not
    given)."""
    if len(data) < 9:
        return
    prog_type = _PROG_TYPES[data[0] % len(_PROG_TYPES)]
    code = data[1:1 + (len(data) - 1) // 8 * 8][:8 * 512]
    if any(code[i] == 0x85 and struct.unpack_from("<i", code, i + 4)[0] in _SIGNALS
           for i in range(0, len(code), 8)):
        return          # bpf_send_signal(_thread) signals this process, as in the kernel
    rt = Runtime()
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    a = uapi.BpfAttr()
    a.prog_type, a.insn_cnt = prog_type, len(code) // 8
    a.insns, a.license = ctypes.addressof(insns), ctypes.addressof(lic)
    try:
        fd = bpf(uapi.BpfCmd.BPF_PROG_LOAD, a, runtime=rt)
    except BPFError:
        return
    pkt = ctypes.create_string_buffer(bytes(range(64)), 64)
    out = ctypes.create_string_buffer(64 + 256)
    t = uapi.BpfAttr()
    t.test.prog_fd, t.test.data_in, t.test.data_size_in = fd, ctypes.addressof(pkt), 64
    t.test.data_out, t.test.data_size_out = ctypes.addressof(out), len(out)
    try:
        bpf(uapi.BpfCmd.BPF_PROG_TEST_RUN, t, runtime=rt)
    except MemoryAccessError as exc:
        # (a helper pyebpf verifies but cannot run, HelperError, is a stated limit, not this)
        raise SoundnessError(f"verified program faulted: {exc}") from exc
    except BPFError:
        pass                                  # refused inputs (EINVAL, ENOTSUPP, ...)
    finally:
        rt.close(fd)


def interpreter(data: bytes) -> None:
    """Run arbitrary, unverified bytecode with a budget over a 64-byte buffer: faults are
    clean errors, nothing outside the buffer and the stack is ever touched."""
    if len(data) < 8:
        return
    code = data[:len(data) // 8 * 8][:8 * 4096]
    try:
        prog = Executable(code)
    except BPFError:
        return
    buf = bytearray(64)
    vm = VM(budget=20_000)
    vm.set_helper(1, lambda vm, *r: r[0] & 0xFF)
    from pyebpf import address_of

    try:
        vm.run(prog, address_of(buf), len(buf), memory=[buf])
    except BPFError:
        pass


TARGETS = {"elf": elf, "btf": btf, "prog_load": prog_load, "interpreter": interpreter}


def seed_btf_blobs(objects: list[bytes]) -> list[bytes]:
    """The .BTF sections of ``objects`` (seeds for the btf target)."""
    out = []
    for data in objects:
        try:
            spec = load_elf(data)
        except BPFError:
            continue
        if spec.btf is not None:
            out.append(bytes(spec.btf.raw))
    return out


def pack_program(prog_type_index: int, code: bytes) -> bytes:
    """A prog_load input: the program type selector then the instructions."""
    return struct.pack("<B", prog_type_index) + code
