"""The socket-side, cgroup, flow dissector and LWT program types against the kernel.

- every context offset x size x direction (tests/_ctxprobe.py; the kernel's answers recorded
  in tests/data/ctxprobe/kernel.json, re-probed live on a sample where bpf() works);
- which helpers each type (and attach type) offers (tests/data/ctxprobe/helpers.json);
- return ranges and expected_attach_type checks;
- what the pointers in these contexts (``skops->sk``, ``ctx->flow_keys``...) allow, live;
- test_run: the errno of the types the kernel cannot run, flow dissector and LWT runs.
"""

from __future__ import annotations

import json
import os
import random

import pytest

from pyebpf import uapi
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.verifier import bpf_check, env
from tests import _ctxprobe as cp

PT = uapi.BpfProgType
AT = uapi.BpfAttachType
LONG = os.environ.get("PYEBPF_LONG") == "1"
TABLE = cp.load()
HELPER_TABLE = json.loads(cp.HELPER_DATA.read_text())
CASES = cp.cases()


def test_recording_is_complete() -> None:
    assert {cp.key(*c) for c in CASES} == set(TABLE)
    assert sum(v == "ok" for v in TABLE.values()) > 2000  # the probe found the fields


def test_ctx_verdicts_match_the_kernel_everywhere() -> None:
    """env.ctx_access on all 30k probes: accepted exactly where the kernel accepts."""
    bad = []
    for c in CASES:
        name, at, off, size, write = c
        mine = env.ctx_access(int(PT["BPF_PROG_TYPE_" + name]), off, size, write, True, at)
        if (mine is not None) != (TABLE[cp.key(*c)] == "ok"):
            bad.append((cp.key(*c), TABLE[cp.key(*c)], mine))
    assert not bad, bad[:20]


def test_ctx_probe_through_the_verifier() -> None:
    """The whole verifier (errno and error line) on every accepted probe and a fixed
    tenth of the refused ones (all of them with PYEBPF_LONG=1)."""
    rnd = random.Random(14)
    bad = []
    for c in CASES:
        k = TABLE[cp.key(*c)]
        if k != "ok" and not LONG and rnd.random() > 0.1:
            continue
        mine = cp.pyebpf_answer(*c)
        if mine != k:
            bad.append((cp.key(*c), k, mine))
    assert not bad, bad[:20]


def test_recording_is_still_the_kernels(kernel) -> None:
    """A sample of the recording probed again (all of it with PYEBPF_LONG=1)."""
    rnd = random.Random(9)
    sample = CASES if LONG else rnd.sample(CASES, 600)
    bad = [(cp.key(*c), TABLE[cp.key(*c)], got) for c in sample
           if (got := cp.kernel_answer(kernel, *c)) != TABLE[cp.key(*c)]]
    assert not bad, bad[:20]


@pytest.mark.parametrize("cfg", sorted(HELPER_TABLE))
def test_helper_availability_matches_the_kernel(cfg: str) -> None:
    from pyebpf.progtypes import PROG_TYPES

    name, at = cfg.split("/")
    spec = PROG_TYPES[int(PT["BPF_PROG_TYPE_" + name])]
    mine = sorted(f for f in cp.HELPER_IDS if f in spec.helpers_for(int(at)))
    assert mine == HELPER_TABLE[cfg]


def test_helper_recording_is_still_the_kernels(kernel) -> None:
    for cfg in ("SOCK_OPS/0", "CGROUP_SOCK_ADDR/10", "CGROUP_SOCKOPT/22", "SK_MSG/7"):
        name, at = cfg.split("/")
        assert cp.kernel_helpers(kernel, name, int(at)) == HELPER_TABLE[cfg], cfg


# --- return ranges and attach types -----------------------------------------------------

def _ret(v: int) -> list[Instruction]:
    return [Instruction(0xB7, 0, 0, 0, v, pc=0), Instruction(0x95, 0, 0, 0, 0, pc=1)]


