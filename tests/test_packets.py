"""pyebpf.packets: frames built with correct lengths and checksums, parsed back exactly.

The checksums are checked two ways that do not use the builders' code: the shipped
capture (examples/traffic.pcap, written by examples/make_traffic.py's own checksum code)
parses and re-checks as correct, and every built header sums to 0xffff with its checksum
in place (RFC 1071's verification, not its computation).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pyebpf import packets
from pyebpf.elf import load_elf
from pyebpf.packets import ICMP, TCP, UDP, VLAN, Ether, ICMPv6, IPv4, IPv6, checksums_ok, parse
from pyebpf.pcap import read_pcap

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _ones_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = 0
    for (w,) in struct.iter_unpack("!H", data):
        s += w
        s = (s & 0xFFFF) + (s >> 16)
    return s


def test_shipped_capture_parses_back_exactly_with_good_checksums() -> None:
    frames = [p.data for p in read_pcap(EXAMPLES / "traffic.pcap")]
    assert len(frames) == 38
    ip_frames = 0
    for f in frames:
        assert bytes(parse(f)) == f
        s = parse(f)
        if ICMPv6 in s and s[ICMPv6].chksum == 0:
            # make_traffic.py leaves ICMPv6 checksums zero: only these may be "wrong"
            assert not checksums_ok(f)
        elif IPv4 in s or IPv6 in s:
            ip_frames += 1
            assert checksums_ok(f), packets.summary(f)
    assert ip_frames >= 30


@pytest.mark.parametrize("stack", [
    Ether() / IPv4(src="192.0.2.1", dst="198.51.100.7", ttl=3) / TCP(dport=443, flags="SA",
                                                                       options=b"\x02\x04\x05\xb4")
    / b"hello",
    Ether() / IPv4(options=b"\x01\x01\x01\x00") / UDP(dport=53) / (b"q" * 33),
    Ether() / VLAN(vid=100, pcp=5) / IPv4() / ICMP() / b"ping",
    Ether() / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(dport=22) / b"ssh",
    Ether() / VLAN(vid=7) / IPv6() / UDP() / b"x",
    Ether() / IPv6() / ICMPv6(type=129) / b"pong",
], ids=["ipv4-tcp", "ipv4opts-udp", "vlan-icmp", "ipv6-tcp", "vlan-ipv6-udp", "icmpv6"])
def test_built_headers_verify(stack: packets.Stack) -> None:
    frame = bytes(stack)
    s = parse(frame)
    assert bytes(s) == frame and checksums_ok(frame)
    off = 14 + 4 * sum(1 for x in s.layers if isinstance(x, VLAN))
    if IPv4 in s:
        ip = s[IPv4]
        hlen = 4 * ip.ihl
        assert _ones_sum(frame[off:off + hlen]) == 0xFFFF
        assert ip.len == len(frame) - off
        pseudo = frame[off + 12:off + 20] + struct.pack("!xBH", ip.proto, len(frame) - off - hlen)
        l4 = frame[off + hlen:]
    else:
        ip6 = s[IPv6]
        assert ip6.plen == len(frame) - off - 40
        l4 = frame[off + 40:]
        pseudo = frame[off + 8:off + 40] + struct.pack("!IxxxB", len(l4), ip6.nh)
    if ICMP in s and not isinstance(s[ICMP], ICMPv6):
        assert _ones_sum(l4) == 0xFFFF          # ICMPv4 has no pseudo header
    else:
        assert _ones_sum(pseudo + l4) == 0xFFFF
    if UDP in s:
        assert s[UDP].len == len(l4)


def test_wrong_checksums_are_noticed() -> None:
    good = packets.tcp(dport=80, payload=b"abc")
    for pos in (14 + 8, len(good) - 1):          # the TTL, the last payload byte
        bad = bytearray(good)
        bad[pos] ^= 0x40
        assert not checksums_ok(bytes(bad))
    assert not checksums_ok(bytes(Ether() / IPv4() / UDP(chksum=0x1234)))
    assert checksums_ok(bytes(Ether() / IPv4() / UDP(chksum=0)))     # "no checksum"


def test_fields_and_shortcuts() -> None:
    f = packets.tcp(8080, 1234, src="10.1.2.3", dst="10.9.8.7", flags="PA", payload=b"GET")
    s = parse(f)
    assert (s[IPv4].src, s[IPv4].dst, s[TCP].sport, s[TCP].dport) == (
        "10.1.2.3", "10.9.8.7", 1234, 8080)
    assert s[TCP].flags == 0x18 and s.layers[-1] == b"GET"
    assert parse(packets.udp(src="fd00::1", dst="fd00::2"))[IPv6].nh == 17
    assert packets.summary(packets.icmp_echo()) == \
        "Ether type=0x0800 / IPv4 10.0.0.2 > 10.0.0.1 / ICMP(type=8, code=0, id=1, seq=1) / 4 bytes"
    with pytest.raises(ValueError, match="same IP version"):
        packets.tcp(src="10.0.0.1", dst="fd00::1")
    with pytest.raises(ValueError, match="unknown TCP flag"):
        bytes(Ether() / IPv4() / TCP(flags="SZ"))
    with pytest.raises(ValueError, match="EtherType"):
        bytes(Ether() / b"raw")
    assert bytes(Ether(type=0x88B5) / b"raw")[12:] == b"\x88\xb5raw"


def test_btf_from_python_inverts_to_python() -> None:
    """Every map key/value type and global variable of the examples: encoding what
    to_python decoded gives the bytes back."""
    seen = 0
    for obj in sorted(EXAMPLES.glob("*.o")):
        spec = load_elf(obj)
        btf = spec.btf
        assert btf is not None
        for ms in spec.maps.values():
            for tid, size in ((ms.key_type_id, ms.key_size), (ms.value_type_id, ms.value_size)):
                if not tid or ms.is_data:
                    continue
                raw = bytes(range(1, size + 1))
                value = btf.to_python(tid, raw)
                assert btf.from_python(tid, value) == raw, (obj.name, ms.name)
                seen += 1
        for v in spec.variables.values():
            raw = spec.variables[v.name].raw
            assert btf.from_python(v.type_id, btf.to_python(v.type_id, raw)) == raw
    assert seen >= 6
    fw = load_elf(EXAMPLES / "xdp_firewall.o")
    key = fw.maps["blocklist"].key_type_id
    assert fw.btf.from_python(key, (24, 0x01020304)) == \
        fw.btf.from_python(key, {"addr": 0x01020304, "prefixlen": 24})
    with pytest.raises(ValueError, match="no member 'port'"):
        fw.btf.from_python(key, {"port": 1})
    with pytest.raises(ValueError, match=r"member 'prefixlen'.*does not fit"):
        fw.btf.from_python(key, {"prefixlen": 1 << 32})


def test_typed_view_of_a_loaded_collection() -> None:
    """pyebpf.testing.BpfObject.wrap: typed maps and live .bss/.data variables over a
    Collection from spec.load() (the libbpf skeleton's view), .rodata refused."""
    from pyebpf.errors import BPFError
    from pyebpf.testing import BpfObject

    spec = load_elf(EXAMPLES / "xdp_firewall.o")
    with BpfObject.wrap(spec.load()) as fw:
        out = fw.program.run(packets.tcp(dport=23))
        assert out.verdict == "XDP_DROP" and fw.maps["stats"][2] == 1
        assert fw.maps["stats"].nonzero() == {2: 1}
        fw.maps["stats"][2] = 40
        assert fw.maps["stats"][2] == 40 and fw._live.maps["stats"].lookup(2) == \
            (40).to_bytes(8, "little")
        with pytest.raises(BPFError, match="frozen at load"):
            fw.variables["blocked_port"] = 1
    # .bss, live both ways: the program counts its calls in `calls` and prints the count
    hello = load_elf(EXAMPLES.parent / "tests" / "data" / "cli" / "hello.o")
    with BpfObject.wrap(hello.load()) as obj:
        ctx = (42).to_bytes(8, "little")
        obj.program.run(ctx=ctx)
        obj.program.run(ctx=ctx)
        assert obj.variables["calls"] == 2
        obj.variables["calls"] = 40
        obj.program.run(ctx=ctx)
        assert obj.variables["calls"] == 41
        assert obj.trace()[-1].endswith("hello from pyebpf, call 41, arg0 42")
