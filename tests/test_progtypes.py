"""Program types and PROG_TEST_RUN, run side by side on the live kernel and on pyebpf.

Each test loads the same instructions in both and compares retval, data_out,
ctx_out and errnos: the packet as each program type sees it, the context's
fields, the kernel's minimum sizes and refusals, ENOSPC on short buffers.
"""

from __future__ import annotations

import ctypes
import errno
import struct

import pytest
from test_syscall import Client, client_backends

from pyebpf import uapi
from pyebpf.asm import assemble
from pyebpf.objects import Program
from pyebpf.progtypes import PROG_TYPES, LowBuffer
from pyebpf.runtime import Runtime

PT = uapi.BpfProgType
ENOTSUPP = 524

ETH_IPV4 = (bytes.fromhex("000000000000" "0a0b0c0d0e0f" "0800")
            + bytes.fromhex("4500001c00004000401100000a0000010a000002")
            + bytes(range(8)) + bytes(20))


@pytest.fixture(params=["kernel", "pyebpf"])
def client(request):
    yield from client_backends(request)


def both(request, verifier=True):
    """(kernel client, pyebpf client), skipping where bpf() is refused."""
    k = Client(request.getfixturevalue("kernel").sys_bpf)
    rt = Runtime(verifier=verifier)
    p = Client(lambda cmd, attr, size=None: __import__("pyebpf.syscall").syscall.bpf(
        cmd, attr, size, runtime=rt))
    return k, p


def run_both(request, text, prog_type, **kw):
    k, p = both(request)
    out = []
    try:
        for c in (k, p):
            try:
                fd = c.prog_load(assemble(text), prog_type)
                out.append(c.test_run(fd, **kw))
            except OSError as e:
                out.append(f"errno {e.errno}")
    finally:
        k.close()
        p.close()
    return out


XDP_READ = """
    ldxw %r2, [%r1]
    ldxw %r3, [%r1+4]
    mov %r4, %r2
    add %r4, 14
    jgt %r4, %r3, +4
    ldxb %r0, [%r2+12]
    ldxb %r5, [%r2+13]
    add %r0, %r5
    exit
    mov %r0, 1
    exit
"""

TC_FIELDS = """
    ldxw %r0, [%r1]
    ldxw %r2, [%r1+4]
    lsh %r2, 16
    add %r0, %r2
    ldxw %r2, [%r1+16]
    lsh %r2, 20
    add %r0, %r2
    stw [%r1+8], 0x55
    stw [%r1+48], 7
    exit
"""