RET_CONFIGS = [(n, a) for n, ats, _ in cp.CONFIGS for a in ats] + [
    ("CGROUP_SOCK", 0), ("SK_REUSEPORT", 0), ("CGROUP_SOCK_ADDR", 0),
    ("CGROUP_SOCK_ADDR", int(AT.BPF_CGROUP_INET4_POST_BIND)), ("SK_LOOKUP", 0),
    ("CGROUP_SOCKOPT", 0), ("CGROUP_SOCK", int(AT.BPF_CGROUP_INET4_CONNECT))]


def _answer(fn) -> str:
    try:
        fn()
    except VerifierError as e:
        return f"{e.errno}:{cp.reason(e.log) if e.log else ''}"
    except BPFError as e:
        return f"{e.errno}:"
    return "ok"


def test_return_ranges_and_attach_types(kernel) -> None:
    bad = []
    for name, at in RET_CONFIGS:
        pt = int(PT["BPF_PROG_TYPE_" + name])
        for v in (-1, 0, 1, 2, 3, 4):
            def k(v=v, pt=pt, at=at):
                kernel.KernelProgram(_ret(v), pt, expected_attach_type=at).close()

            def m(v=v, pt=pt, at=at):
                bpf_check(_ret(v), pt, expected_attach_type=at, log_level=1)
            ka, ma = _answer(k), _answer(m)
            if ma != ka:
                bad.append((name, at, v, ka, ma))
    assert not bad, bad


# --- pointers found in these contexts, live ---------------------------------------------

def _ptr_programs(off: int, ret: int) -> dict[str, list[Instruction]]:
    """Uses of a pointer loaded from ctx+off: deref, null-checked deref, arithmetic, store,
    a narrow read at +1 and a read past the object."""
    ld = (0x79, 2, 1, off, 0)
    tail = [(0xB7, 0, 0, 0, ret), (0x95, 0, 0, 0, 0)]
    progs = {
        "deref": [ld, (0x61, 3, 2, 4, 0)],
        "null_checked": [ld, (0x15, 2, 0, 1, 0), (0x61, 3, 2, 4, 0)],
        "null_checked_narrow": [ld, (0x15, 2, 0, 1, 0), (0x71, 3, 2, 5, 0)],
        "null_checked_far": [ld, (0x15, 2, 0, 1, 0), (0x61, 3, 2, 80, 0)],
        "arith": [ld, (0x07, 2, 0, 0, 4), (0x15, 2, 0, 1, 0), (0x61, 3, 2, 0, 0)],
        "store": [ld, (0x15, 2, 0, 2, 0), (0xB7, 3, 0, 0, 0), (0x63, 2, 3, 4, 0)],
        "type_read": [ld, (0x15, 2, 0, 1, 0), (0x61, 3, 2, 8, 0)],
    }
    return {k: [Instruction(*t, pc=i) for i, t in enumerate(v + tail)] for k, v in progs.items()}


PTR_FIELDS = [
    ("SOCK_OPS", 0, uapi.BpfSockOps.sk.offset),
    ("CGROUP_SOCK_ADDR", int(AT.BPF_CGROUP_INET4_CONNECT), uapi.BpfSockAddr.sk.offset),
    ("CGROUP_SOCKOPT", int(AT.BPF_CGROUP_GETSOCKOPT), uapi.BpfSockopt.sk.offset),
    ("SK_MSG", int(AT.BPF_SK_MSG_VERDICT), uapi.SkMsgMd.sk.offset),
    ("SK_REUSEPORT", int(AT.BPF_SK_REUSEPORT_SELECT), uapi.SkReuseportMd.sk.offset),
    ("SK_REUSEPORT", int(AT.BPF_SK_REUSEPORT_SELECT), uapi.SkReuseportMd.migrating_sk.offset),
    ("SK_LOOKUP", int(AT.BPF_SK_LOOKUP), 0),
    ("SK_SKB", int(AT.BPF_SK_SKB_STREAM_VERDICT), uapi.SkBuff.sk.offset),
    ("LWT_XMIT", 0, uapi.SkBuff.sk.offset),
    ("FLOW_DISSECTOR", int(AT.BPF_FLOW_DISSECTOR), uapi.SkBuff.flow_keys.offset),
]


