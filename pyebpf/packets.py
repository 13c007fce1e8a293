"""Packet builders for tests: Ethernet, 802.1Q VLAN, IPv4, IPv6, TCP, UDP, ICMP, ICMPv6.

Layers stack with ``/`` and ``bytes()`` builds the frame, filling in what the layers
around a field decide (EtherType, IP protocol, lengths, checksums), so a test states
only what it is about::

    from pyebpf.packets import Ether, IPv4, TCP
    frame = bytes(Ether() / IPv4(src="10.0.0.1", dst="10.0.0.2") / TCP(dport=23))

Every field left as ``None`` is computed; a value given is used as is (a wrong
checksum on purpose, ``chksum=0x1234``).  :func:`parse` reads a frame back into the
same layers (for assertions on what a program wrote), and :func:`checksums_ok` says
whether its IPv4 and L4 checksums are right.  No scapy needed.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD, ETH_P_ARP = 0x0800, 0x86DD, 0x8100, 0x88A8, 0x0806
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 = 1, 6, 17, 58
_TCP_FLAGS = "FSRPAUEC"          # bit 0 .. bit 7: FIN SYN RST PSH ACK URG ECE CWR


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _mac(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        if len(value) != 6:
            raise ValueError(f"a MAC address is 6 bytes, got {len(value)}")
        return value
    raw = bytes.fromhex(value.replace(":", "").replace("-", ""))
    if len(raw) != 6:
        raise ValueError(f"{value!r} is not a MAC address")
    return raw


def _mac_str(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def _tcp_flags(value: int | str) -> int:
    if isinstance(value, int):
        return value
    out = 0
    for ch in value.upper():
        if ch not in _TCP_FLAGS:
            raise ValueError(f"unknown TCP flag {ch!r} (flags are letters of {_TCP_FLAGS})")
        out |= 1 << _TCP_FLAGS.index(ch)
    return out


class Layer:
    """One header.  ``a / b`` stacks ``b`` on top of ``a``; ``bytes(stack)`` builds it."""

    def __truediv__(self, other: Layer | bytes) -> Stack:
        return Stack([self]) / other

    def __bytes__(self) -> bytes:
        return bytes(Stack([self]))

    def __len__(self) -> int:
        return len(bytes(self))

    # build(payload, below, above): this header + payload, knowing its neighbours
    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        raise NotImplementedError


class Stack:
    """Layers from the outermost (Ethernet) in; a trailing ``bytes`` is the payload."""

    def __init__(self, layers: list[Layer | bytes]) -> None:
        self.layers = layers

    def __truediv__(self, other: Layer | bytes | Stack) -> Stack:
        if isinstance(self.layers[-1], bytes | bytearray):
            raise ValueError("nothing stacks on top of a raw payload")
        more = other.layers if isinstance(other, Stack) else [other]
        return Stack([*self.layers, *more])

    def __bytes__(self) -> bytes:
        data = b""
        items = self.layers
        for i in range(len(items) - 1, -1, -1):
            item = items[i]
            if isinstance(item, bytes | bytearray):
                data = bytes(item) + data
                continue
            below = items[i - 1] if i else None
            above = items[i + 1] if i + 1 < len(items) else None
            data = item.build(data, below, above)  # type: ignore[arg-type]
        return data

    def __len__(self) -> int:
        return len(bytes(self))

    def __getitem__(self, kind: type) -> Any:
        """The first layer of class ``kind`` (``parse(frame)[TCP].dport``)."""
        for item in self.layers:
            if isinstance(item, kind):
                return item
        raise KeyError(f"no {kind.__name__} layer in {self!r}")

    def __contains__(self, kind: type) -> bool:
        return any(isinstance(item, kind) for item in self.layers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stack) and self.layers == other.layers

    def __repr__(self) -> str:
        return " / ".join(repr(x) if not isinstance(x, bytes | bytearray)
                          else f"Raw({len(x)} bytes)" for x in self.layers)


@dataclass
class Ether(Layer):
    dst: str | bytes = "02:00:00:00:00:01"
    src: str | bytes = "02:00:00:00:00:02"
    type: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        etype = self.type if self.type is not None else _ethertype(above)
        return _mac(self.dst) + _mac(self.src) + struct.pack("!H", etype) + payload

    def __repr__(self) -> str:
        return f"Ether(dst={_mac_str(_mac(self.dst))}, src={_mac_str(_mac(self.src))})"


@dataclass
class VLAN(Layer):
    """An 802.1Q tag (``tpid=0x88a8`` in the Ethernet layer's ``type`` for QinQ)."""

    vid: int = 1
    pcp: int = 0
    dei: int = 0
    type: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        if not 0 <= self.vid < 4096 or not 0 <= self.pcp < 8:
            raise ValueError("VLAN id is 12 bits and priority 3")
        etype = self.type if self.type is not None else _ethertype(above)
        tci = self.pcp << 13 | (self.dei & 1) << 12 | self.vid
        return struct.pack("!HH", tci, etype) + payload


@dataclass
class IPv4(Layer):
    src: str = "10.0.0.2"
    dst: str = "10.0.0.1"
    proto: int | None = None
    ttl: int = 64
    tos: int = 0
    id: int = 1
    flags: int = 2                 # DF
    frag: int = 0
    options: bytes = b""
    len: int | None = None
    ihl: int | None = None
    chksum: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        if len(self.options) % 4:
            raise ValueError("IPv4 options are a multiple of 4 bytes")
        ihl = self.ihl if self.ihl is not None else 5 + len(self.options) // 4
        total = self.len if self.len is not None else 20 + len(self.options) + len(payload)
        proto = self.proto if self.proto is not None else _ipproto(above)
        hdr = struct.pack("!BBHHHBBH4s4s", 4 << 4 | ihl, self.tos, total, self.id,
                          self.flags << 13 | self.frag, self.ttl, proto, 0,
                          ipaddress.IPv4Address(self.src).packed,
                          ipaddress.IPv4Address(self.dst).packed) + self.options
        c = self.chksum if self.chksum is not None else checksum(hdr)
        return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload

    def pseudo_header(self, proto: int, length: int) -> bytes:
        return (ipaddress.IPv4Address(self.src).packed + ipaddress.IPv4Address(self.dst).packed
                + struct.pack("!xBH", proto, length))


@dataclass
class IPv6(Layer):
    src: str = "fd00::2"
    dst: str = "fd00::1"
    nh: int | None = None
    hlim: int = 64
    tc: int = 0
    fl: int = 0
    plen: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        nh = self.nh if self.nh is not None else _ipproto(above)
        plen = self.plen if self.plen is not None else len(payload)
        return struct.pack("!IHBB16s16s", 6 << 28 | self.tc << 20 | self.fl, plen, nh,
                           self.hlim, ipaddress.IPv6Address(self.src).packed,
                           ipaddress.IPv6Address(self.dst).packed) + payload

    def pseudo_header(self, proto: int, length: int) -> bytes:
        return (ipaddress.IPv6Address(self.src).packed + ipaddress.IPv6Address(self.dst).packed
                + struct.pack("!IxxxB", length, proto))


def _l4_checksum(below: Layer | None, proto: int, segment: bytes) -> int:
    if isinstance(below, IPv4 | IPv6):
        return checksum(below.pseudo_header(proto, len(segment)) + segment)
    return 0                       # no IP layer below: nothing to cover


@dataclass
class TCP(Layer):
    sport: int = 40000
    dport: int = 80
    seq: int = 1000
    ack: int = 0
    flags: int | str = "S"
    window: int = 65535
    urgptr: int = 0
    options: bytes = b""
    dataofs: int | None = None
    chksum: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        if len(self.options) % 4:
            raise ValueError("TCP options are a multiple of 4 bytes")
        off = self.dataofs if self.dataofs is not None else 5 + len(self.options) // 4
        seg = struct.pack("!HHIIBBHHH", self.sport, self.dport, self.seq, self.ack, off << 4,
                          _tcp_flags(self.flags), self.window, 0, self.urgptr) \
            + self.options + payload
        c = self.chksum if self.chksum is not None else _l4_checksum(below, IPPROTO_TCP, seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]


@dataclass
class UDP(Layer):
    sport: int = 40000
    dport: int = 53
    len: int | None = None
    chksum: int | None = None

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        length = self.len if self.len is not None else 8 + len(payload)
        seg = struct.pack("!HHHH", self.sport, self.dport, length, 0) + payload
        if self.chksum is not None:
            c = self.chksum
        else:
            # 0 means "no checksum" in UDP over IPv4: a computed 0 is sent as 0xffff
            c = _l4_checksum(below, IPPROTO_UDP, seg)
            c = c or (0xFFFF if isinstance(below, IPv4 | IPv6) else 0)
        return seg[:6] + struct.pack("!H", c) + seg[8:]


@dataclass
class ICMP(Layer):
    """ICMP (echo request by default: type 8, code 0, with ``id`` and ``seq``)."""

    type: int = 8
    code: int = 0
    id: int = 1
    seq: int = 1
    chksum: int | None = None

    proto: ClassVar[int] = IPPROTO_ICMP

    def build(self, payload: bytes, below: Layer | None, above: Layer | bytes | None) -> bytes:
        msg = struct.pack("!BBHHH", self.type, self.code, 0, self.id, self.seq) + payload
        if self.chksum is not None:
            c = self.chksum
        elif self.proto == IPPROTO_ICMPV6:
            c = _l4_checksum(below, IPPROTO_ICMPV6, msg)
        else:
            c = checksum(msg)
        return msg[:2] + struct.pack("!H", c) + msg[4:]


@dataclass
class ICMPv6(ICMP):
    """ICMPv6 (echo request by default: type 128); the checksum covers the pseudo header."""

    type: int = 128

    proto: ClassVar[int] = IPPROTO_ICMPV6


def _ethertype(above: Layer | bytes | None) -> int:
    if isinstance(above, IPv4):
        return ETH_P_IP
    if isinstance(above, IPv6):
        return ETH_P_IPV6
    if isinstance(above, VLAN):
        return ETH_P_8021Q
    raise ValueError(f"cannot tell the EtherType for {above!r}: give type=")


def _ipproto(above: Layer | bytes | None) -> int:
    if isinstance(above, TCP):
        return IPPROTO_TCP
    if isinstance(above, UDP):
        return IPPROTO_UDP
    if isinstance(above, ICMP):
        return above.proto
    raise ValueError(f"cannot tell the IP protocol for {above!r}: give proto=/nh=")


# --- shortcuts -------------------------------------------------------------------------

def tcp(dport: int = 80, sport: int = 40000, *, src: str = "10.0.0.2", dst: str = "10.0.0.1",
        flags: int | str = "S", payload: bytes = b"", **ether: Any) -> bytes:
    """An Ethernet/IPv4 (or IPv6, when the addresses are) TCP frame."""
    return bytes(Ether(**ether) / _ip(src, dst) / TCP(sport=sport, dport=dport, flags=flags)
                 / payload)


def udp(dport: int = 53, sport: int = 40000, *, src: str = "10.0.0.2", dst: str = "10.0.0.1",
        payload: bytes = b"", **ether: Any) -> bytes:
    """An Ethernet/IPv4 (or IPv6) UDP frame."""
    return bytes(Ether(**ether) / _ip(src, dst) / UDP(sport=sport, dport=dport) / payload)


def icmp_echo(*, src: str = "10.0.0.2", dst: str = "10.0.0.1", payload: bytes = b"ping",
              **ether: Any) -> bytes:
    """An echo request: ICMP over IPv4, ICMPv6 over IPv6 (chosen by the addresses)."""
    ip = _ip(src, dst)
    return bytes(Ether(**ether) / ip / (ICMPv6() if isinstance(ip, IPv6) else ICMP()) / payload)


def _ip(src: str, dst: str) -> IPv4 | IPv6:
    v = ipaddress.ip_address(src).version
    if ipaddress.ip_address(dst).version != v:
        raise ValueError(f"{src} and {dst} are not of the same IP version")
    return IPv4(src=src, dst=dst) if v == 4 else IPv6(src=src, dst=dst)


# --- parsing ---------------------------------------------------------------------------

def parse(frame: bytes) -> Stack:
    """The layers of an Ethernet frame, every field as found (checksums included), so
    ``bytes(parse(f)) == f`` for the frames these builders make.  What is not
    understood (or truncated) is left as a raw payload."""
    frame = bytes(frame)
    if len(frame) < 14:
        return Stack([frame])
    out: list[Layer | bytes] = [Ether(_mac_str(frame[:6]), _mac_str(frame[6:12]),
                                      struct.unpack_from("!H", frame, 12)[0])]
    etype, off = out[0].type, 14  # type: ignore[union-attr]
    while etype in (ETH_P_8021Q, ETH_P_8021AD) and len(frame) >= off + 4:
        tci, etype = struct.unpack_from("!HH", frame, off)
        out.append(VLAN(tci & 0xFFF, tci >> 13, tci >> 12 & 1, etype))
        off += 4
    proto, below = None, None
    if etype == ETH_P_IP and len(frame) >= off + 20:
        vihl, tos, total, ident, ff, ttl, proto, c = struct.unpack_from("!BBHHHBBH", frame, off)
        ihl = vihl & 0xF
        if vihl >> 4 == 4 and ihl >= 5 and len(frame) >= off + 4 * ihl:
            below = IPv4(str(ipaddress.IPv4Address(frame[off + 12:off + 16])),
                         str(ipaddress.IPv4Address(frame[off + 16:off + 20])), proto, ttl, tos,
                         ident, ff >> 13, ff & 0x1FFF, frame[off + 20:off + 4 * ihl], total,
                         ihl, c)
            out.append(below)
            off += 4 * ihl
        else:
            proto = None
    elif etype == ETH_P_IPV6 and len(frame) >= off + 40:
        vtf, plen, proto, hlim = struct.unpack_from("!IHBB", frame, off)
        below = IPv6(str(ipaddress.IPv6Address(frame[off + 8:off + 24])),
                     str(ipaddress.IPv6Address(frame[off + 24:off + 40])), proto, hlim,
                     vtf >> 20 & 0xFF, vtf & 0xFFFFF, plen)
        out.append(below)
        off += 40
    if proto == IPPROTO_TCP and len(frame) >= off + 20:
        sp, dp, seq, ack, do, fl, win, c, urg = struct.unpack_from("!HHIIBBHHH", frame, off)
        hl = (do >> 4) * 4
        if hl >= 20 and len(frame) >= off + hl:
            out.append(TCP(sp, dp, seq, ack, fl, win, urg, frame[off + 20:off + hl], do >> 4, c))
            off += hl
    elif proto == IPPROTO_UDP and len(frame) >= off + 8:
        sp, dp, ln, c = struct.unpack_from("!HHHH", frame, off)
        out.append(UDP(sp, dp, ln, c))
        off += 8
    elif proto in (IPPROTO_ICMP, IPPROTO_ICMPV6) and len(frame) >= off + 8:
        t, code, c, ident, seq = struct.unpack_from("!BBHHH", frame, off)
        cls = ICMP if proto == IPPROTO_ICMP else ICMPv6
        out.append(cls(t, code, ident, seq, c))
        off += 8
    if off < len(frame):
        out.append(frame[off:])
    return Stack(out)


def checksums_ok(frame: bytes) -> bool:
    """Whether the IPv4 header checksum and the TCP/UDP/ICMP checksum of ``frame`` are
    right (a UDP checksum of 0 over IPv4 means none, and is right)."""
    s = parse(frame)
    rebuilt = Stack([_unchecked(x) for x in s.layers])
    return bytes(rebuilt) == bytes(s)


def _unchecked(item: Layer | bytes) -> Layer | bytes:
    """``item`` with its checksum (and nothing else) to be computed again."""
    if isinstance(item, IPv4 | TCP | ICMP):
        return replace(item, chksum=None)
    if isinstance(item, UDP):
        return item if item.chksum == 0 else replace(item, chksum=None)
    return item


def summary(frame: bytes) -> str:
    """One line naming a frame's layers and their main fields (for failure messages)."""
    parts = []
    for item in parse(frame).layers:
        if isinstance(item, bytes | bytearray):
            parts.append(f"{len(item)} bytes")
        elif isinstance(item, Ether):
            parts.append(f"Ether type={item.type:#06x}")
        elif isinstance(item, IPv4 | IPv6):
            parts.append(f"{type(item).__name__} {item.src} > {item.dst}")
        elif isinstance(item, TCP | UDP):
            fl = ""
            if isinstance(item, TCP):
                bits = _tcp_flags(item.flags)
                fl = " [" + "".join(c for i, c in enumerate(_TCP_FLAGS) if bits >> i & 1) + "]"
            parts.append(f"{type(item).__name__} {item.sport} > {item.dport}{fl}")
        else:
            names = ", ".join(f"{f.name}={getattr(item, f.name)}" for f in fields(item)
                              if f.name != "chksum")
            parts.append(f"{type(item).__name__}({names})")
    return " / ".join(parts)


__all__ = ["ICMP", "TCP", "UDP", "VLAN", "Ether", "ICMPv6", "IPv4", "IPv6", "Layer",
           "Stack", "checksum", "checksums_ok", "icmp_echo", "parse", "summary", "tcp", "udp"]
