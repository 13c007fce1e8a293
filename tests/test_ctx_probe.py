"""Context semantics against the live kernel (issue 9): the exhaustive context probe and the
``__sk_buff``/``xdp_md`` behaviours it found wrong, each checked on its own.

The probe (:mod:`pyebpf.verifier.ctxprobe`) loads one program per context access (every
offset, size and direction of every program type pyebpf runs) in the kernel and in pyebpf,
compares verdicts and first error lines, and for accepted accesses the values read and the
contexts written under BPF_PROG_TEST_RUN.  The default suite skips the misaligned accesses
past a context's first 8 bytes (all refused first, with one message); ``PYEBPF_LONG=1`` runs
every one.
"""

from __future__ import annotations

import os

import pytest

from pyebpf import uapi
from pyebpf.isa import Instruction
from pyebpf.verifier import ctxprobe
from pyebpf.verifier.ctxprobe import PACKETS

PT = uapi.BpfProgType
LONG = os.environ.get("PYEBPF_LONG") == "1"

# What pyebpf does not model yet (none left: __sk_buff.sk, the last, is tests/test_skb_sk.py's).
KNOWN: set[tuple[int, int, int, str, str]] = set()


@pytest.fixture(scope="module")
def backends(kernel):
    return ctxprobe.kernel_backend(), ctxprobe.pyebpf_backend()


def test_context_probe_agrees_with_kernel(backends):
    k, p = backends
    infos = ctxprobe.type_infos()
    rep = ctxprobe.Report()
    for info in infos.values():
        rep.add(ctxprobe.probe_type(info, k, p, exhaustive=LONG))
    print(rep.summary())
    found = {(m.prog_type, m.off, m.size, m.direction, m.what) for m in rep.mismatches}
    unexpected = [str(m) for m in rep.mismatches
                  if (m.prog_type, m.off, m.size, m.direction, m.what) not in KNOWN]
    assert not unexpected, "\n".join(unexpected[:30])
    assert found == KNOWN            # a fixed gap must leave the list
    assert rep.probes > (20000 if LONG else 10000)
    assert rep.values > (9000 if LONG else 5000) and rep.values_agree == rep.values
    assert rep.lines_agree == rep.both_refused


def _outcomes(backends, insns, prog_type, data, ctx, ctx_out=False):
    out = []
    for b in backends:
        fd, line = b.load(insns, prog_type)
        assert fd >= 0, f"{b.name}: {line}"
        try:
            out.append(b.test_run(fd, data, ctx, ctx_out))
        finally:
            b.close(fd)
    return out


def _ret_load(off: int, size: int) -> list[Instruction]:
    return ctxprobe.value_programs(off, size, 0, False)[0]


@pytest.mark.parametrize("prog_type", [PT.BPF_PROG_TYPE_SCHED_CLS,
                                       PT.BPF_PROG_TYPE_SOCKET_FILTER])
@pytest.mark.parametrize("dst", ["ff" * 6, "01005e000001", "020000000001", "00" * 6])
def test_pkt_type_as_kernel(backends, prog_type, dst):
    """eth_type_trans on loopback: ff:ff:ff:ff:ff:ff is PACKET_MULTICAST (loopback's
    broadcast address is all zeroes), a foreign unicast PACKET_OTHERHOST."""
    data = bytes.fromhex(dst) + PACKETS[0][6:]
    want, got = _outcomes(backends, _ret_load(uapi.SkBuff.pkt_type.offset, 4), prog_type,
                          data, None)
    assert got == want
    if dst == "ff" * 6:
        assert got[0] == 2


@pytest.mark.parametrize(("field", "delta", "size"), [
    ("pkt_type", 1, 1), ("pkt_type", 2, 2), ("pkt_type", 3, 1), ("protocol", 2, 2),
    ("protocol", 1, 1), ("protocol", 3, 1), ("queue_mapping", 2, 2), ("gso_size", 2, 2),
    ("len", 2, 2), ("len", 1, 1), ("mark", 3, 1), ("gso_segs", 2, 2)])
def test_narrow_loads_as_kernel_converts_them(backends, field, delta, size):
    """A narrow load of a field the kernel converts from a narrower sk_buff field returns
    the whole value when the load is not narrower than that field (no shift and mask),
    the plain bytes otherwise."""
    off = getattr(uapi.SkBuff, field).offset + delta
    c = uapi.SkBuff.from_buffer_copy(ctxprobe._skb_ctx())
    c.mark, c.gso_size, c.gso_segs = 0x11223344, 0x5678, 0x1234
    want, got = _outcomes(backends, ctxprobe.value_programs(off, size, 0, True)[0],
                          PT.BPF_PROG_TYPE_SCHED_CLS, PACKETS[0], bytes(c), ctx_out=True)
    assert got == want