@pytest.mark.parametrize(("name", "at", "off"), PTR_FIELDS)
def test_context_pointers_match_the_kernel(kernel, name: str, at: int, off: int) -> None:
    pt = int(PT["BPF_PROG_TYPE_" + name])
    bad = []
    for what, insns in _ptr_programs(off, cp.ret_value(at)).items():
        ka = _answer(lambda insns=insns: kernel.KernelProgram(insns, pt,
                                                               expected_attach_type=at).close())
        ma = _answer(lambda insns=insns: bpf_check(insns, pt, expected_attach_type=at,
                                                   log_level=1))
        if ka != ma:
            bad.append((what, ka, ma))
    assert not bad, bad


# --- packet writes ----------------------------------------------------------------------

PKT_TYPES = ["SK_SKB", "SK_MSG", "SK_REUSEPORT", "FLOW_DISSECTOR", "LWT_IN", "LWT_OUT",
             "LWT_XMIT", "LWT_SEG6LOCAL", "CGROUP_SOCKOPT", "SOCK_OPS", "CGROUP_SKB"]
_DATA_FIELDS = {
    "SK_MSG": (0, 8, 0x79), "SK_REUSEPORT": (0, 8, 0x79), "CGROUP_SOCKOPT": (8, 16, 0x79),
    "SOCK_OPS": (uapi.BpfSockOps.skb_data.offset, uapi.BpfSockOps.skb_data_end.offset, 0x79)}


@pytest.mark.parametrize("name", PKT_TYPES)
def test_packet_read_and_write_match_the_kernel(kernel, name: str) -> None:
    pt = int(PT["BPF_PROG_TYPE_" + name])
    data, end, ld = _DATA_FIELDS.get(name, (uapi.SkBuff.data.offset, uapi.SkBuff.data_end.offset,
                                             0x61))
    at = {"SK_MSG": AT.BPF_SK_MSG_VERDICT, "SK_REUSEPORT": AT.BPF_SK_REUSEPORT_SELECT,
          "CGROUP_SOCKOPT": AT.BPF_CGROUP_SETSOCKOPT, "FLOW_DISSECTOR": AT.BPF_FLOW_DISSECTOR,
          }.get(name, 0)
    for op in ((0x71, 0, 2, 0, 0), (0x72, 2, 0, 0, 1)):   # r0 = *(u8 *)data; *(u8 *)data = 1
        insns = [Instruction(*t, pc=i) for i, t in enumerate([
            (ld, 2, 1, data, 0), (ld, 3, 1, end, 0), (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 1),
            (0x2D, 4, 3, 1, 0), op, (0xB7, 0, 0, 0, 1), (0x95, 0, 0, 0, 0)])]
        ka = _answer(lambda insns=insns: kernel.KernelProgram(
            insns, pt, expected_attach_type=int(at)).close())
        ma = _answer(lambda insns=insns: bpf_check(insns, pt, expected_attach_type=int(at),
                                                   log_level=1))
        assert ka == ma, (name, op, ka, ma)


# --- test_run ---------------------------------------------------------------------------

NO_RUN = ["SOCK_OPS", "CGROUP_SOCK", "CGROUP_SOCK_ADDR", "CGROUP_SOCKOPT", "CGROUP_SYSCTL",
          "CGROUP_DEVICE", "SK_SKB", "SK_MSG", "SK_REUSEPORT", "LWT_SEG6LOCAL"]


