"""BPF_PROG_TYPE_CGROUP_SKB, side by side with the live kernel.

cg_skb_is_valid_access (which ``__sk_buff`` fields a cgroup skb program may read and
write: mark, priority and cb written; data/data_end direct packet access), the return
range check_return_code enforces (0..1, 0..3 for BPF_CGROUP_INET_EGRESS), the helpers
cg_skb_func_proto gives, the expected attach types bpf_prog_load_check_attach takes, and
PROG_TEST_RUN (bpf_prog_test_run_skb without a link-layer header).
"""

from __future__ import annotations

import errno
import struct

import pytest

from pyebpf import asm, helpers, uapi
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.objects import Map, Program
from pyebpf.runtime import Runtime
from pyebpf.verifier import bpf_check, diff
from pyebpf.verifier.env import ctx_access

CG = uapi.BpfProgType.BPF_PROG_TYPE_CGROUP_SKB
INGRESS = uapi.BpfAttachType.BPF_CGROUP_INET_INGRESS
EGRESS = uapi.BpfAttachType.BPF_CGROUP_INET_EGRESS
LDX = {1: 0x71, 2: 0x69, 4: 0x61, 8: 0x79}
STX = {1: 0x73, 2: 0x6B, 4: 0x63, 8: 0x7B}
IPV4_UDP = (bytes(12) + b"\x08\x00"
            + bytes.fromhex("4500002400004000401100000a0000010a000002") + b"payload!" * 2)


def _kernel_line(kernel, insns: list[Instruction], eat: int = 0) -> str:
    """The kernel's verdict: "ok", its first error line, or the errno of a log-less refusal."""
    try:
        kernel.KernelProgram(insns, CG, expected_attach_type=eat, log_level=1).close()
        return "ok"
    except VerifierError as exc:
        line = diff.error_line(exc.log)
        return line or f"errno {exc.errno}"
    except BPFError as exc:
        return f"errno {exc.errno}"


def _our_line(insns: list[Instruction], eat: int = 0) -> str:
    try:
        bpf_check(insns, CG, expected_attach_type=eat, log_level=1)
        return "ok"
    except VerifierError as exc:
        return exc.reason if exc.log or exc.errno != errno.EINVAL else f"errno {exc.errno}"


def _ctx_cases() -> list[tuple[str, list[Instruction]]]:
    cases = []
    for off in range(0, 192, 4):
        for size in (1, 2, 4, 8):
            if off % size:
                continue
            if off == 168 and size == 8:
                continue  # sk: PTR_TO_SOCK_COMMON_OR_NULL is not modelled (see README)
            cases.append((f"read-{off}-{size}", [Instruction(LDX[size], 0, 1, off, 0, 0),
                                                 Instruction(0xB7, 0, 0, 0, 1, 1),
                                                 Instruction(0x95, 0, 0, 0, 0, 2)]))
            cases.append((f"write-{off}-{size}", [Instruction(0xB7, 2, 0, 0, 0, 0),
                                                  Instruction(STX[size], 1, 2, off, 0, 1),
                                                  Instruction(0xB7, 0, 0, 0, 1, 2),
                                                  Instruction(0x95, 0, 0, 0, 0, 3)]))
    return cases


def test_ctx_access_matches_kernel(kernel) -> None:
    """Every aligned read and write of __sk_buff: allowed or refused as the kernel does."""
    differ = []
    for name, insns in _ctx_cases():
        k, o = _kernel_line(kernel, insns), _our_line(insns)
        if k != o:
            differ.append(f"{name}: kernel {k!r} ours {o!r}")
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("field,writable", [("mark", True), ("priority", True), ("cb", True),
                                            ("tstamp", True), ("tc_index", False),
                                            ("queue_mapping", False), ("len", False)])
def test_writable_fields(field: str, writable: bool) -> None:
    f = getattr(uapi.SkBuff, field)
    size = 8 if field == "tstamp" else 4
    assert (ctx_access(CG, f.offset, size, True) is not None) is writable


def test_packet_pointers_need_cap_bpf() -> None:
    """data/data_end are packet pointers for a loader with CAP_BPF, refused without it;
    so is a tstamp write."""
    data, end = uapi.SkBuff.data.offset, uapi.SkBuff.data_end.offset
    assert ctx_access(CG, data, 4, False) == "pkt"
    assert ctx_access(CG, end, 4, False) == "pkt_end"
    assert ctx_access(CG, data, 4, False, priv=False) is None
    assert ctx_access(CG, uapi.SkBuff.tstamp.offset, 8, True, priv=False) is None
    assert ctx_access(CG, uapi.SkBuff.mark.offset, 4, True, priv=False) == "scalar"
    assert ctx_access(CG, uapi.SkBuff.data_meta.offset, 4, False) is None


