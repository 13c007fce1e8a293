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