def _load(name: str, at: int, insns: list[Instruction]):
    from pyebpf.runtime import LoadRequest, Runtime

    rt = Runtime()
    prog, _ = rt.load_program(LoadRequest(prog_type=int(PT["BPF_PROG_TYPE_" + name]),
                                          insns=b"".join(i.encode() for i in insns),
                                          expected_attach_type=at))
    return prog


@pytest.mark.parametrize("name", NO_RUN)
def test_types_without_test_run(name: str) -> None:
    from pyebpf import progtypes

    at = dict((n, a[0]) for n, a, _ in cp.CONFIGS)[name]
    prog = _load(name, at, _ret(cp.ret_value(at)))
    with pytest.raises(BPFError) as e:
        progtypes.test_run(prog, progtypes.TestRunParams(data_in=bytes(64)))
    assert e.value.errno == progtypes.ENOTSUPP


def _flow_prog() -> list[Instruction]:
    """Flow dissector from selftests' bpf_flow.c in miniature: read the EtherType, set
    n_proto/nhoff/thoff/ip_proto in the flow keys, BPF_OK for IPv4 else BPF_DROP."""
    keys = uapi.SkBuff.flow_keys.offset
    fk = uapi.BpfFlowKeys
    t = [
        (0x79, 6, 1, keys, 0),                     # r6 = ctx->flow_keys
        (0x61, 2, 1, uapi.SkBuff.data.offset, 0),
        (0x61, 3, 1, uapi.SkBuff.data_end.offset, 0),
        (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 34), (0x2D, 4, 3, 9, 0),   # need 34 bytes
        (0x69, 5, 2, 12, 0),                       # h_proto (network order as stored)
        (0x55, 5, 0, 7, 0x0008),                   # != htons(ETH_P_IP) -> drop
        (0x71, 7, 2, 23, 0),                       # ip->protocol
        (0x73, 6, 7, fk.ip_proto.offset, 0),
        (0xB7, 8, 0, 0, 34), (0x6B, 6, 8, fk.thoff.offset, 0),
        (0x6B, 6, 5, fk.n_proto.offset, 0),
        (0xB7, 0, 0, 0, 0), (0x95, 0, 0, 0, 0),
        (0xB7, 0, 0, 0, 2), (0x95, 0, 0, 0, 0),
    ]
    return [Instruction(*x, pc=i) for i, x in enumerate(t)]


FLOW_PACKETS = [
    bytes(12) + b"\x08\x00" + bytes(9) + b"\x06" + bytes(40),   # IPv4, TCP
    bytes(12) + b"\x86\xdd" + bytes(60),                        # IPv6: dropped
    bytes(12) + b"\x08\x00" + bytes(6),                         # IPv4, too short
    bytes(14),
]


@pytest.mark.parametrize("pkt", FLOW_PACKETS)
def test_flow_dissector_test_run_matches_the_kernel(kernel, pkt: bytes) -> None:
    from pyebpf import progtypes

    insns = _flow_prog()
    kp = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_FLOW_DISSECTOR,
                              expected_attach_type=int(AT.BPF_FLOW_DISSECTOR))
    try:
        kr = kp.test_run(pkt)
    finally:
        kp.close()
    prog = _load("FLOW_DISSECTOR", int(AT.BPF_FLOW_DISSECTOR), insns)
    out = progtypes.test_run(prog, progtypes.TestRunParams(data_in=pkt, want_data_out=True,
                                                           data_size_out=64))
    assert (out.retval, out.data_out) == (kr.retval, kr.data_out)