@pytest.mark.parametrize("case", [
    ("xdp/read-ethertype", XDP_READ, PT.BPF_PROG_TYPE_XDP, {"data": ETH_IPV4}),
    ("xdp/too-short", XDP_READ, PT.BPF_PROG_TYPE_XDP, {"data": bytes(13)}),
    ("xdp/minimum", XDP_READ, PT.BPF_PROG_TYPE_XDP, {"data": ETH_IPV4[:14]}),
    ("xdp/meta-ctx", "ldxw %r2, [%r1+8]\nldxw %r3, [%r1]\nsub %r3, %r2\nmov %r0, %r3\nexit",
     PT.BPF_PROG_TYPE_XDP, {"data": ETH_IPV4, "ctx": struct.pack("<6I", 8, len(ETH_IPV4), 0,
                                                                   0, 0, 0)}),
    ("xdp/meta-not-aligned", "mov %r0, 2\nexit", PT.BPF_PROG_TYPE_XDP,
     {"data": ETH_IPV4, "ctx": struct.pack("<6I", 6, len(ETH_IPV4), 0, 0, 0, 0)}),
    ("xdp/data-meta-set", "mov %r0, 2\nexit", PT.BPF_PROG_TYPE_XDP,
     {"data": ETH_IPV4, "ctx": struct.pack("<6I", 0, len(ETH_IPV4), 4, 0, 0, 0)}),
    ("xdp/egress-ifindex", "mov %r0, 2\nexit", PT.BPF_PROG_TYPE_XDP,
     {"data": ETH_IPV4, "ctx": struct.pack("<6I", 0, len(ETH_IPV4), 0, 0, 0, 3)}),
    ("xdp/short-data-out", "mov %r0, 2\nexit", PT.BPF_PROG_TYPE_XDP,
     {"data": ETH_IPV4, "data_size_out": 20}),
    ("xdp/ingress-ifindex", "ldxw %r0, [%r1+12]\nexit", PT.BPF_PROG_TYPE_XDP,
     {"data": ETH_IPV4}),
    ("tc/fields-and-writes", TC_FIELDS, PT.BPF_PROG_TYPE_SCHED_CLS,
     {"data": ETH_IPV4, "ctx": bytes(ctypes.sizeof(uapi.SkBuff))}),
    ("tc/too-short", TC_FIELDS, PT.BPF_PROG_TYPE_SCHED_CLS, {"data": bytes(10)}),
    ("tc/ipv4-header-cut", TC_FIELDS, PT.BPF_PROG_TYPE_SCHED_CLS, {"data": ETH_IPV4[:33]}),
    ("tc/ipv4-header-complete", TC_FIELDS, PT.BPF_PROG_TYPE_SCHED_CLS,
     {"data": ETH_IPV4[:34]}),
    ("socket-filter/ipv6-header-cut", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_SOCKET_FILTER,
     {"data": bytes(12) + b"\x86\xdd" + bytes(39)}),
    ("socket-filter/arp-minimum", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_SOCKET_FILTER,
     {"data": bytes(12) + b"\x08\x06"}),
    ("tc/ctx-sets-len", TC_FIELDS, PT.BPF_PROG_TYPE_SCHED_CLS,
     {"data": ETH_IPV4, "ctx": struct.pack("<I", 5) + bytes(ctypes.sizeof(uapi.SkBuff) - 4)}),
    ("tc/ctx-mark-priority", "ldxw %r0, [%r1+8]\nldxw %r2, [%r1+32]\nadd %r0, %r2\nexit",
     PT.BPF_PROG_TYPE_SCHED_ACT,
     {"data": ETH_IPV4, "ctx": bytes(8) + struct.pack("<I", 40) + bytes(20)
      + struct.pack("<I", 2) + bytes(ctypes.sizeof(uapi.SkBuff) - 36)}),
    ("tc/direct-packet-read", "ldxw %r2, [%r1+76]\nldxw %r3, [%r1+80]\nmov %r4, %r2\n"
     "add %r4, 14\njgt %r4, %r3, +2\nldxh %r0, [%r2+12]\nexit\nmov %r0, 0\nexit",
     PT.BPF_PROG_TYPE_SCHED_CLS, {"data": ETH_IPV4}),
    ("socket-filter/ld-abs-is-l3", "ldabsb 0\nexit", PT.BPF_PROG_TYPE_SOCKET_FILTER,
     {"data": ETH_IPV4}),
    ("socket-filter/len", "ldxw %r0, [%r1]\nexit", PT.BPF_PROG_TYPE_SOCKET_FILTER,
     {"data": ETH_IPV4}),
    ("socket-filter/flags", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_SOCKET_FILTER,
     {"data": ETH_IPV4, "repeat": 3}),
    ("kprobe/no-test-run", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_KPROBE, {"data": ETH_IPV4}),
    ("tracepoint/no-test-run", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_TRACEPOINT, {}),
    ("raw-tp/args", "ldxdw %r0, [%r1+8]\nexit", PT.BPF_PROG_TYPE_RAW_TRACEPOINT,
     {"ctx": struct.pack("<2Q", 5, 99), "ctx_size_out": 0}),
    ("raw-tp/data-refused", "mov %r0, 0\nexit", PT.BPF_PROG_TYPE_RAW_TRACEPOINT,
     {"data": ETH_IPV4}),
], ids=lambda c: c[0])
def test_test_run_matches_kernel(request, case):
    _, text, prog_type, kw = case
    if "ctx_size_out" in kw and kw["ctx_size_out"] == 0:
        kw = {k: v for k, v in kw.items() if k != "ctx_size_out"}
        theirs, ours = _raw_tp_both(request, text, kw["ctx"])
    else:
        theirs, ours = run_both(request, text, prog_type, **kw)
    assert ours == theirs


def _raw_tp_both(request, text, ctx):
    # pyebpf's verifier does not model raw_tp contexts yet: its side loads unverified
    k, p = both(request, verifier=False)
    out = []
    try:
        for c in (k, p):
            fd = c.prog_load(assemble(text), PT.BPF_PROG_TYPE_RAW_TRACEPOINT)
            buf = ctypes.create_string_buffer(ctx, len(ctx))
            a = uapi.BpfAttr()
            a.test.prog_fd, a.test.ctx_in, a.test.ctx_size_in = fd, ctypes.addressof(buf), len(ctx)
            try:
                c.call(uapi.BpfCmd.BPF_PROG_TEST_RUN, a)
                out.append(a.test.retval)
            except OSError as e:
                out.append(f"errno {e.errno}")
            a.test.cpu = 1
            out.append(c.err(c.call, uapi.BpfCmd.BPF_PROG_TEST_RUN, a))
    finally:
        k.close()
        p.close()
    return out[:2], out[2:]


def test_syscall_program_writes_ctx_back(request):
    """SYSCALL programs: ctx_in is copied back after the run (bpf_prog_test_run_syscall)."""
    k, p = both(request, verifier=False)
    got = []
    try:
        for c in (k, p):
            fd = c.prog_load(assemble("stw [%r1+4], 42\nldxw %r0, [%r1]\nexit"),
                             PT.BPF_PROG_TYPE_SYSCALL, flags=uapi.BPF_F_SLEEPABLE)
            buf = ctypes.create_string_buffer(struct.pack("<II", 7, 0), 8)
            a = uapi.BpfAttr()
            a.test.prog_fd, a.test.ctx_in, a.test.ctx_size_in = fd, ctypes.addressof(buf), 8
            c.call(uapi.BpfCmd.BPF_PROG_TEST_RUN, a)
            got.append((a.test.retval, buf.raw))
            a.test.repeat = 2
            got.append(c.err(c.call, uapi.BpfCmd.BPF_PROG_TEST_RUN, a))
    finally:
        k.close()
        p.close()
    assert got[:2] == got[2:]
    assert got[2] == (7, struct.pack("<II", 7, 42))


