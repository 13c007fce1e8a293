"""Helpers called from programs: results compared with the kernel where it can run them.

Programs whose helpers the verifier does not model yet are loaded into a runtime
with ``verifier=False`` (the interpreter still confines them); the same bytes go
through the kernel's verifier in the differential tests.
"""

from __future__ import annotations

import ctypes
import errno
import struct

import pytest
from pyebpf._core import VM, Executable
from pyebpf._maps import CMap, RunContext, c_helpers
from test_syscall import Client, client_backends, ld_map

from pyebpf import isa, uapi
from pyebpf.asm import assemble
from pyebpf.errors import HelperError, MemoryAccessError
from pyebpf.helpers import HELPERS, Arg, Ret, by_name, register_helper
from pyebpf.objects import Map
from pyebpf.objects import Program as BpfProgram
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf

MT = uapi.BpfMapType
PT = uapi.BpfProgType
u32 = struct.Struct("<I").pack


@pytest.fixture(params=["kernel", "pyebpf"])
def client(request):
    yield from client_backends(request)


@pytest.fixture(params=["kernel", "pyebpf"])
def loose(request):
    """Like ``client``, but pyebpf loads without its verifier (helpers it does not model)."""
    if request.param == "kernel":
        c = Client(request.getfixturevalue("kernel").sys_bpf)
    else:
        rt = Runtime(verifier=False)
        c = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    yield c
    c.close()


def asm(text: str) -> list[isa.Instruction]:
    return assemble(text)


# --- prototypes ---------------------------------------------------------------------------

def test_prototypes_are_data_with_kernel_ids():
    lookup = by_name("map_lookup_elem")
    assert lookup.id == 1 and lookup.ret is Ret.RET_PTR_TO_MAP_VALUE_OR_NULL
    assert [a.type for a in lookup.args] == [Arg.ARG_CONST_MAP_PTR, Arg.ARG_PTR_TO_MAP_KEY]
    assert by_name("tail_call").id == 12 and by_name("ringbuf_reserve").id == 131
    assert by_name("trace_printk").gpl_only
    for hid in (1, 2, 3, 12, 87, 88, 89, 130, 131):   # the hot ones are C capsules
        assert type(HELPERS[hid].impl).__name__ == "PyCapsule"


# --- map helpers, differential ----------------------------------------------------------------

COUNTER = """
    stw [%r10-4], 5
    mov %r2, %r10
    add %r2, -4
"""


def counter_prog(fd: int) -> list[isa.Instruction]:
    """Count runs in hash[5]: lookup, insert 1 when missing, else atomic add."""
    return [*asm(COUNTER), ld_map(1, fd), *asm("""
        call 1
        jne %r0, 0, +10
        stdw [%r10-16], 1
        mov %r2, %r10
        add %r2, -4
        mov %r3, %r10
        add %r3, -16
        mov %r4, 1
    """), ld_map(1, fd), *asm("""
        call 2
        exit
        mov %r1, 1
        lock add [%r0], %r1
        mov %r0, 7
        exit
    """)]


def test_map_update_and_lookup_from_program(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 8, 4)
    prog = client.prog_load(counter_prog(fd))
    assert client.test_run(prog, bytes(20))[0] == 0
    assert client.test_run(prog, bytes(20), repeat=4)[0] == 7
    assert client.lookup(fd, u32(5), 8) == struct.pack("<Q", 5)


def test_tail_call_limit_is_33(client):
    """A program tail-calling itself runs 1 + 33 times, as the kernel's MAX_TAIL_CALL_CNT."""
    arr = client.map_create(MT.BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1)
    cnt = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 1)
    insns = [*asm("mov %r6, %r1\nstw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4"), ld_map(1, cnt),
             *asm("call 1\njeq %r0, 0, +7\nmov %r1, 1\nlock add [%r0], %r1\nmov %r1, %r6"),
             ld_map(2, arr), *asm("mov %r3, 0\ncall 12\nmov %r0, 3\nexit")]
    prog = client.prog_load(insns)
    client.update(arr, u32(0), u32(prog))
    assert client.test_run(prog, bytes(20))[0] == 3
    assert client.lookup(cnt, u32(0), 8) == struct.pack("<Q", 34)
    client.delete(arr, u32(0))        # break the cycle so the kernel can free both


