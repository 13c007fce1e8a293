"""The direct paths of pyebpf.objects: Program.test_run / test_run_batch without bpf().

Every result is compared with the bpf() path (same program, same runtime) and, where
bpf() works, with the live kernel's BPF_PROG_TEST_RUN, on the shipped capture (which
these paths did not shape) and on programs that write the packet, fault, or need the
Python run state (which must take the bpf() path).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pyebpf
from pyebpf import asm, uapi
from pyebpf.elf import load_into_kernel
from pyebpf.errors import MemoryAccessError
from pyebpf.objects import Program
from pyebpf.pcap import read_pcap
from pyebpf.runtime import Runtime

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
XDP = uapi.BpfProgType.BPF_PROG_TYPE_XDP
CAPTURE = [p.data for p in read_pcap(EXAMPLES / "traffic.pcap")]


def _stats(coll: object) -> list[bytes]:
    m = coll.maps["stats"]  # type: ignore[attr-defined]
    return [m.lookup(i) for i in range(5)]


def test_firewall_capture_batch_equals_bpf_path_and_kernel(kernel) -> None:
    spec = pyebpf.load_elf(EXAMPLES / "xdp_firewall.o")
    rt = Runtime()
    with spec.load(rt) as fast, spec.load(rt) as slow:
        fw = fast.programs["xdp_firewall"]
        batch = fw.test_run_batch(CAPTURE * 3)
        assert fw._fast is not False                       # the C loop was used
        ref = [slow.programs["xdp_firewall"]._test_run_bpf(p) for p in CAPTURE * 3]
        assert list(batch.retvals) == [r.retval for r in ref]
        assert list(batch.data_out) == [r.data_out for r in ref]
        assert _stats(fast) == _stats(slow)
        single = [fw.test_run(p) for p in CAPTURE]
        assert [r.retval for r in single] == [r.retval for r in ref[:len(CAPTURE)]]
        with load_into_kernel(spec) as kc:
            kp = kc.programs["xdp_firewall"]
            kref = [kp.test_run(p) for p in CAPTURE * 3]
            assert list(batch.retvals) == [r.retval for r in kref]
            assert list(batch.data_out) == [r.data_out for r in kref]


WRITER = """
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 14
    if r3 > r2 goto +5
    r4 = *(u8 *)(r1 + 0)
    r4 += 1
    *(u8 *)(r1 + 0) = r4
    r0 = *(u8 *)(r1 + 13)
    exit
    r0 = 1
    exit