@pytest.mark.parametrize("text,sizes", [
    ("ldxw %r0, [%r1+8]\nexit", (0, 4, 11, 12, 16)),
    ("stdw [%r1+16], 7\nmov %r0, 0\nexit", (0, 23, 24)),
    ("mov %r2, %r1\nldxb %r0, [%r2+3]\nexit", (3, 4)),
    ("mov %r0, 0\nexit", (0, 8)),
], ids=["read-u32-at-8", "write-u64-at-16", "read-u8-at-3-through-copy", "no-ctx-access"])
def test_syscall_ctx_at_least_max_ctx_offset(request, text, sizes):
    """bpf_prog_test_run_syscall: a ctx shorter than the program's furthest ctx access
    (prog->aux->max_ctx_offset, from the verifier) is EINVAL; from that size on it runs."""
    k, p = both(request)
    got = []
    try:
        for c in (k, p):
            fd = c.prog_load(assemble(text), PT.BPF_PROG_TYPE_SYSCALL,
                             flags=uapi.BPF_F_SLEEPABLE)
            for n in sizes:
                buf = ctypes.create_string_buffer(n or 1)
                a = uapi.BpfAttr()
                a.test.prog_fd = fd
                if n:
                    a.test.ctx_in, a.test.ctx_size_in = ctypes.addressof(buf), n
                got.append(c.err(c.call, uapi.BpfCmd.BPF_PROG_TEST_RUN, a))
    finally:
        k.close()
        p.close()
    half = len(got) // 2
    assert got[:half] == got[half:]
    assert len(set(got[:half])) == 2 or text.startswith("mov %r0, 0")


def test_duration_and_repeat(client):
    fd = client.prog_load(assemble("mov %r0, 2\nexit"))
    a = uapi.BpfAttr()
    din = ctypes.create_string_buffer(bytes(64), 64)
    a.test.prog_fd, a.test.data_in, a.test.data_size_in, a.test.repeat = (fd,
                                                                           ctypes.addressof(din),
                                                                           64, 100)
    client.call(uapi.BpfCmd.BPF_PROG_TEST_RUN, a)
    assert a.test.retval == 2 and a.test.duration > 0


def test_packets_and_contexts_live_below_2gib():
    """The u32 data/data_end fields must hold real addresses: buffers come from MAP_32BIT."""
    buf = LowBuffer(8192)
    try:
        assert 0 < buf.addr and buf.addr + buf.size <= 1 << 31
    finally:
        buf.close()


def test_program_object_test_run_xdp_adjust_head():
    rt = Runtime(verifier=False)
    prog = Program(assemble("mov %r6, %r1\nmov %r2, 14\ncall 44\nmov %r0, 2\nexit"),
                   PT.BPF_PROG_TYPE_XDP, runtime=rt)
    res = prog.test_run(ETH_IPV4)
    assert res.retval == 2 and res.data_out == ETH_IPV4[14:]
    res = prog.test_run(ETH_IPV4[:20])             # 6 bytes left: below ETH_HLEN, refused
    assert res.retval == 2 and res.data_out == ETH_IPV4[:20]


def test_redirect_outcome_is_reported():
    from pyebpf import progtypes

    rt = Runtime(verifier=False)
    prog = Program(assemble("mov %r1, 7\nmov %r2, 0\ncall 23\nexit"), PT.BPF_PROG_TYPE_XDP,
                   runtime=rt)
    p = rt.get_prog(prog.fd)
    out = progtypes.test_run(p, progtypes.TestRunParams(data_in=ETH_IPV4))
    assert out.retval == 4 and out.redirect == (7, 0, None)


def test_every_required_program_type_is_known():
    names = {PROG_TYPES[t].name for t in PROG_TYPES}
    for t in ("SOCKET_FILTER", "SCHED_CLS", "SCHED_ACT", "XDP", "KPROBE", "TRACEPOINT",
              "RAW_TRACEPOINT", "PERF_EVENT", "SYSCALL"):
        assert f"BPF_PROG_TYPE_{t}" in names
    tc = PROG_TYPES[PT.BPF_PROG_TYPE_SCHED_CLS]
    assert tc.helper_allowed(uapi.BpfFunc.BPF_FUNC_skb_store_bytes)
    assert not PROG_TYPES[PT.BPF_PROG_TYPE_SOCKET_FILTER].helper_allowed(
        uapi.BpfFunc.BPF_FUNC_skb_store_bytes)


def test_helper_not_allowed_for_type_is_refused():
    rt = Runtime(verifier=False)
    with pytest.raises(OSError) as exc:
        Program(assemble("mov %r2, 4\ncall 44\nexit"), PT.BPF_PROG_TYPE_SOCKET_FILTER,
                runtime=rt)
    assert exc.value.errno == errno.EINVAL