def test_queue_push_pop_from_program(loose):
    client = loose
    q = client.map_create(MT.BPF_MAP_TYPE_QUEUE, 0, 4, 4)
    client.update(q, None, u32(40))
    insns = [*asm("stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4"), ld_map(1, q),
             *asm("call 88\njne %r0, 0, +11\nldxw %r0, [%r10-4]\nadd %r0, 2\nstxw [%r10-8], %r0\n"
                  "mov %r2, %r10\nadd %r2, -8"), ld_map(1, q),
             *asm("mov %r3, 0\ncall 87\nldxw %r0, [%r10-8]\nexit\nmov %r0, 1\nexit")]
    prog = client.prog_load(insns)
    assert client.test_run(prog, bytes(20))[0] == 42
    assert client.lookup(q, None, 4) == u32(42)


def test_csum_diff_matches_kernel(loose):
    insns = asm("""
        stdw [%r10-8], 0x12345678
        stdw [%r10-16], 0x7abc0d0e
        mov %r1, %r10
        add %r1, -8
        mov %r2, 8
        mov %r3, %r10
        add %r3, -16
        mov %r4, 8
        mov %r5, 0x1234
        call 28
        exit
    """)
    prog = loose.prog_load(insns)
    # csum_from32to16(csum_sub(csum_partial(to, seed), csum_partial(from, 0))), worked out
    # by hand: 0x7abc1f42 - 0x12345678 = 0x6887c8ca, folded 0x3152.
    assert loose.test_run(prog, bytes(20))[0] == 0x3152


def test_bpf_loop_callback():
    """bpf_loop's callback runs once per index (structural checks only: no BTF here,
    which the verifier would want for the callback, see test_verifier_calls)."""
    rt = Runtime(verifier=False)
    loose = Client(lambda cmd, attr, size=None: bpf(cmd, attr, size, runtime=rt))
    insns = [*asm("mov %r1, 10"), isa.Instruction(0x18, 2, isa.BPF_PSEUDO_FUNC, 0, 8),
             *asm("""
        stdw [%r10-8], 0
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 181
        ldxdw %r0, [%r10-8]
        exit
        ldxdw %r3, [%r2]
        add %r3, %r1
        stxdw [%r2], %r3
        mov %r0, 0
        exit
    """)]
    prog = loose.prog_load(insns)
    assert loose.test_run(prog, bytes(20))[0] == 45


def test_xdp_adjust_head_and_tail_match_kernel(loose):
    insns = asm("""
        mov %r6, %r1
        mov %r2, 4
        call 44
        mov %r1, %r6
        mov %r2, -2
        call 65
        mov %r0, 2
        exit
    """)
    prog = loose.prog_load(insns)
    data = bytes(range(60))
    retval, out, _ = loose.test_run(prog, data)
    assert retval == 2 and out == data[4:58]


def test_get_smp_processor_id_on_cpu(loose):
    prog = loose.prog_load(asm("call 8\nexit"), PT.BPF_PROG_TYPE_RAW_TRACEPOINT)
    a = uapi.BpfAttr()
    a.test.prog_fd, a.test.flags, a.test.cpu = prog, uapi.BPF_F_TEST_RUN_ON_CPU, 1
    loose.call(uapi.BpfCmd.BPF_PROG_TEST_RUN, a)
    assert a.test.retval == 1


# --- pyebpf-only helpers ------------------------------------------------------------------------

def test_ringbuf_reserve_submit_discard_and_consume():
    rt = Runtime()
    rb = Map(MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, runtime=rt)
    insns = [ld_map(1, rb.fd), *asm("mov %r2, 8\nmov %r3, 0\ncall 131\njeq %r0, 0, +4\n"
                                    "stdw [%r0], 0x4142\nmov %r1, %r0\nmov %r2, 0\ncall 132"),
             *asm("stdw [%r10-8], 0x55"), ld_map(1, rb.fd),
             *asm("mov %r2, %r10\nadd %r2, -8\nmov %r3, 8\nmov %r4, 0\ncall 130\nexit")]
    prog = BpfProgram(insns, PT.BPF_PROG_TYPE_XDP, runtime=rt)
    assert prog.test_run(bytes(20), repeat=2).retval == 0
    assert rb.consume() == [struct.pack("<Q", 0x4142), struct.pack("<Q", 0x55)] * 2
    assert rb.consume() == []