@pytest.mark.parametrize("eat", [INGRESS, EGRESS, 2, 7], ids=["ingress", "egress", "2", "7"])
@pytest.mark.parametrize("r0", ["0", "1", "2", "3", "4", "-1", "ptr", "u32", "u32&3",
                                "u32&3-2"])
def test_return_range_matches_kernel(kernel, eat: int, r0: str) -> None:
    body = {"ptr": "r0 = r1", "u32": "r0 = *(u32 *)(r1 + 0)",
            "u32&3": "r0 = *(u32 *)(r1 + 0)\nr0 &= 3",
            "u32&3-2": "r0 = *(u32 *)(r1 + 0)\nr0 &= 3\nr0 += -2"}.get(r0, f"r0 = {r0}")
    insns = asm.assemble(body + "\nexit", "llvm")
    assert _our_line(insns, eat) == _kernel_line(kernel, insns, eat)


def test_helpers_match_kernel(kernel) -> None:
    """cg_skb_func_proto, among the helpers pyebpf implements: called with whatever is in
    the registers, a helper is refused for the type or for its arguments."""
    differ = []
    for hid in sorted(helpers.HELPERS):
        insns = [Instruction(0x85, 0, 0, 0, hid, 0), Instruction(0xB7, 0, 0, 0, 0, 1),
                 Instruction(0x95, 0, 0, 0, 0, 2)]
        k, o = _kernel_line(kernel, insns), _our_line(insns)
        if ("cannot use helper" in k) != ("cannot use helper" in o):
            differ.append(f"{helpers.HELPERS[hid].name}: kernel {k!r} ours {o!r}")
    assert not differ, "\n".join(differ)


_RUN_SRC = """
r6 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = 0 ll
call 1
if r0 == 0 goto +17
r2 = *(u32 *)(r6 + 76)
r3 = *(u32 *)(r6 + 80)
r4 = r3
r4 -= r2
*(u64 *)(r0 + 0) = r4
r4 = *(u32 *)(r6 + 0)
*(u64 *)(r0 + 8) = r4
r4 = *(u32 *)(r6 + 16)
*(u64 *)(r0 + 16) = r4
r4 = *(u32 *)(r6 + 8)
*(u64 *)(r0 + 24) = r4
r4 = r2
r4 += 1
if r4 > r3 goto +2
r4 = *(u8 *)(r2 + 0)
*(u64 *)(r0 + 32) = r4
r0 = 1
exit
"""


def _with_map(insns: list[Instruction], fd: int) -> list[Instruction]:
    return [Instruction(i.code, i.dst, 1, i.off, fd, i.pc) if i.slots == 2 else i
            for i in insns]


def test_test_run_matches_kernel(kernel) -> None:
    """PROG_TEST_RUN: the packet starts at the network header, data/data_end set."""
    insns = asm.assemble(_RUN_SRC, "llvm")
    km = kernel.KernelMap(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, 4, 40, 1)
    try:
        kp = kernel.KernelProgram(_with_map(insns, km.fd), CG)
        try:
            kres = kp.test_run(IPV4_UDP, repeat=0)
        finally:
            kp.close()
        kvals = struct.unpack("<5Q", km.lookup(bytes(4)))
    finally:
        km.close()
    rt = Runtime()
    m = Map(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, 4, 40, 1, runtime=rt)
    p = Program(_with_map(insns, m.fd), CG, runtime=rt)
    res = p.test_run(IPV4_UDP)
    vals = struct.unpack("<5Q", m[bytes(4)])
    p.close()
    m.close()
    assert (res.retval, res.data_out) == (kres.retval, kres.data_out)
    assert vals == kvals
    assert vals[0] == len(IPV4_UDP) - 14 and vals[4] == 0x45  # data points at the IP header


@pytest.mark.parametrize("eat", [2, 9])
def test_bad_expected_attach_type(kernel, eat: int) -> None:
    insns = asm.assemble("r0 = 1\nexit", "llvm")
    assert _kernel_line(kernel, insns, eat) == "errno 22"
    with pytest.raises(BPFError) as exc:
        Program(insns, CG, expected_attach_type=eat, runtime=Runtime())
    assert exc.value.errno == errno.EINVAL
