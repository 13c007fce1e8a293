"""XDP and tc programs on packet sources pyebpf reads: a pcap stream, or a network
interface through an ``AF_PACKET`` socket.

pyebpf attaches nothing to the kernel: a :class:`PacketRunner` reads each frame from its
source, runs the program on it as BPF_PROG_TEST_RUN does for the program's type, and acts
on the verdict as the kernel's hook would, as far as user space can:

- XDP: ``XDP_TX`` sends the (possibly rewritten) frame back out of the interface it came
  from; ``XDP_REDIRECT`` (``bpf_redirect(ifindex)``) out of another interface the runner
  was given (counted as ``redirect_failed`` otherwise, as a redirect to a device without
  XDP support fails); ``XDP_PASS`` hands the frame to ``on_pass`` (standing for the
  network stack, which a user-space reader cannot inject into); ``XDP_DROP`` and
  ``XDP_ABORTED`` drop it.
- tc (``SCHED_CLS``/``SCHED_ACT``): ``TC_ACT_OK``/``TC_ACT_UNSPEC`` pass,
  ``TC_ACT_SHOT`` drops, ``TC_ACT_REDIRECT`` redirects, others pass as the stack would
  continue.

An :class:`InterfaceSource` skips the frames the host itself sends on the interface
(``PACKET_OUTGOING``), which an ingress hook never sees.  Tests use a veth pair inside a
network namespace they create; nothing here touches an interface it was not given.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from pyebpf import uapi

PT = uapi.BpfProgType
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT = range(5)
TC_ACT_UNSPEC, TC_ACT_OK, TC_ACT_SHOT, TC_ACT_REDIRECT = 0xFFFFFFFF, 0, 2, 7


class PcapSource:
    """Frames of a pcap file, in order (nothing to send back to)."""

    ifindex = 0

    def __init__(self, path: str) -> None:
        from pyebpf.pcap import read_pcap

        self.frames = [p.data for p in read_pcap(path)]

    def receive(self, timeout: float | None = None) -> Iterator[bytes]:
        yield from self.frames

    def send(self, frame: bytes) -> None:
        raise OSError("a pcap source cannot send")


class InterfaceSource:
    """An interface's incoming frames through an AF_PACKET socket, and a way out."""

    def __init__(self, ifname: str) -> None:
        self.ifname = ifname
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((ifname, 0))
        self.ifindex = socket.if_nametoindex(ifname)

    def receive(self, timeout: float | None = 1.0) -> Iterator[bytes]:
        """Incoming frames until none came for ``timeout`` seconds (None: forever)."""
        self.sock.settimeout(timeout)
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                return
            if addr[2] != PACKET_OUTGOING:
                yield data

    def send(self, frame: bytes) -> None:
        self.sock.send(frame)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> InterfaceSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PacketRunner:
    """Runs an XDP or tc program on every frame of a source and acts on its verdicts."""

    def __init__(self, prog: Any, source: Any, *, redirect: dict[int, Any] | None = None,
                 on_pass: Callable[[bytes], Any] | None = None) -> None:
        from pyebpf.runtime import BpfProg

        rt = getattr(prog, "runtime", None)
        self.prog: BpfProg = rt.get_prog(prog.fd) if rt is not None else prog
        t = self.prog.prog_type
        if t not in (PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_SCHED_CLS,
                     PT.BPF_PROG_TYPE_SCHED_ACT):
            raise ValueError(f"{PT(t).name} programs do not run on packets")
        self.xdp = t == PT.BPF_PROG_TYPE_XDP
        self.source = source
        self.redirect = dict(redirect or {})
        self.on_pass = on_pass
        self.counts: Counter[str] = Counter()

    def _one(self, frame: bytes) -> str:
        from pyebpf.progtypes import TestRunParams, test_run

        out = test_run(self.prog, TestRunParams(data_in=frame, want_data_out=True))
        data = out.data_out or b""
        r = out.retval
        if self.xdp:
            if r == XDP_TX:
                self.source.send(data)
                return "tx"
            if r == XDP_PASS:
                return self._pass(data)
            if r == XDP_REDIRECT:
                return self._redirect(out, data)
            return "drop" if r == XDP_DROP else "aborted"
        if r == TC_ACT_SHOT:
            return "drop"
        if r == TC_ACT_REDIRECT:
            return self._redirect(out, data)
        return self._pass(data)

    def _pass(self, data: bytes) -> str:
        if self.on_pass is not None:
            self.on_pass(data)
        return "pass"

    def _redirect(self, out: Any, data: bytes) -> str:
        target = out.redirect[0] if out.redirect else None
        dest = self.redirect.get(target) if target is not None else None
        if dest is None:
            return "redirect_failed"
        dest.send(data)
        return "redirect"

    def run(self, limit: int | None = None, timeout: float | None = 1.0) -> Counter[str]:
        """Process frames (at most ``limit``) until the source is done or quiet for
        ``timeout`` seconds; the verdict counts so far."""
        n = 0
        for frame in self.source.receive(timeout):
            self.counts[self._one(frame)] += 1
            n += 1
            if limit is not None and n >= limit:
                break
        return self.counts


__all__ = ["InterfaceSource", "PacketRunner", "PcapSource"]
