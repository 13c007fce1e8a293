"""The context probe: every context access of every program type, pyebpf against the kernel.

For each program type pyebpf runs, every offset of its context (and a few bytes either
side), every size (1, 2, 4, 8) and every direction (a load, a sign-extending load, a
store of a register, a store of an immediate, an atomic add) becomes a one-access
program, loaded through the ``bpf()`` command API into the live kernel and into pyebpf
with the same attributes.  The verdicts and first error lines are compared.  Where both
accept a load of a scalar, the value the program read is taken out (through ``r0``, or
stored into ``cb`` and read back from ``ctx_out``) under BPF_PROG_TEST_RUN with fixed
packets and contexts, with and without ``ctx_in``; where both accept a store, the run's
retval, data and ``ctx_out`` are compared.

``python -m pyebpf.verifier.ctxprobe [--quick] [TYPE ...]`` prints the counts and every
mismatch.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyebpf import isa, uapi
from pyebpf.errors import BPFError
from pyebpf.isa import Instruction
from pyebpf.verifier.diff import error_line

PT = uapi.BpfProgType
LOG_SIZE = 1 << 16
SIZES = {1: isa.BPF_B, 2: isa.BPF_H, 4: isa.BPF_W, 8: isa.BPF_DW}
DIRECTIONS = ("read", "read_sx", "write_reg", "write_imm", "atomic")
SKB_TYPES = (PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS,
             PT.BPF_PROG_TYPE_SCHED_ACT, PT.BPF_PROG_TYPE_CGROUP_SKB)
CB_OFF = uapi.SkBuff.cb.offset
STORE_VALUE = 0x1122334455667788


@dataclass(frozen=True)
class TypeInfo:
    """How one program type is probed: the offsets, and the contexts its runs get."""

    prog_type: int
    offsets: tuple[int, ...]
    ctx_variants: tuple[bytes | None, ...] = ()      # test_run ctx_in (None: no ctx_in)
    packets: tuple[bytes | None, ...] = (None,)
    expected_attach_type: int = 0
    prog_flags: int = 0
    retval_values: bool = True      # r0 may carry the read value out (no return range)


def _eth_ipv4(dst: bytes) -> bytes:
    ip = bytes.fromhex("4500003c1c4640004006") + b"\0\0" + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    tcp = struct.pack(">HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 8192, 0, 0)
    return dst + bytes.fromhex("020000000002") + b"\x08\x00" + ip + tcp + bytes(20)


PACKETS = (_eth_ipv4(bytes.fromhex("020000000001")),      # another host: PACKET_OTHERHOST
           _eth_ipv4(b"\xff" * 6),                          # broadcast
           _eth_ipv4(bytes.fromhex("01005e000001")))        # multicast


def _skb_ctx() -> bytes:
    """A ``__sk_buff`` ctx_in setting every field test_run takes from it."""
    c = uapi.SkBuff()
    c.mark, c.priority, c.ingress_ifindex, c.ifindex = 0xA1B2C3D4, 0x01020304, 1, 1
    for i in range(5):
        c.cb[i] = 0x10203040 + i * 0x01010101
    c.tstamp, c.wire_len, c.gso_segs, c.gso_size = 0x0102030405060708, 1000, 3, 1400
    c.hwtstamp = 0x1112131415161718
    return bytes(c)


def _xdp_ctx(n: int) -> bytes:
    md = uapi.XdpMd()
    md.data_end, md.ingress_ifindex = n, 1
    return bytes(md)


def _pattern(n: int) -> bytes:
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def _span(limit: int) -> tuple[int, ...]:
    """-8 .. limit+8: the whole context and what lies just outside."""
    return tuple(range(-8, limit + 9))


def _ends(limit: int, head: int = 72) -> tuple[int, ...]:
    """The start and the end of a large context (its middle behaves as its start)."""
    return tuple(range(-8, head)) + tuple(range(limit - 16, limit + 9))


SYSCALL_CTX = 0xFFFF


def type_infos() -> dict[int, TypeInfo]:
    skb_size = ctypes.sizeof(uapi.SkBuff)
    skb_ctx = _skb_ctx()
    infos = {int(t): TypeInfo(int(t), _span(skb_size), (None, skb_ctx), PACKETS,
                              retval_values=t != PT.BPF_PROG_TYPE_CGROUP_SKB)
             for t in SKB_TYPES}
    xdp_ctx = tuple(_xdp_ctx(len(p)) for p in PACKETS[:1])
    infos[int(PT.BPF_PROG_TYPE_XDP)] = TypeInfo(
        int(PT.BPF_PROG_TYPE_XDP), _span(ctypes.sizeof(uapi.XdpMd)), (None, *xdp_ctx),
        PACKETS[:1])
    infos[int(PT.BPF_PROG_TYPE_KPROBE)] = TypeInfo(int(PT.BPF_PROG_TYPE_KPROBE), _span(168))
    infos[int(PT.BPF_PROG_TYPE_PERF_EVENT)] = TypeInfo(int(PT.BPF_PROG_TYPE_PERF_EVENT),
                                                        _span(184))
    infos[int(PT.BPF_PROG_TYPE_TRACEPOINT)] = TypeInfo(int(PT.BPF_PROG_TYPE_TRACEPOINT),
                                                        _ends(8192))
    infos[int(PT.BPF_PROG_TYPE_RAW_TRACEPOINT)] = TypeInfo(
        int(PT.BPF_PROG_TYPE_RAW_TRACEPOINT), _span(96), (_pattern(96),))
    # an instruction's offset is an s16: the end of the 64 KiB syscall context is out of
    # one instruction's reach, so the probe stops at the largest offset it can encode
    infos[int(PT.BPF_PROG_TYPE_SYSCALL)] = TypeInfo(
        int(PT.BPF_PROG_TYPE_SYSCALL), tuple(range(-8, 72)) + tuple(range(0x7FE0, 0x8000)),
        (_pattern(SYSCALL_CTX),), prog_flags=uapi.BPF_F_SLEEPABLE)
    return infos


# --- the one-access programs ----------------------------------------------------------

def _mem(cls: int, size: int) -> int:
    return cls | isa.BPF_MEM | SIZES[size]


def access_program(off: int, size: int, direction: str, prog_type: int) -> list[Instruction]:
    """``r1 + off`` accessed once, then ``r0 = 0``."""
    body: list[Instruction]
    if direction == "read":
        body = [Instruction(_mem(isa.BPF_LDX, size), 2, 1, off, 0)]
    elif direction == "read_sx":
        body = [Instruction(isa.BPF_LDX | isa.BPF_MEMSX | SIZES[size], 2, 1, off, 0)]
    elif direction == "write_reg":
        body = [Instruction(0xB7, 2, 0, 0, 1), Instruction(_mem(isa.BPF_STX, size), 1, 2, off, 0)]
    elif direction == "write_imm":
        body = [Instruction(_mem(isa.BPF_ST, size), 1, 0, off, 1)]
    else:
        body = [Instruction(0xB7, 2, 0, 0, 1),
                Instruction(isa.BPF_STX | isa.BPF_ATOMIC | SIZES[size], 1, 2, off, isa.BPF_ADD)]
    return [*body, Instruction(0xB7, 0, 0, 0, 0), Instruction(0x95)]


def value_programs(off: int, size: int, prog_type: int, ctx_out: bool, sx: bool = False
                   ) -> list[list[Instruction]]:
    """Programs that take the value ``*(size *)(r1 + off)`` (sign-extended: ``sx``) out:
    stored into ``cb[0..1]`` (``ctx_out``), or returned in r0 (a second program for the
    upper half of 8 bytes or of a sign extension)."""
    mode = isa.BPF_MEMSX if sx else isa.BPF_MEM
    load = Instruction(isa.BPF_LDX | mode | SIZES[size], 2, 1, off, 0)
    if ctx_out:
        return [[load, Instruction(_mem(isa.BPF_STX, 8), 1, 2, CB_OFF, 0),
                 Instruction(0xB7, 0, 0, 0, 0), Instruction(0x95)]]
    progs = [[load, Instruction(0xBF, 0, 2, 0, 0), Instruction(0x95)]]
    if size == 8 or sx:
        progs.append([load, Instruction(0xBF, 0, 2, 0, 0), Instruction(0x77, 0, 0, 0, 32),
                      Instruction(0x95)])
    return progs


def store_program(off: int, size: int, direction: str) -> list[Instruction]:
    if direction == "write_imm":
        return [Instruction(_mem(isa.BPF_ST, size), 1, 0, off, STORE_VALUE & 0x7FFFFFFF),
                Instruction(0xB7, 0, 0, 0, 0), Instruction(0x95)]
    return [Instruction(0x18, 2, 0, 0, STORE_VALUE), Instruction(_mem(isa.BPF_STX, size), 1, 2,
                                                                 off, 0),
            Instruction(0xB7, 0, 0, 0, 0), Instruction(0x95)]


# --- the two backends, driven through the same bpf() attributes -------------------------

class Backend:
    """BPF_PROG_LOAD and BPF_PROG_TEST_RUN through one ``bpf(cmd, attr)`` function."""

    def __init__(self, name: str, call: Callable[[int, Any], int],
                 close: Callable[[int], None]) -> None:
        self.name, self._call, self._close = name, call, close
        self._log = ctypes.create_string_buffer(LOG_SIZE)
        self._lic = ctypes.create_string_buffer(b"GPL")

    def load(self, insns: Sequence[Instruction], prog_type: int, eat: int = 0,
             flags: int = 0) -> tuple[int, str]:
        """(fd or -errno, first error line)."""
        code = isa.encode(insns)
        buf = ctypes.create_string_buffer(code, len(code))
        attr = uapi.BpfAttr()
        attr.prog_type, attr.insn_cnt = prog_type, len(code) // 8
        attr.insns, attr.license = ctypes.addressof(buf), ctypes.addressof(self._lic)
        attr.expected_attach_type, attr.prog_flags = eat, flags
        self._log[0] = b"\0"
        attr.log_level, attr.log_size = 1, LOG_SIZE
        attr.log_buf = ctypes.addressof(self._log)
        try:
            return self._call(uapi.BpfCmd.BPF_PROG_LOAD, attr), ""
        except BPFError as exc:
            return -(exc.errno or errno.EINVAL), error_line(
                self._log.value.decode(errors="replace"))

    def test_run(self, fd: int, data: bytes | None, ctx: bytes | None,
                 ctx_out: bool) -> tuple[Any, ...]:
        """(retval, data_out, ctx_out), or ("errno", name) when the run is refused."""
        attr = uapi.BpfAttr()
        t = attr.test
        t.prog_fd = fd
        keep = []
        if data is not None:
            din = ctypes.create_string_buffer(data, len(data))
            dout = ctypes.create_string_buffer(len(data) + 256)
            keep += [din, dout]
            t.data_in, t.data_size_in = ctypes.addressof(din), len(data)
            t.data_out, t.data_size_out = ctypes.addressof(dout), len(dout)
        if ctx is not None:
            cin = ctypes.create_string_buffer(ctx, len(ctx))
            keep.append(cin)
            t.ctx_in, t.ctx_size_in = ctypes.addressof(cin), len(ctx)
        cout = None
        if ctx_out and ctx is not None:
            cout = ctypes.create_string_buffer(len(ctx))
            t.ctx_out, t.ctx_size_out = ctypes.addressof(cout), len(cout)
        try:
            self._call(uapi.BpfCmd.BPF_PROG_TEST_RUN, attr)
        except BPFError as exc:
            return ("errno", errno.errorcode.get(exc.errno or 0, str(exc.errno)))
        out = keep[1].raw[:t.data_size_out] if data is not None else None
        return (t.retval, out, cout.raw[:t.ctx_size_out] if cout is not None else None)

    def close(self, fd: int) -> None:
        if fd >= 0:
            self._close(fd)


def kernel_backend() -> Backend:
    from pyebpf import kernel

    return Backend("kernel", kernel.sys_bpf, os.close)


def pyebpf_backend() -> Backend:
    from pyebpf.runtime import Runtime
    from pyebpf.syscall import bpf

    rt = Runtime()
    return Backend("pyebpf", lambda cmd, attr: bpf(cmd, attr, runtime=rt), rt.close)


# --- the probe ------------------------------------------------------------------------

@dataclass
class Mismatch:
    prog_type: int
    off: int
    size: int
    direction: str
    what: str                      # "verdict", "line" or "value"
    kernel: Any
    ours: Any

    def __str__(self) -> str:
        name = PT(self.prog_type).name.removeprefix("BPF_PROG_TYPE_").lower()
        k, o = self.kernel, self.ours
        if self.what == "value" and len(k) == len(o) == 5:
            k, o = _differing(k, o)
        return (f"{name} off={self.off} size={self.size} {self.direction}: {self.what}\n"
                f"   kernel: {k}\n   pyebpf: {o}")


def _differing(k: tuple, o: tuple) -> tuple[str, str]:
    """Two test-run outcomes, shown by what differs (the run's input first)."""
    kk, oo = [f"packet {k[3]}, ctx_in {'yes' if k[4] else 'no'}:"], [""]
    for i, name in enumerate(("retval", "data_out", "ctx_out")):
        a, b = k[i], o[i]
        if a == b:
            continue
        if isinstance(a, bytes) and isinstance(b, bytes) and len(a) == len(b):
            at = [j for j in range(len(a)) if a[j] != b[j]]
            lo, hi = at[0], at[-1] + 1
            kk.append(f"{name}[{lo}:{hi}]={a[lo:hi].hex()}")
            oo.append(f"{name}[{lo}:{hi}]={b[lo:hi].hex()}")
        else:
            kk.append(f"{name}={a!r}")
            oo.append(f"{name}={b!r}")
    return " ".join(kk), " ".join(oo)


@dataclass
class Report:
    probes: int = 0
    verdicts_agree: int = 0
    refused_by_kernel: int = 0
    lines_agree: int = 0           # of the probes both refuse
    both_refused: int = 0
    values: int = 0                # test runs compared
    values_agree: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    def add(self, other: Report) -> None:
        for f in ("probes", "verdicts_agree", "refused_by_kernel", "lines_agree",
                  "both_refused", "values", "values_agree"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.mismatches += other.mismatches

    def summary(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.2f}%" if b else "n/a"
        return (f"{self.probes} probes ({self.refused_by_kernel} refused by the kernel): "
                f"verdicts {pct(self.verdicts_agree, self.probes)}, first error lines "
                f"{pct(self.lines_agree, self.both_refused)} of {self.both_refused} refused "
                f"by both, values {pct(self.values_agree, self.values)} of {self.values} runs")


def _accesses(info: TypeInfo, exhaustive: bool) -> Iterator[tuple[int, int, str]]:
    """Every (offset, size, direction); not ``exhaustive``, the misaligned accesses (which
    every type refuses first, with one message) only in the context's first 8 bytes."""
    for off in info.offsets:
        for size in SIZES:
            if off % size and off >= 8 and not exhaustive:
                continue
            for direction in DIRECTIONS:
                if (direction == "atomic" and size < 4) or (direction == "read_sx" and size == 8):
                    continue
                yield off, size, direction


def _runs(k: Backend, p: Backend, kfd: int, pfd: int, info: TypeInfo, ctx_out: bool,
          rep: Report, where: tuple[int, int, int, str], exhaustive: bool) -> None:
    """Test-run both programs on the type's packets and contexts; compare the outcomes.
    Not ``exhaustive``: the first two packets (a foreign unicast and a broadcast)."""
    skb = info.prog_type in {int(t) for t in SKB_TYPES}
    for n, data in enumerate(info.packets if exhaustive else info.packets[:2]):
        for ctx in info.ctx_variants or (None,):
            if ctx_out and ctx is None:
                continue
            if skb and not ctx_out and ctx is not None:
                continue            # the cb/ctx_out program covers the runs with ctx_in
            want = k.test_run(kfd, data, ctx, ctx_out)
            got = p.test_run(pfd, data, ctx, ctx_out)
            rep.values += 1
            if want == got:
                rep.values_agree += 1
            else:
                run = (n, ctx is not None)
                rep.mismatches.append(Mismatch(*where, "value", (*want, *run), (*got, *run)))


def probe_type(info: TypeInfo, k: Backend, p: Backend, exhaustive: bool = True) -> Report:
    """Every access of ``info``'s context in both backends."""
    from pyebpf.verifier.env import ctx_access

    rep = Report()
    pt, eat, fl = info.prog_type, info.expected_attach_type, info.prog_flags
    skb = pt in {int(t) for t in SKB_TYPES}
    for off, size, direction in _accesses(info, exhaustive):
        where = (pt, off, size, direction)
        insns = access_program(off, size, direction, pt)
        kfd, kline = k.load(insns, pt, eat, fl)
        pfd, pline = p.load(insns, pt, eat, fl)
        k.close(kfd)
        p.close(pfd)
        rep.probes += 1
        rep.refused_by_kernel += kfd < 0
        if (kfd >= 0) != (pfd >= 0):
            rep.mismatches.append(Mismatch(*where, "verdict", kline or "accepted",
                                           pline or "accepted"))
            continue
        rep.verdicts_agree += 1
        if kfd < 0:
            rep.both_refused += 1
            if (kline, kfd) == (pline, pfd):
                rep.lines_agree += 1
            else:
                rep.mismatches.append(Mismatch(*where, "line", (kfd, kline), (pfd, pline)))
            continue
        if not info.ctx_variants and info.packets == (None,):
            continue                                   # no test_run for this type
        if direction in ("read", "read_sx"):
            if ctx_access(pt, off, size, False) != "scalar":
                continue                               # a pointer: its value is an address
            sx = direction == "read_sx"
            programs = []
            if info.retval_values and not (skb and sx):
                programs += [(v, False) for v in value_programs(off, size, pt, False, sx)]
            if skb:
                programs += [(v, True) for v in value_programs(off, size, pt, True, sx)]
        elif direction in ("write_reg", "write_imm"):
            programs = [(store_program(off, size, direction), skb)]
        else:
            programs = []
        for prog, out in programs:
            kfd, kline = k.load(prog, pt, eat, fl)
            pfd, pline = p.load(prog, pt, eat, fl)
            try:
                if (kfd >= 0) != (pfd >= 0):
                    rep.mismatches.append(Mismatch(*where, "verdict of the value program",
                                                   kline or "accepted", pline or "accepted"))
                elif kfd >= 0:
                    _runs(k, p, kfd, pfd, info, out, rep, where, exhaustive)
            finally:
                k.close(kfd)
                p.close(pfd)
    return rep


def probe(types: Sequence[int] | None = None, exhaustive: bool = True) -> Report:
    """The probe over ``types`` (default: every type :func:`type_infos` knows)."""
    return probe_by_type(types, exhaustive)[1]


def probe_by_type(types: Sequence[int] | None = None, exhaustive: bool = True
                  ) -> tuple[dict[int, Report], Report]:
    """The probe's report for each type, and their sum."""
    infos = type_infos()
    k, p = kernel_backend(), pyebpf_backend()
    total = Report()
    by_type = {}
    for pt in types or infos:
        by_type[int(pt)] = rep = probe_type(infos[int(pt)], k, p, exhaustive)
        total.add(rep)
    return by_type, total


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pyebpf.verifier.ctxprobe",
                                 description="Probe every context access of every program "
                                 "type in pyebpf and in the live kernel.")
    ap.add_argument("types", nargs="*", help="program types (socket_filter, xdp, ...)")
    ap.add_argument("--quick", action="store_true",
                    help="misaligned accesses only in the first 8 bytes (the default suite's)")
    args = ap.parse_args(argv[1:])
    types = [int(PT["BPF_PROG_TYPE_" + t.upper()]) for t in args.types] or None
    by_type, rep = probe_by_type(types, exhaustive=not args.quick)
    for m in rep.mismatches:
        print(m)
    for pt, r in by_type.items():
        print(f"{PT(pt).name.removeprefix('BPF_PROG_TYPE_').lower():16s} {r.summary()}")
    print(f"{'all':16s} {rep.summary()}")
    return 0 if not rep.mismatches else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
