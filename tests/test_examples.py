"""The shipped examples (examples/*.bpf.c, compiled objects committed) on the shipped capture.

Every example must load unchanged (pyebpf's ELF reader; the live kernel's verifier as the
judge of the result) and behave as its source says on examples/traffic.pcap.  The kernel
half skips, printing why, only where bpf() is refused.
"""

from __future__ import annotations

import errno
import struct
from collections import Counter
from pathlib import Path

import pytest

from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.errors import BPFError
from pyebpf.pcap import read_pcap

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OBJECTS = sorted(p.name for p in EXAMPLES.glob("*.o"))
PACKETS = [p.data for p in read_pcap(EXAMPLES / "traffic.pcap")]
XDP_ABORTED, XDP_DROP, XDP_PASS = 0, 1, 2


def test_every_source_has_its_object():
    sources = sorted(p.name.removesuffix(".bpf.c") + ".o" for p in EXAMPLES.glob("*.bpf.c"))
    assert sources == OBJECTS
    assert len(OBJECTS) >= 6


def test_capture_is_varied():
    ethertypes = Counter(struct.unpack_from("!H", p, 12)[0] for p in PACKETS)
    assert set(ethertypes) >= {0x0800, 0x86DD, 0x0806}
    sources = {p[26:30] for p in PACKETS if len(p) >= 34 and p[12:14] == b"\x08\x00"}
    assert len(sources) >= 5


def run_all(prog, packets=PACKETS) -> Counter:
    """Verdict counts over ``packets``; a refused run counts under its errno name."""
    verdicts: Counter = Counter()
    for data in packets:
        try:
            verdicts[prog.test_run(data).retval] += 1
        except BPFError as e:
            verdicts[errno.errorcode[e.errno]] += 1
    return verdicts


@pytest.mark.parametrize("obj", OBJECTS)
def test_kernel_loads_example(kernel, obj):
    spec = load_elf(EXAMPLES / obj)
    with load_into_kernel(spec) as k:
        assert set(k.programs) == set(spec.programs)


def test_kernel_firewall(kernel):
    spec = load_elf(EXAMPLES / "xdp_firewall.o")
    with load_into_kernel(spec) as k:
        assert run_all(k.programs["xdp_firewall"]) == {XDP_PASS: 27, XDP_DROP: 11}
        stats = [struct.unpack("<Q", k.maps["stats"].lookup(struct.pack("<I", i)))[0]
                 for i in range(5)]
        # passed, blocked source, blocked port (telnet v4 x5 + v6 x1), ICMP (3 + 1), malformed
        assert stats == [27, 0, 6, 4, 1]
    # the LPM trie blocks the scanner's /24; .rodata set before load lets ICMP through
    spec.variables["drop_icmp"].set(0)
    with load_into_kernel(spec) as k:
        key = struct.pack("<I4s", 24, bytes([192, 168, 1, 0]))
        k.maps["blocklist"].update(key, struct.pack("<I", 7))
        assert run_all(k.programs["xdp_firewall"]) == {XDP_PASS: 26, XDP_DROP: 12}


def test_kernel_tail_calls(kernel):
    with load_into_kernel(load_elf(EXAMPLES / "tail_calls.o")) as k:
        assert run_all(k.programs["dispatch"]) == {XDP_PASS: 34, XDP_DROP: 3, XDP_ABORTED: 1}
        handled = {i: struct.unpack("<Q", k.maps["handled"].lookup(struct.pack("<I", i)))[0]
                   for i in (1, 6, 17)}
        assert handled == {1: 3, 6: 27, 17: 5}


def test_kernel_socket_filter(kernel):
    with load_into_kernel(load_elf(EXAMPLES / "socket_filter.o")) as k:
        # DNS over UDP (3 x 57 bytes after the Ethernet header) and TCP (1 x 71); the
        # truncated IPv4 frame is refused by test_run itself
        verdicts = run_all(k.programs["dns_only"])
        assert verdicts == {0: 33, 57: 3, 71: 1, "EINVAL": 1}
        assert k.maps["kept"].lookup(struct.pack("<I", 1)) == struct.pack("<Q", 4)
