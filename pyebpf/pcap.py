"""Capture files: read them to feed packets to programs, write them for tests.

Reads the classic libpcap format (``tcpdump -w``: microsecond or nanosecond timestamps,
either byte order) and pcapng (Wireshark's default: sections of either byte order,
interfaces with their timestamp resolution, enhanced, simple and obsolete packet blocks);
writes the classic format.  Ethernet link types only.  Errors name what is wrong.
"""

from __future__ import annotations

import errno
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pyebpf.errors import BPFError
from pyebpf.files import MAX_CAPTURE_BYTES, read_limited

MAGIC_USEC = 0xA1B2C3D4
MAGIC_NSEC = 0xA1B23C4D
PCAPNG_MAGIC = 0x0A0D0D0A
LINKTYPE_ETHERNET = 1
_MAX_SNAPLEN = 1 << 18


class PcapError(BPFError):
    """A capture file pyebpf cannot read (EINVAL)."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EINVAL, message)


@dataclass(frozen=True)
class Packet:
    """One captured frame: its timestamp in nanoseconds, bytes and original length."""

    timestamp_ns: int
    data: bytes
    orig_len: int


def read_pcap(source: str | Path | bytes | BinaryIO) -> Iterator[Packet]:
    """Yield the packets of a classic pcap file (path, bytes or binary file object)."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | Path):
        try:
            data = read_limited(source, MAX_CAPTURE_BYTES)
        except OSError as e:
            raise PcapError(f"cannot read {str(source)!r}: {e.strerror}") from None
    else:
        data = source.read()
    if len(data) < 24:
        raise PcapError(f"not a pcap file: {len(data)} bytes is shorter than the 24-byte header")
    (magic,) = struct.unpack_from("<I", data)
    if magic == PCAPNG_MAGIC:
        yield from _read_pcapng(data)
        return
    for endian in "<>":
        (m,) = struct.unpack_from(endian + "I", data)
        if m in (MAGIC_USEC, MAGIC_NSEC):
            break
    else:
        raise PcapError(f"not a pcap file (magic 0x{magic:08x})")
    scale = 1000 if m == MAGIC_USEC else 1
    _, _, _, _, snaplen, linktype = struct.unpack_from(endian + "HHiIII", data, 4)
    if linktype & 0xFFFF != LINKTYPE_ETHERNET:
        raise PcapError(f"link type {linktype} is not Ethernet (1)")
    rec = struct.Struct(endian + "IIII")
    off, index = 24, 0
    while off < len(data):
        if off + rec.size > len(data):
            raise PcapError(f"packet {index}: truncated record header at offset {off}")
        sec, frac, incl, orig = rec.unpack_from(data, off)
        off += rec.size
        if incl > max(snaplen, _MAX_SNAPLEN):
            raise PcapError(f"packet {index}: captured length {incl} exceeds the snap length")
        if off + incl > len(data):
            raise PcapError(f"packet {index}: truncated ({len(data) - off} of {incl} bytes)")
        yield Packet(sec * 1_000_000_000 + frac * scale, data[off:off + incl], orig)
        off += incl
        index += 1


_SHB, _IDB, _OPB, _SPB, _EPB = PCAPNG_MAGIC, 1, 2, 3, 6
_BYTE_ORDER_MAGIC = 0x1A2B3C4D


def _read_pcapng(data: bytes) -> Iterator[Packet]:
    """The packets of a pcapng file, in file order (pcapng spec, IETF draft-ietf-opsawg-pcapng)."""
    off, index = 0, 0
    endian = "<"
    ifaces: list[tuple[int, int, int]] = []          # (linktype, snaplen, ticks per second)
    while off < len(data):
        if off + 12 > len(data):
            raise PcapError(f"pcapng: truncated block header at offset {off}")
        (btype,) = struct.unpack_from(endian + "I", data, off)
        if btype == _SHB:
            (bom,) = struct.unpack_from("<I", data, off + 8)
            if bom == _BYTE_ORDER_MAGIC:
                endian = "<"
            elif bom == int.from_bytes(_BYTE_ORDER_MAGIC.to_bytes(4, "little"), "big"):
                endian = ">"
            else:
                raise PcapError(f"pcapng: bad byte-order magic 0x{bom:08x} at offset {off}")
            ifaces = []                               # interface ids restart per section
        (blen,) = struct.unpack_from(endian + "I", data, off + 4)
        if blen < 12 or blen % 4 or off + blen > len(data):
            raise PcapError(f"pcapng: block at offset {off} has a bad length {blen}")
        body = data[off + 8:off + blen - 4]
        if btype == _IDB:
            if len(body) < 8:
                raise PcapError(f"pcapng: short interface block at offset {off}")
            linktype, _, snaplen = struct.unpack_from(endian + "HHI", body)
            ifaces.append((linktype, snaplen, _tsresol(body[8:], endian)))
        elif btype in (_EPB, _OPB, _SPB):
            if btype == _SPB:
                if not ifaces or len(body) < 4:
                    raise PcapError(f"pcapng: packet {index}: simple packet block without "
                                    "an interface")
                (orig,) = struct.unpack_from(endian + "I", body)
                iface, ts, incl, start = 0, 0, min(orig, ifaces[0][1] or orig), 4
            else:
                fmt = endian + ("IIIII" if btype == _EPB else "HHIIII")
                if len(body) < struct.calcsize(fmt):
                    raise PcapError(f"pcapng: packet {index}: truncated block at offset {off}")
                fields = struct.unpack_from(fmt, body)
                if btype == _EPB:
                    iface, hi, lo, incl, orig = fields
                else:
                    iface, _, hi, lo, incl, orig = fields
                ts, start = hi << 32 | lo, struct.calcsize(fmt)
            if iface >= len(ifaces):
                raise PcapError(f"pcapng: packet {index}: no interface {iface}")
            linktype, _, ticks = ifaces[iface]
            if linktype != LINKTYPE_ETHERNET:
                raise PcapError(f"pcapng: packet {index}: link type {linktype} is not "
                                "Ethernet (1)")
            if start + incl > len(body):
                raise PcapError(f"pcapng: packet {index}: truncated ({len(body) - start} of "
                                f"{incl} bytes)")
            yield Packet(ts * 1_000_000_000 // ticks, body[start:start + incl], orig)
            index += 1
        off += blen


def _tsresol(options: bytes, endian: str) -> int:
    """Timestamp ticks per second from an interface's options (if_tsresol, code 9)."""
    pos = 0
    while pos + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, pos)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = options[pos + 4]
            return 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
        pos += 4 + (length + 3) // 4 * 4
    return 1_000_000


def write_pcap(path: str | Path, packets: Iterable[bytes | tuple[int, bytes]],
               snaplen: int = 65535) -> int:
    """Write frames (bytes, or (timestamp_ns, bytes)) as a microsecond pcap; returns the count."""
    out = [struct.pack("<IHHiIII", MAGIC_USEC, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET)]
    n = 0
    for i, p in enumerate(packets):
        ts, frame = p if isinstance(p, tuple) else (i * 1_000_000, p)
        sec, usec = divmod(ts // 1000, 1_000_000)
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + bytes(frame))
        n += 1
    Path(path).write_bytes(b"".join(out))
    return n