@pytest.mark.parametrize("name", ["LWT_IN", "LWT_OUT", "LWT_XMIT"])
def test_lwt_test_run_matches_the_kernel(kernel, name: str) -> None:
    """An LWT program sees the packet from its IP header: return its first byte + len."""
    from pyebpf import progtypes

    t = [(0x61, 2, 1, uapi.SkBuff.data.offset, 0), (0x61, 3, 1, uapi.SkBuff.data_end.offset, 0),
         (0xBF, 4, 2, 0, 0), (0x07, 4, 0, 0, 1), (0xB7, 0, 0, 0, 0), (0x2D, 4, 3, 3, 0),
         (0x71, 0, 2, 0, 0), (0x61, 5, 1, 0, 0), (0x0F, 0, 5, 0, 0), (0x95, 0, 0, 0, 0)]
    insns = [Instruction(*x, pc=i) for i, x in enumerate(t)]
    pkt = bytes(12) + b"\x08\x00" + b"\x45" + bytes(40)
    kp = kernel.KernelProgram(insns, int(PT["BPF_PROG_TYPE_" + name]))
    try:
        kr = kp.test_run(pkt)
    finally:
        kp.close()
    prog = _load(name, 0, insns)
    out = progtypes.test_run(prog, progtypes.TestRunParams(data_in=pkt, want_data_out=True))
    assert (out.retval, out.data_out) == (kr.retval, kr.data_out)


def _sk_lookup_prog() -> list[Instruction]:
    """Return SK_PASS for local port 7007 over TCP/IPv4 from 10.0.0.1, else SK_DROP, and
    read remote_port with a narrow load (its u16 lies at offset 36)."""
    lk = uapi.BpfSkLookup
    t = [(0x61, 2, 1, lk.local_port.offset, 0), (0x61, 3, 1, lk.protocol.offset, 0),
         (0x61, 4, 1, lk.remote_ip4.offset, 0), (0x69, 5, 1, lk.remote_port.offset, 0),
         (0xB7, 0, 0, 0, 0), (0x55, 2, 0, 4, 7007), (0x55, 3, 0, 3, 6),
         (0x55, 4, 0, 2, 0x0100000A), (0x15, 5, 0, 1, 0), (0xB7, 0, 0, 0, 1),
         (0x95, 0, 0, 0, 0)]
    return [Instruction(*x, pc=i) for i, x in enumerate(t)]


def _lookup_ctx(family: int = 2, protocol: int = 6, local_port: int = 7007,
                remote_port: int = 0x3930, remote_ip4: int = 0x0100000A, **extra: int) -> bytes:
    c = uapi.BpfSkLookup()
    c.family, c.protocol, c.local_port = family, protocol, local_port
    c.remote_port, c.remote_ip4 = remote_port, remote_ip4
    for k, v in extra.items():
        setattr(c, k, v)
    return bytes(c)


@pytest.mark.parametrize("ctx", [
    _lookup_ctx(), _lookup_ctx(local_port=80), _lookup_ctx(protocol=17),
    _lookup_ctx(remote_ip4=0x0200000A), _lookup_ctx(remote_port=0),
    _lookup_ctx(family=1), _lookup_ctx(local_port=70000), _lookup_ctx(ingress_ifindex=1),
    None,
])
def test_sk_lookup_test_run_matches_the_kernel(kernel, ctx: bytes | None) -> None:
    from pyebpf import progtypes

    insns = _sk_lookup_prog()
    kp = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_SK_LOOKUP,
                              expected_attach_type=int(AT.BPF_SK_LOOKUP))
    try:
        try:
            kr = kp.test_run(None, ctx)
            kernel_says = (kr.retval, kr.ctx_out)
        except BPFError as e:
            kernel_says = e.errno
    finally:
        kp.close()
    prog = _load("SK_LOOKUP", int(AT.BPF_SK_LOOKUP), insns)
    try:
        out = progtypes.test_run(prog, progtypes.TestRunParams(
            ctx_in=ctx, want_ctx_out=ctx is not None, ctx_size_out=len(ctx or b"")))
        mine = (out.retval, out.ctx_out)
    except BPFError as e:
        mine = e.errno
    assert mine == kernel_says