def test_trace_printk_reaches_trace_pipe():
    rt = Runtime()
    fmt = b"x=%d s=%u\0"
    stores = "\n".join(f"stb [%r10-{16 - i}], {b}" for i, b in enumerate(fmt))
    insns = asm(f"""
        {stores}
        mov %r1, %r10
        add %r1, -16
        mov %r2, {len(fmt)}
        mov %r3, -5
        mov %r4, 7
        mov %r5, 0
        call 6
        exit
    """)
    prog = BpfProgram(insns, PT.BPF_PROG_TYPE_XDP, runtime=rt)
    assert prog.test_run(bytes(20)).retval == len("x=-5 s=7")
    assert rt.trace_pipe() == ["x=-5 s=7"]


def _unverified(text_or_insns, prog_type=PT.BPF_PROG_TYPE_XDP, rt=None):
    rt = rt or Runtime(verifier=False)
    insns = asm(text_or_insns) if isinstance(text_or_insns, str) else text_or_insns
    return rt, BpfProgram(insns, prog_type, runtime=rt)


def _store_str(off: int, data: bytes) -> str:
    return "\n".join(f"stb [%r10-{off - i}], {b}" for i, b in enumerate(data))


def test_strtol_strtoul_strncmp_snprintf():
    text = b"  -0x1f\0"
    _, p = _unverified(f"""
        {_store_str(16, text)}
        mov %r1, %r10
        add %r1, -16
        mov %r2, {len(text)}
        mov %r3, 0
        mov %r4, %r10
        add %r4, -24
        call 105
        ldxdw %r1, [%r10-24]
        lsh %r0, 32
        add %r0, %r1
        exit
    """)
    r = p.test_run(bytes(20)).retval     # retval is u32: the low half, -31
    assert r == (-31) & 0xFFFFFFFF
    _, p = _unverified(f"""
        {_store_str(16, text)}
        mov %r1, %r10
        add %r1, -16
        mov %r2, {len(text)}
        mov %r3, 0
        mov %r4, %r10
        add %r4, -24
        call 106
        exit
    """)
    assert p.test_run(bytes(20)).retval == (-errno.EINVAL) & 0xFFFFFFFF    # no sign for u
    _, p = _unverified(f"""
        {_store_str(16, b"abc")}
        {_store_str(32, b"abd" + bytes(1))}
        mov %r1, %r10
        add %r1, -16
        mov %r2, 3
        mov %r3, %r10
        add %r3, -32
        call 182
        exit
    """)
    assert p.test_run(bytes(20)).retval == 0xFFFFFFFF
    fmt = b"%d-%s\0"
    _, p = _unverified(f"""
        {_store_str(48, fmt)}
        {_store_str(40, b"hi" + bytes(1))}
        stdw [%r10-24], 42
        mov %r1, %r10
        add %r1, -40
        stxdw [%r10-16], %r1
        mov %r1, %r10
        add %r1, -64
        mov %r2, 16
        mov %r3, %r10
        add %r3, -48
        mov %r4, %r10
        add %r4, -24
        mov %r5, 16
        call 165
        ldxdw %r0, [%r10-64]
        exit
    """)
    assert p.test_run(bytes(20)).retval == int.from_bytes(b"42-hi\0\0\0"[:4], "little")


def test_user_registered_helper():
    seen = []

    def double(vm, r1, r2, r3, r4, r5):
        seen.append(r1)
        return r1 * 2

    register_helper(900, "double", double, Ret.RET_INTEGER, (by_name("ktime_get_ns").args),
                    replace=True)
    _, p = _unverified("mov %r1, 21\ncall 900\nexit")
    assert p.test_run(bytes(20)).retval == 42 and seen == [21]


def test_perf_event_output_to_reader():
    rt = Runtime(verifier=False)
    pe = Map(MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, rt.ncpus, runtime=rt)
    reader = pe.perf_reader(0)
    insns = [*asm("stdw [%r10-8], 99\nmov %r4, %r10\nadd %r4, -8"), ld_map(2, pe.fd),
             *asm("lddw %r3, 0xffffffff\nmov %r5, 8\ncall 25\nexit")]
    p = BpfProgram(insns, PT.BPF_PROG_TYPE_XDP, runtime=rt)
    assert p.test_run(bytes(20)).retval == 0
    assert list(reader) == [struct.pack("<Q", 99)]


# --- bad input from unverified programs: errors, never crashes ---------------------------------

def _raw_vm(maps):
    vm = VM()
    for hid, cap in c_helpers().items():
        vm.set_helper(hid, cap)
    ctx = RunContext()
    ctx.set_maps(maps)
    ctx.attach(vm)
    return vm, ctx


