"""Hostile use of the API: re-entrant runs, objects freed under a running program,
huge sizes, out-of-range numbers, unbounded input. Each must end in a clear error
with the kernel's errno (pyebpf.errors), never a crash, a traceback or a silent wrap."""

from __future__ import annotations

import errno
import gc

import pytest

from pyebpf import VM, Executable
from pyebpf.errors import ExecutionError
from pyebpf.isa import Instruction as I  # noqa: N817

EXIT = I(0x95)


def _prog(*insns: I) -> Executable:
    out, pc = [], 0
    for i in insns:
        out.append(I(i.code, i.dst, i.src, i.off, i.imm, pc))
        pc += i.slots
    return Executable(out)


def test_nested_run_of_the_same_vm_is_refused_and_the_outer_run_is_intact() -> None:
    vm = VM()
    inner = _prog(I(0xB7, 0, 0, 0, 5), EXIT)
    seen: list[BaseException] = []

    def helper(vm: VM, *_: int) -> int:
        try:
            vm.run(inner)
        except ExecutionError as exc:
            seen.append(exc)
        return 0

    vm.set_helper(7, helper)
    # r6..r9 hold values across the helper call; the result sums them
    outer = _prog(I(0xB7, 6, 0, 0, 1), I(0xB7, 7, 0, 0, 2), I(0xB7, 8, 0, 0, 3),
                  I(0xB7, 9, 0, 0, 4), I(0x85, 0, 0, 0, 7), I(0xBF, 0, 6), I(0x0F, 0, 7),
                  I(0x0F, 0, 8), I(0x0F, 0, 9), EXIT)
    assert vm.run(outer) == 10
    assert len(seen) == 1 and seen[0].errno == errno.EBUSY
    assert vm.run(inner) == 5                    # usable again once the outer run ended


def test_tail_call_then_nested_run_cannot_free_the_target() -> None:
    vm = VM()
    calls = []

    def helper(vm: VM, *_: int) -> int:
        target = _prog(I(0xB7, 0, 0, 0, 42), EXIT)
        assert vm.tail_call(target)
        del target
        with pytest.raises(ExecutionError):
            vm.run(_prog(I(0xB7, 0, 0, 0, 1), EXIT))
        gc.collect()
        calls.append(1)
        return 0

    vm.set_helper(12, helper)
    assert vm.run(_prog(I(0x85, 0, 0, 0, 12), I(0xB7, 0, 0, 0, 3), EXIT)) == 42
    assert calls == [1]


def test_tail_call_outside_a_run_is_refused() -> None:
    with pytest.raises(ExecutionError) as exc:
        VM().tail_call(_prog(EXIT))
    assert exc.value.errno == errno.EINVAL


def test_prog_array_slot_cleared_while_its_program_runs_in_another_thread() -> None:
    """The tail-called program keeps running after its slot is cleared and its fd closed
    (the kernel defers the free past an RCU grace period; pyebpf past the last run)."""
    import threading
    import time

    from test_syscall import Client, ld_map

    from pyebpf import uapi
    from pyebpf.asm import assemble
    from pyebpf.runtime import Runtime
    from pyebpf.syscall import bpf

    rt = Runtime(verifier=False)
    c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    arr = c.map_create(uapi.BpfMapType.BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1)
    # the target counts r0 down from 2^25 (a fraction of a second) and returns 7
    c.prog_load(assemble("mov %r0, 0\nexit"))       # id 1; the target is id 2
    target = c.prog_load(assemble("lddw %r0, 0x2000000\nsub %r0, 1\njne %r0, 0, -2\n"
                                  "mov %r0, 7\nexit"))
    entry = c.prog_load([ld_map(2, arr), *assemble("mov %r3, 0\ncall 12\nmov %r0, 3\nexit")])
    c.update(arr, (0).to_bytes(4, "little"), target.to_bytes(4, "little"))
    results: list[int] = []
    runner = threading.Thread(target=lambda: results.append(c.test_run(entry, bytes(20))[0]))
    runner.start()
    time.sleep(0.005)
    c.delete(arr, (0).to_bytes(4, "little"))
    rt.close(target)
    gc.collect()
    alive = any(type(o).__name__ == "BpfProg" and o.id == 2 for o in gc.get_objects())
    running = runner.is_alive()
    runner.join()
    assert alive or not running, "the target was released while it was running"
    assert results == [7]
    gc.collect()
    assert not any(type(o).__name__ == "BpfProg" and o.id == 2 for o in gc.get_objects()), \
        "the target is released once the run has ended"
    c.close()


