"""XDP and tc programs on packet sources pyebpf reads: the shipped capture, and a veth pair
inside a network namespace the test creates (``unshare -n``: nothing of the machine's
network is touched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pyebpf import asm, uapi
from pyebpf.elf import load_elf
from pyebpf.objects import Program
from pyebpf.packet_sources import PacketRunner, PcapSource
from pyebpf.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NAMES = {0: "aborted", 1: "drop", 2: "pass", 3: "tx", 4: "redirect"}


def expected(frames: list[bytes]) -> Counter:
    """The firewall's verdicts through PROG_TEST_RUN, frame by frame."""
    with load_elf(str(EXAMPLES / "xdp_firewall.o")).load(Runtime()) as coll:
        fw = coll.programs["xdp_firewall"]
        return Counter(NAMES[fw.test_run(f).retval] for f in frames)


def test_pcap_source() -> None:
    src = PcapSource(str(EXAMPLES / "traffic.pcap"))
    passed: list[bytes] = []
    with load_elf(str(EXAMPLES / "xdp_firewall.o")).load(Runtime()) as coll:
        counts = PacketRunner(coll.programs["xdp_firewall"], src, on_pass=passed.append).run()
    assert counts == expected(src.frames)
    assert len(passed) == counts["pass"] and set(passed) <= set(src.frames)


class _Collect:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.sent.append(frame)


def test_redirect_and_tc_verdicts() -> None:
    rt = Runtime()
    src = PcapSource(str(EXAMPLES / "traffic.pcap"))
    # bpf_redirect(7, 0): out of "interface 7" if the runner has it
    redirect = Program(asm.assemble("r1 = 7\nr2 = 0\ncall 23\nexit", "llvm"),
                       uapi.BpfProgType.BPF_PROG_TYPE_XDP, runtime=rt)
    out7 = _Collect()
    assert PacketRunner(redirect, src, redirect={7: out7}).run() == \
        Counter(redirect=len(src.frames))
    assert out7.sent == src.frames
    assert PacketRunner(redirect, src).run() == Counter(redirect_failed=len(src.frames))
    shot = Program(asm.assemble("r0 = 2\nexit", "llvm"), uapi.BpfProgType.BPF_PROG_TYPE_SCHED_CLS,
                   runtime=rt)
    assert PacketRunner(shot, src).run(limit=5) == Counter(drop=5)
    with pytest.raises(ValueError):
        PacketRunner(Program(asm.assemble("r0 = 0\nexit", "llvm"),
                             uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, runtime=rt), src)


NETNS_SCRIPT = r'''
import json, socket, subprocess, sys
from pyebpf import asm, uapi
from pyebpf.elf import load_elf
from pyebpf.objects import Program
from pyebpf.packet_sources import InterfaceSource, PacketRunner, PcapSource
from pyebpf.runtime import Runtime

def sh(*a):
    subprocess.run(a, check=True)

sh("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
for v in ("v0", "v1"):
    sh("ip", "link", "set", v, "addrgenmode", "none")   # no IPv6 chatter of its own
    sh("ip", "link", "set", v, "up")
frames = PcapSource(sys.argv[1]).frames
out = {}
with InterfaceSource("v0") as v0, InterfaceSource("v1") as v1:
    fw = load_elf(sys.argv[2]).load(Runtime())
    for f in frames:
        v0.send(f)
    out["firewall"] = dict(PacketRunner(fw.programs["xdp_firewall"], v1).run(len(frames), 5))
    tx = Program(asm.assemble("r0 = 3\nexit", "llvm"), uapi.BpfProgType.BPF_PROG_TYPE_XDP)
    for f in frames[:10]:
        v0.send(f)
    out["tx"] = dict(PacketRunner(tx, v1).run(10, 5))
    back = list(v0.receive(1.0))
    out["back"] = [frames.index(b) if b in frames else -1 for b in back]
print(json.dumps(out))
'''


def test_interface_source_in_a_private_netns() -> None:
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0 or os.geteuid() != 0:
        pytest.skip("cannot create a network namespace (unshare -n) here")
    r = subprocess.run(["unshare", "-n", sys.executable, "-c", NETNS_SCRIPT,
                        str(EXAMPLES / "traffic.pcap"), str(EXAMPLES / "xdp_firewall.o")],
                       capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    frames = PcapSource(str(EXAMPLES / "traffic.pcap")).frames
    assert Counter(out["firewall"]) == expected(frames)
    assert out["tx"] == {"tx": 10}
    assert out["back"] == list(range(10))          # XDP_TX: each frame back out of v1