@pytest.mark.parametrize("with_ctx", [False, True])
def test_wire_len_as_kernel(backends, with_ctx):
    """wire_len is the packet's length only where test_run converts a context (ctx_in or
    ctx_out given); without one it stays 0."""
    ctx = bytes(uapi.SkBuff()) if with_ctx else None
    want, got = _outcomes(backends, _ret_load(uapi.SkBuff.wire_len.offset, 4),
                          PT.BPF_PROG_TYPE_SCHED_CLS, PACKETS[0], ctx)
    assert got == want
    assert got[0] == (len(PACKETS[0]) if with_ctx else 0)


def test_tstamp_type_readable_from_tc(backends):
    off = uapi.SkBuff.tstamp_type.offset
    for pt, ok in ((PT.BPF_PROG_TYPE_SCHED_CLS, True), (PT.BPF_PROG_TYPE_CGROUP_SKB, False)):
        for b in backends:
            fd, line = b.load(ctxprobe.access_program(off, 1, "read", pt), pt)
            b.close(fd)
            assert (fd >= 0) == ok, (b.name, pt, line)
    want, got = _outcomes(backends, _ret_load(off, 1), PT.BPF_PROG_TYPE_SCHED_CLS,
                          PACKETS[0], ctxprobe._skb_ctx())
    assert got == want


def test_sleepable_flag_as_kernel(backends):
    """check_attach_btf_id: a syscall program must be sleepable, a socket filter may not;
    a kprobe may (an uprobe). Same verdicts and log lines."""
    insns = [Instruction(0xB7, 0, 0, 0, 0), Instruction(0x95)]
    for pt, flags in ((PT.BPF_PROG_TYPE_SYSCALL, 0), (PT.BPF_PROG_TYPE_SOCKET_FILTER,
                                                       uapi.BPF_F_SLEEPABLE),
                      (PT.BPF_PROG_TYPE_KPROBE, uapi.BPF_F_SLEEPABLE),
                      (PT.BPF_PROG_TYPE_SYSCALL, uapi.BPF_F_SLEEPABLE)):
        res = []
        for b in backends:
            fd, line = b.load(insns, pt, 0, flags)
            b.close(fd)
            res.append((fd >= 0, fd if fd < 0 else 0, line))
        assert res[0] == res[1], (pt, flags, res)


def test_perf_event_context_size(backends):
    """struct bpf_perf_event_data is pt_regs, sample_period and addr: 184 bytes, the
    registers read as whole u64s."""
    pt = PT.BPF_PROG_TYPE_PERF_EVENT
    for off, size in ((176, 8), (176, 4), (180, 4), (168, 2), (0, 4), (8, 8), (184, 8)):
        res = []
        for b in backends:
            fd, line = b.load(ctxprobe.access_program(off, size, "read", pt), pt)
            b.close(fd)
            res.append((fd >= 0, line))
        assert res[0] == res[1], (off, size, res)


def _two_pointers(store: bool) -> list[Instruction]:
    """One load (or store) reached with the context on one path and the stack on the other."""
    access = Instruction(0x63, 2, 0, 48, 0) if store else Instruction(0x61, 0, 2, 0, 0)
    return [Instruction(0xBF, 6, 1, 0, 0), Instruction(0x7A, 10, 0, -8, 0),
            Instruction(0x61, 0, 1, 0, 0), Instruction(0xBF, 2, 10, 0, 0),
            Instruction(0x07, 2, 0, 0, -56 if store else -8), Instruction(0x25, 0, 0, 1, 5),
            Instruction(0xBF, 2, 6, 0, 0), access, Instruction(0xB7, 0, 0, 0, 0),
            Instruction(0x95)]


@pytest.mark.parametrize("store", [False, True], ids=["load", "store"])
def test_one_insn_with_ctx_and_another_pointer_refused(backends, store):
    """save_aux_ptr_type: the kernel rewrites a context access in place, so the same
    instruction may not also access other memory (pyebpf rewrites narrow loads too)."""
    res = []
    for b in backends:
        fd, line = b.load(_two_pointers(store), PT.BPF_PROG_TYPE_SCHED_CLS)
        b.close(fd)
        res.append((fd, line))
    assert res[0] == res[1] == (-22, "same insn cannot be used with different pointers")