# --- hostile ELF objects: sizes and offsets past what the kernel can hold ---------------

import struct  # noqa: E402
from pathlib import Path  # noqa: E402

from pyebpf import load_elf  # noqa: E402
from pyebpf.errors import BPFError  # noqa: E402

FULL = Path(__file__).parent / "data" / "elf" / "full.v3.o"


def _patch_section(data: bytes, name: str, field_off: int, value: int) -> bytes:
    """``data`` with one 64-bit field of section ``name``'s header set to ``value``."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    str_off, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    out = bytearray(data)
    for i in range(shnum):
        hdr = shoff + i * shentsize
        nm, = struct.unpack_from("<I", data, hdr)
        if data[str_off + nm:].split(b"\0", 1)[0] == name.encode():
            struct.pack_into("<Q", out, hdr + field_off, value)
            return bytes(out)
    raise AssertionError(f"no section {name}")


@pytest.mark.parametrize("size", [1 << 31, 1 << 32, 1 << 40, (1 << 64) - 1])
def test_huge_bss_is_e2big_before_any_allocation(size: int) -> None:
    data = _patch_section(FULL.read_bytes(), ".bss", 0x20, size)       # sh_size
    with pytest.raises(BPFError) as exc:
        load_elf(data)
    assert exc.value.errno == errno.E2BIG


# --- map sizes: the kernel's errnos, decided before anything is allocated ---------------

from pyebpf import uapi  # noqa: E402
from pyebpf.syscall import bpf  # noqa: E402

_MT = uapi.BpfMapType
_NP = uapi.BPF_F_NO_PREALLOC
# (type, key_size, value_size, max_entries, flags): every one is refused by the kernel's
# checks before it allocates, or is small; none can make the kernel allocate much
_HUGE_MAPS = [
    (_MT.BPF_MAP_TYPE_HASH, 4, 4, (1 << 32) - 1, _NP),
    (_MT.BPF_MAP_TYPE_HASH, 4, 4, 1 << 31, _NP),
    (_MT.BPF_MAP_TYPE_HASH, 4, 4, (1 << 28) + 1, _NP),
    (_MT.BPF_MAP_TYPE_HASH, 1 << 21, (1 << 21) - 48, 1, _NP),
    (_MT.BPF_MAP_TYPE_HASH, 1 << 21, (1 << 21) - 49, 1, _NP),
    (_MT.BPF_MAP_TYPE_HASH, (1 << 32) - 1, 4, 1, _NP),
    (_MT.BPF_MAP_TYPE_HASH, 4, (1 << 32) - 1, 1, _NP),
    (_MT.BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 1, _NP),
    (_MT.BPF_MAP_TYPE_LRU_HASH, 8, (1 << 22), 16, 0),
    (_MT.BPF_MAP_TYPE_ARRAY, 4, 1 << 31, 1, 0),
    (_MT.BPF_MAP_TYPE_ARRAY, 4, (1 << 32) - 1, 1, 0),
    (_MT.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 1, 0),
    (_MT.BPF_MAP_TYPE_QUEUE, 0, (1 << 22) + 1, 1, 0),
    (_MT.BPF_MAP_TYPE_BLOOM_FILTER, 0, (1 << 22) + 1, 1, 0),
    (_MT.BPF_MAP_TYPE_BLOOM_FILTER, 4, (1 << 22) + 1, 1, 0),
    (_MT.BPF_MAP_TYPE_LPM_TRIE, 261, 4, 1, _NP),
]


def _pyebpf_create(t: int, k: int, v: int, n: int, flags: int) -> int:
    a = uapi.BpfAttr()
    a.map_type, a.key_size, a.value_size, a.max_entries, a.map_flags = t, k, v, n, flags
    try:
        import os

        os.close(bpf(uapi.BpfCmd.BPF_MAP_CREATE, a))
    except BPFError as exc:
        return exc.errno
    return 0


@pytest.mark.parametrize("attrs", _HUGE_MAPS, ids=lambda a: f"{a[0].name[13:].lower()}-"
                         f"{a[1]}-{a[2]}-{a[3]}")
def test_huge_map_sizes_get_the_kernels_errno(kernel, attrs: tuple) -> None:
    try:
        kernel.KernelMap(*attrs[:4], map_flags=attrs[4]).close()
        expected = 0
    except OSError as exc:
        expected = exc.errno
    assert _pyebpf_create(*attrs) == expected


def test_a_map_too_large_for_memory_is_enomem_not_memoryerror() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (1 << 33, hard))      # 8 GiB of address space
    try:
        assert _pyebpf_create(_MT.BPF_MAP_TYPE_QUEUE, 0, 1 << 20, 1 << 14, 0) == errno.ENOMEM
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# --- numbers out of range: refused, never wrapped ---------------------------------------

import ctypes  # noqa: E402

from pyebpf.asm import assemble  # noqa: E402
from pyebpf.objects import Map, Program  # noqa: E402


@pytest.mark.parametrize("fd", [1 << 31, (1 << 32) - 1])
def test_fds_past_int_are_ebadf(fd: int) -> None:
    a = uapi.BpfAttr()
    a.map_fd = fd
    with pytest.raises(BPFError) as exc:
        bpf(uapi.BpfCmd.BPF_MAP_LOOKUP_ELEM, a)
    assert exc.value.errno == errno.EBADF


def test_closed_map_and_program_are_ebadf() -> None:
    m = Map(_MT.BPF_MAP_TYPE_ARRAY, key_type=ctypes.c_uint32, value_type=ctypes.c_uint64,
            max_entries=1)
    p = Program(assemble("mov %r0, 0\nexit"), uapi.BpfProgType.BPF_PROG_TYPE_XDP)
    m.close()
    p.close()
    for op in (lambda: m[0], lambda: m.__setitem__(0, 1), lambda: p.test_run(bytes(64))):
        with pytest.raises(BPFError) as exc:
            op()
        assert exc.value.errno == errno.EBADF


@pytest.mark.parametrize("repeat", [-1, 1 << 32])
def test_test_run_repeat_outside_u32_is_refused(repeat: int) -> None:
    p = Program(assemble("mov %r0, 0\nexit"), uapi.BpfProgType.BPF_PROG_TYPE_XDP)
    with pytest.raises(BPFError) as exc:
        p.test_run(bytes(64), repeat=repeat)
    assert exc.value.errno == errno.EINVAL
    p.close()


def test_cli_repeat_outside_u32_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from pyebpf.cli import main

    obj = str(Path(__file__).parent.parent / "examples" / "xdp_firewall.o")
    assert main(["run", obj, "--hex", "00" * 64, "--repeat", "4294967296"]) == 2
    assert "--repeat" in capsys.readouterr().err


# --- unbounded input --------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["disasm", "/dev/zero"], ["maps", "/dev/zero"],
                                  ["asm", "/dev/zero", "-o", "/dev/null"]])
def test_cli_refuses_an_endless_input(argv: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from pyebpf.cli import main

    assert main(argv) != 0
    err = capsys.readouterr().err
    assert "larger than" in err and err.count("\n") == 1


def test_load_elf_refuses_an_endless_input() -> None:
    with pytest.raises(BPFError) as exc:
        load_elf("/dev/zero")
    assert exc.value.errno == errno.EFBIG


# --- the verifier log as 6.18 hands it back (kernel/bpf/log.c) ------------------------

from pyebpf import isa  # noqa: E402

_LOG_PROGS = {
    "accepted": "mov %r0, 0\nexit",
    "refused": "mov %r0, %r5\nexit",
    "loop": "mov %r0, 0\nmov %r1, 5\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -3\nexit",
}


class _BigAttr(ctypes.Structure):
    _fields_ = [("a", uapi.BpfAttr), ("pad", ctypes.c_char * 64)]


def _load_with_log(sys_bpf, text: str, level: int, size: int) -> tuple[object, bytes, int]:
    code = isa.encode(assemble(text))
    b = _BigAttr()
    a = b.a
    buf = (ctypes.c_char * len(code)).from_buffer_copy(code)
    log = ctypes.create_string_buffer(max(size, 1))
    lic = ctypes.create_string_buffer(b"GPL")
    a.prog_type = uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER
    a.insns, a.insn_cnt, a.license = ctypes.addressof(buf), len(code) // 8, ctypes.addressof(lic)
    a.log_level, a.log_size = level, size
    a.log_buf = ctypes.addressof(log) if size else 0
    try:
        import os

        os.close(sys_bpf(uapi.BpfCmd.BPF_PROG_LOAD, b, 144))
        err: object = 0
    except OSError as exc:
        err = errno.errorcode[exc.errno]
    return err, log.value, struct.unpack_from("<I", bytes(b), 140)[0]   # log_true_size


@pytest.mark.parametrize("prog", list(_LOG_PROGS))
@pytest.mark.parametrize("level", [0, 1, 2, 3, 4, 5, 8, 9, 10, 15, 16])
@pytest.mark.parametrize("size", [0, 1, 8, 64, 127, 200, 4096])
def test_verifier_log_sizes_levels_and_truncation_as_the_kernel(kernel, prog: str, level: int,
                                                                 size: int) -> None:
    """Validity of level/buffer/size, ENOSPC whenever the log was truncated (whatever the
    verdict), the rotating log's tail (the head with BPF_LOG_FIXED), log_true_size."""
    k = _load_with_log(kernel.sys_bpf, _LOG_PROGS[prog], level, size)
    p = _load_with_log(lambda c, a, s: bpf(c, a, s), _LOG_PROGS[prog], level, size)
    assert p[0] == k[0]
    if level & 4:       # BPF_LOG_STATS prints the verification time: its digits vary
        assert abs(p[2] - k[2]) <= 3
        return
    assert p[2] == k[2]
    if not (prog == "loop" and level & 3 == 1 and k[0] == "ENOSPC"):
        # (a verified program's dropped level-1 trace leaves the kernel's rotating buffer
        # in a state pyebpf does not reproduce byte for byte)
        assert p[1] == k[1]


# --- BTF with a reference loop (found by the elf fuzz target: map_check_btf spun forever) --


def _btf_with_array_loop() -> bytes:
    strings = b"\0int\0"
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", 32)          # [1] int
    types += struct.pack("<III", 0, 3 << 24, 0) + struct.pack("<III", 2, 1, 2)  # [2] int[2] of [2]
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    return hdr + types + strings


def test_btf_reference_loop_is_refused_as_the_kernel(kernel) -> None:
    data = _btf_with_array_loop()
    with pytest.raises(OSError) as k:
        kernel.load_btf(data)
    from pyebpf.runtime import Runtime

    with pytest.raises(BPFError) as p:
        Runtime().load_btf(data)
    assert p.value.errno == k.value.errno == errno.EEXIST
    assert "Loop detected" in str(p.value)
