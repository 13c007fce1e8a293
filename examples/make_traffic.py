"""Write examples/traffic.pcap: a small, deterministic capture for the examples.

Ethernet frames with IPv4 and IPv6, TCP (connection attempts and data, telnet, an
8080 service), UDP (DNS, NTP), ICMP and ICMPv6 echo, plus an ARP request, from
several sources. Checksums are correct so the tc example's incremental updates can
be checked.  Usage: python3 make_traffic.py [OUT.pcap]
"""

from __future__ import annotations

import ipaddress
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pyebpf.pcap import write_pcap

SERVER_MAC = bytes.fromhex("020000000001")


def mac(n: int) -> bytes:
    return bytes.fromhex("0200000010") + bytes([n])


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(src: int, proto: int, payload: bytes) -> bytes:
    return SERVER_MAC + mac(src) + struct.pack("!H", proto) + payload


def l4(proto: int, sport: int, dport: int, payload: bytes, flags: int, pseudo: bytes) -> bytes:
    if proto == 6:
        hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0 if flags == 0x02 else 1,
                          5 << 4, flags, 65535, 0, 0)
        seg = hdr + payload
        c = csum(pseudo + struct.pack("!xBH", 6, len(seg)) + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]
    if proto == 17:
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = csum(pseudo + struct.pack("!xBH", 17, len(seg)) + seg) or 0xFFFF
        return seg[:6] + struct.pack("!H", c) + seg[8:]
    raise ValueError(proto)


def ipv4(src: str, dst: str, proto: int, body: bytes, ttl: int = 64) -> bytes:
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0x1234, 0x4000, ttl, proto, 0,
                      s, d)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + body


def tcp4(host: int, src: str, sport: int, dport: int, flags: int = 0x02,
         payload: bytes = b"", dst: str = "10.0.0.1") -> bytes:
    pseudo = ipaddress.IPv4Address(src).packed + ipaddress.IPv4Address(dst).packed
    return eth(host, 0x0800, ipv4(src, dst, 6, l4(6, sport, dport, payload, flags, pseudo)))


def udp4(host: int, src: str, sport: int, dport: int, payload: bytes,
         dst: str = "10.0.0.1") -> bytes:
    pseudo = ipaddress.IPv4Address(src).packed + ipaddress.IPv4Address(dst).packed
    return eth(host, 0x0800, ipv4(src, dst, 17, l4(17, sport, dport, payload, 0, pseudo)))


def icmp4(host: int, src: str, seq: int) -> bytes:
    body = struct.pack("!BBHHH", 8, 0, 0, 0x42, seq) + b"pyebpf-ping" * 2
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return eth(host, 0x0800, ipv4(src, "10.0.0.1", 1, body))


def ipv6(host: int, src: str, proto: int, body: bytes, dst: str = "2001:db8::1") -> bytes:
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(body), proto, 64, s, d)
    return eth(host, 0x86DD, hdr + body)


def tcp6(host: int, src: str, sport: int, dport: int, flags: int = 0x02) -> bytes:
    pseudo = ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address("2001:db8::1").packed
    return ipv6(host, src, 6, l4(6, sport, dport, b"", flags, pseudo))


def udp6(host: int, src: str, sport: int, dport: int, payload: bytes) -> bytes:
    pseudo = ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address("2001:db8::1").packed
    return ipv6(host, src, 17, l4(17, sport, dport, payload, 0, pseudo))


def icmp6(host: int, src: str) -> bytes:
    return ipv6(host, src, 58, struct.pack("!BBHHH", 128, 0, 0, 7, 1) + b"v6ping")


def arp(host: int) -> bytes:
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(host),
                       bytes([10, 0, 0, 2]), bytes(6), bytes([10, 0, 0, 1]))
    return b"\xff" * 6 + mac(host) + struct.pack("!H", 0x0806) + body


def packets() -> list[bytes]:
    dns_query = (bytes.fromhex("abcd01000001000000000000")
                 + b"\x07example\x03com\x00\x00\x01\x00\x01")
    out = [arp(2)]
    for i in range(4):                                   # a client opening connections
        out.append(tcp4(2, "10.0.0.2", 40000 + i, 443))
        out.append(tcp4(2, "10.0.0.2", 40000 + i, 443, flags=0x18, payload=b"GET / HTTP/1.1\r\n"))
    for i in range(3):                                   # DNS over UDP and TCP
        out.append(udp4(3, "10.0.0.3", 5300 + i, 53, dns_query))
    out.append(tcp4(3, "10.0.0.3", 5400, 53, flags=0x18, payload=b"\x00\x1d" + dns_query))
    for i in range(5):                                   # a scanner probing telnet and 8080
        out.append(tcp4(4, "192.168.1.66", 6000 + i, 23))
        out.append(tcp4(4, "192.168.1.66", 6000 + i, 8080))
    for seq in range(3):
        out.append(icmp4(5, "10.0.0.5", seq))
    out.append(udp4(6, "203.0.113.9", 123, 123, bytes(48)))   # NTP
    for i in range(6):                                   # a busy web client, data packets
        out.append(tcp4(7, "198.51.100.7", 51000, 8080, flags=0x18, payload=bytes([i]) * 200))
    out.append(tcp6(8, "2001:db8::8", 41000, 443))
    out.append(tcp6(8, "2001:db8::8", 41001, 23))
    out.append(udp6(8, "2001:db8::8", 5353, 53, dns_query))
    out.append(icmp6(9, "2001:db8::9"))
    out.append(eth(2, 0x0800, b"\x45\x00"))            # a truncated IPv4 frame
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "traffic.pcap")
    count = write_pcap(target, ((1_700_000_000_000_000_000 + i * 1_000_000, p)
                                for i, p in enumerate(packets())))
    print(f"wrote {count} packets to {target}")
