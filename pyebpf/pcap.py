"""Classic libpcap capture files: read them to feed packets to programs, write them for tests.

Only the classic format (``tcpdump -w``), microsecond or nanosecond timestamps, either
byte order; pcapng is not read.  Errors name what is wrong with the file.
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
        raise PcapError("pcapng files are not supported; convert with "
                        "'editcap -F pcap in.pcapng out.pcap'")
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