def test_invalid_map_pointer_is_an_error():
    m = CMap(MT.BPF_MAP_TYPE_HASH, 4, 4, 4)
    vm, _ = _raw_vm([m])
    prog = Executable(isa.encode(asm("lddw %r1, 0x1000\nmov %r2, %r10\nadd %r2, -4\n"
                                  "call 1\nexit")))
    with pytest.raises(HelperError, match="not a map"):
        vm.run(prog)
    other = CMap(MT.BPF_MAP_TYPE_HASH, 4, 4, 4)           # real map, not in this run's set
    prog = Executable(isa.encode([isa.Instruction(0x18, 1, 0, 0, other.address),
                               *asm("mov %r2, %r10\nadd %r2, -4\ncall 1\nexit")]))
    with pytest.raises(HelperError):
        vm.run(prog)


def test_bad_key_pointer_is_a_memory_fault():
    m = CMap(MT.BPF_MAP_TYPE_HASH, 4, 4, 4)
    vm, _ = _raw_vm([m])
    prog = Executable(isa.encode([isa.Instruction(0x18, 1, 0, 0, m.address),
                               *asm("mov %r2, 16\ncall 1\nexit")]))
    with pytest.raises(MemoryAccessError):
        vm.run(prog)


def test_lookup_result_is_dereferenceable_and_bounded():
    m = CMap(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 2)
    m.update(u32(1), struct.pack("<Q", 1234))
    vm, _ = _raw_vm([m])
    prog = Executable(isa.encode([*asm("stw [%r10-4], 1\nmov %r2, %r10\nadd %r2, -4"),
                               isa.Instruction(0x18, 1, 0, 0, m.address),
                               *asm("call 1\nldxdw %r0, [%r0]\nexit")]))
    assert vm.run(prog) == 1234
    prog = Executable(isa.encode([*asm("stw [%r10-4], 1\nmov %r2, %r10\nadd %r2, -4"),
                               isa.Instruction(0x18, 1, 0, 0, m.address),
                               *asm("call 1\nldxdw %r0, [%r0+4096]\nexit")]))
    with pytest.raises(MemoryAccessError):
        vm.run(prog)


def test_probe_read_outside_owned_memory_gives_efault():
    buf = ctypes.create_string_buffer(b"secret", 8)
    _, p = _unverified(f"""
        stdw [%r10-8], -1
        mov %r1, %r10
        add %r1, -8
        mov %r2, 8
        lddw %r3, {ctypes.addressof(buf)}
        call 113
        ldxdw %r1, [%r10-8]
        jeq %r1, 0, +1
        mov %r0, 99
        exit
    """)
    assert p.test_run(bytes(20)).retval == (-errno.EFAULT) & 0xFFFFFFFF


def test_ringbuf_submit_of_foreign_pointer_is_an_error():
    rt = Runtime(verifier=False)
    rb = Map(MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, runtime=rt)
    insns = [ld_map(1, rb.fd), *asm("mov %r1, %r10\nadd %r1, -8\nmov %r2, 0\ncall 132\nexit")]
    p = BpfProgram(insns, PT.BPF_PROG_TYPE_XDP, runtime=rt)
    with pytest.raises(HelperError):
        p.test_run(bytes(20))


def test_for_each_map_elem_callback():
    """bpf_for_each_map_elem(map, cb, ctx, 0): cb(map, key, value, ctx) per element."""
    rt = Runtime(verifier=False)
    m = Map(MT.BPF_MAP_TYPE_HASH, 4, 8, 8, runtime=rt)
    for k in range(5):
        m[u32(k)] = struct.pack("<Q", 10 * k)
    insns = [ld_map(1, m.fd), isa.Instruction(0x18, 2, isa.BPF_PSEUDO_FUNC, 0, 10), *asm("""
        stdw [%r10-8], 0
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 164
        ldxdw %r1, [%r10-8]
        lsh %r0, 16
        add %r0, %r1
        exit
        ldxdw %r5, [%r3]
        ldxdw %r1, [%r4]
        add %r1, %r5
        stxdw [%r4], %r1
        mov %r0, 0
        exit
    """)]
    p = BpfProgram(insns, PT.BPF_PROG_TYPE_XDP, runtime=rt)
    assert p.test_run(bytes(20)).retval == (5 << 16) + 100