"""


def test_packet_writes_and_fresh_frames(kernel) -> None:
    """A program that rewrites byte 0 and returns byte 13: data out, retvals, and no
    bytes of one packet left for the next (a shorter packet after a longer one)."""
    code = asm.assemble(WRITER, "llvm")
    prog = Program(code, XDP, runtime=Runtime())
    packets = [bytes(range(i, i + 14 + 3 * i)) for i in range(40)] + [bytes(14), bytes(60)]
    batch = prog.test_run_batch(packets)
    ref = [prog._test_run_bpf(p) for p in packets]
    assert list(batch.retvals) == [r.retval for r in ref]
    assert list(batch.data_out) == [r.data_out for r in ref]
    assert prog.test_run(packets[5])[:3] == prog._test_run_bpf(packets[5])[:3]
    with kernel.KernelProgram(code, XDP) as kp:
        assert [kp.test_run(p).data_out for p in packets] == list(batch.data_out)


def test_fault_reports_the_packet() -> None:
    """An unverified program reading past its frame: the batch stops at that packet."""
    code = asm.assemble("""
        r2 = *(u32 *)(r1 + 0)
        r3 = *(u8 *)(r2 + 20)
        if r3 != 7 goto +2
        r2 += 100000
        r0 = *(u8 *)(r2 + 0)
        r0 = 2
        exit
    """, "llvm")
    prog = Program(code, XDP, runtime=Runtime(verifier=False))
    ok = bytes(64)
    bad = bytes(20) + b"\x07" + bytes(43)
    with pytest.raises(MemoryAccessError) as info:
        prog.test_run_batch([ok, ok, bad, ok])
    assert info.value.packet_index == 2
    assert list(prog.test_run_batch([ok, ok]).retvals) == [2, 2]


def test_python_state_programs_and_odd_sizes_take_the_bpf_path() -> None:
    """bpf_xdp_adjust_head needs the Python run state: no direct path; packets test_run
    refuses keep their errno and say which packet."""
    code = asm.assemble("""
        r6 = r1
        r2 = 4
        call 44
        r2 = *(u32 *)(r6 + 4)
        r1 = *(u32 *)(r6 + 0)
        r0 = r2
        r0 -= r1
        exit
    """, "llvm")
    prog = Program(code, XDP, runtime=Runtime())
    out = prog.test_run_batch([bytes(64), bytes(100)])
    assert prog._fast is False
    assert list(out.retvals) == [60, 96] and list(out.data_out) == [bytes(60), bytes(96)]
    empty = Program(asm.assemble("r0 = 2\nexit", "llvm"), XDP, runtime=Runtime())
    with pytest.raises(pyebpf.BPFError) as info:
        empty.test_run_batch([bytes(64), bytes(10)])
    assert info.value.packet_index == 1 and info.value.errno == 22
    with pytest.raises(pyebpf.BPFError) as info:
        empty.test_run(bytes(4000))              # beyond one page: frags, refused
    assert info.value.errno == 95


MT = uapi.BpfMapType


def _via_bpf(m: object, op: str, key: bytes, value: bytes = b"", flags: int = 0) -> object:
    """The same element command through bpf() (what Map did before its direct paths)."""
    import ctypes

    from pyebpf.objects import Cmd

    try:
        if op == "lookup":
            out = ctypes.create_string_buffer(max(m.user_value_size, 1))  # type: ignore[attr-defined]
            m._elem(Cmd.BPF_MAP_LOOKUP_ELEM, key, out, flags)  # type: ignore[attr-defined]
            return out.raw[:m.user_value_size]  # type: ignore[attr-defined]
        if op == "update":
            buf = ctypes.create_string_buffer(value, len(value))
            m._elem(Cmd.BPF_MAP_UPDATE_ELEM, key, buf, flags)  # type: ignore[attr-defined]
        else:
            m._elem(Cmd.BPF_MAP_DELETE_ELEM, key, None)  # type: ignore[attr-defined]
        return None
    except pyebpf.BPFError as e:
        return ("errno", e.errno)


def _direct(m: object, op: str, key: bytes, value: bytes = b"", flags: int = 0) -> object:
    try:
        if op == "lookup":
            v = m.lookup(key, flags)  # type: ignore[attr-defined]
            return b"".join(x.ljust((m.value_size + 7) // 8 * 8, b"\0")  # type: ignore
                            for x in v) if isinstance(v, list) else v
        if op == "update":
            m.update(key, value, flags)  # type: ignore[attr-defined]
        else:
            m.delete(key)  # type: ignore[attr-defined]
        return None
    except pyebpf.BPFError as e:
        return ("errno", e.errno)


@pytest.mark.parametrize("map_type,flags", [
    (MT.BPF_MAP_TYPE_HASH, 0), (MT.BPF_MAP_TYPE_ARRAY, 0), (MT.BPF_MAP_TYPE_LRU_HASH, 0),
    (MT.BPF_MAP_TYPE_PERCPU_HASH, 0), (MT.BPF_MAP_TYPE_PERCPU_ARRAY, 0),
    (MT.BPF_MAP_TYPE_HASH, uapi.BPF_F_RDONLY), (MT.BPF_MAP_TYPE_HASH, uapi.BPF_F_WRONLY),
    (MT.BPF_MAP_TYPE_ARRAY, uapi.BPF_F_RDONLY),
])
def test_map_direct_paths_answer_as_bpf(map_type: int, flags: int) -> None:
    """A fixed script of element commands, on two identical maps: one through the direct
    paths, one through bpf(); every value and errno the same, then the same contents.
    (The kernel's errnos for these are checked by test_maps against bpf().)"""
    import random

    from pyebpf.objects import Map

    rt = Runtime(ncpus=2)
    a, b = (Map(map_type, 4, 8, 8, flags=flags, runtime=rt) for _ in range(2))
    rng = random.Random(12)
    vsize = a.user_value_size
    for step in range(400):
        op = rng.choice(["lookup", "update", "update", "delete"])
        key = rng.randrange(12).to_bytes(4, "little")
        if step % 97 == 0:
            key = key[:3]                               # a wrong key size
        value = rng.randbytes(vsize if step % 89 else vsize - 1)
        uflags = rng.choice([uapi.BPF_ANY, uapi.BPF_NOEXIST, uapi.BPF_EXIST, 7])
        if step == 300 and not flags:
            for m in (a, b):
                m.freeze()
        if op == "update" and len(value) != vsize:
            # bpf() would read value_size bytes from a shorter buffer (what follows it in
            # memory); the Python API refuses the short value instead
            assert _direct(a, op, key, value, uflags) == ("errno", 22)
            continue
        assert _direct(a, op, key, value, uflags) == _via_bpf(b, op, key, value, uflags), \
            (step, op, key, uflags)
    if not flags & uapi.BPF_F_WRONLY:
        assert sorted(a.dump()) == sorted((k, b.lookup(k)) for k in b)