@pytest.mark.parametrize("name", ["SOCKET_FILTER", "SCHED_CLS", "CGROUP_SKB"])
def test_socket_cookie_under_test_run(kernel, name: str) -> None:
    """bpf_get_socket_cookie twice in one run: the same nonzero cookie (test_run's socket)."""
    fid = int(uapi.BpfFunc.BPF_FUNC_get_socket_cookie)
    t = [(0xBF, 6, 1, 0, 0), (0x85, 0, 0, 0, fid), (0xBF, 7, 0, 0, 0), (0xBF, 1, 6, 0, 0),
         (0x85, 0, 0, 0, fid), (0xBF, 1, 0, 0, 0), (0xB7, 0, 0, 0, 0), (0x5D, 1, 7, 2, 0),
         (0x15, 1, 0, 1, 0), (0xB7, 0, 0, 0, 1), (0x95, 0, 0, 0, 0)]
    insns = [Instruction(*x, pc=i) for i, x in enumerate(t)]
    pt = int(PT["BPF_PROG_TYPE_" + name])
    at = int(AT.BPF_CGROUP_INET_INGRESS)
    pkt = bytes(12) + b"\x08\x00" + b"\x45" + bytes(40)
    kp = kernel.KernelProgram(insns, pt, expected_attach_type=at)
    try:
        kr = kp.test_run(pkt)
    finally:
        kp.close()
    from pyebpf import progtypes

    out = progtypes.test_run(_load(name, at, insns), progtypes.TestRunParams(data_in=pkt))
    assert out.retval == kr.retval == 1


def test_flow_dissector_load_bytes_has_no_skb_under_test_run(kernel) -> None:
    """bpf_skb_load_bytes in a flow dissector test run: EFAULT (the kernel's ctx->skb is
    NULL there), while direct packet access works."""
    from pyebpf import progtypes

    t = [(0xB7, 2, 0, 0, 0), (0xBF, 3, 10, 0, 0), (0x07, 3, 0, 0, -8), (0xB7, 4, 0, 0, 4),
         (0x85, 0, 0, 0, int(uapi.BpfFunc.BPF_FUNC_skb_load_bytes)), (0x95, 0, 0, 0, 0)]
    insns = [Instruction(*x, pc=i) for i, x in enumerate(t)]
    at = int(AT.BPF_FLOW_DISSECTOR)
    pkt = bytes(12) + b"\x08\x00" + bytes(40)
    kp = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_FLOW_DISSECTOR, expected_attach_type=at)
    try:
        kr = kp.test_run(pkt)
    finally:
        kp.close()
    out = progtypes.test_run(_load("FLOW_DISSECTOR", at, insns),
                             progtypes.TestRunParams(data_in=pkt))
    assert out.retval == kr.retval == (-14) & 0xFFFFFFFF


@pytest.mark.parametrize(("name", "at", "off", "op"), [
    ("SOCK_OPS", 0, 4, 0x63), ("CGROUP_SOCK", int(AT.BPF_CGROUP_INET_SOCK_CREATE), 16, 0x63),
    ("LWT_XMIT", 0, 48, 0x7B), ("CGROUP_SOCK_ADDR", int(AT.BPF_CGROUP_INET6_CONNECT), 8, 0x7B),
    ("SCHED_CLS", 0, 48, 0x63), ("SOCK_OPS", 0, 8, 0x63),
])
def test_pointer_stores_into_ctx_match_the_kernel(kernel, name: str, at: int, off: int,
                                                  op: int) -> None:
    """``*(ctx + off) = r10``: a privileged loader may store a pointer into a writable
    context field (the kernel's leak check is for unprivileged ones only)."""
    insns = [Instruction(op, 1, 10, off, 0, pc=0), Instruction(0xB7, 0, 0, 0, 1, pc=1),
             Instruction(0x95, 0, 0, 0, 0, pc=2)]
    pt = int(PT["BPF_PROG_TYPE_" + name])
    ka = _answer(lambda: kernel.KernelProgram(insns, pt, expected_attach_type=at).close())
    ma = _answer(lambda: bpf_check(insns, pt, expected_attach_type=at, log_level=1))
    assert ka == ma
