"""Socket filters on real Python sockets: ``SO_ATTACH_BPF`` semantics on receive.

:func:`attach_filter` wraps a socket so that every datagram it receives first goes
through a ``BPF_PROG_TYPE_SOCKET_FILTER`` program, as the kernel's ``sk_filter`` runs it
before queueing: a return value of 0 drops the datagram, ``n`` trims it to ``n`` bytes of
what the program saw, more keeps it whole.  What the program sees depends on the socket,
as in the kernel:

- UDP (``AF_INET``/``AF_INET6``, ``SOCK_DGRAM``): the UDP header, then the payload
  (``udp_queue_rcv_one_skb`` filters with the data at the transport header; the trim
  keeps at least the 8 header bytes).  The header is rebuilt from the addresses:
  source and destination ports and length as sent, checksum 0 (the kernel's skb holds
  the sender's checksum; pyebpf does not see it).
- Unix datagram sockets (``AF_UNIX``, ``SOCK_DGRAM``): the message itself (the kernel
  runs the receiver's filter in ``unix_dgram_sendmsg``; a dropped message is lost
  without an error to the sender, as here).

The program runs as BPF_PROG_TEST_RUN runs socket filters, so datagrams the program
sees must fit the test run's buffer (3698 bytes of data); a larger one raises EMSGSIZE
from ``recv`` rather than pass unfiltered.  Stream sockets have no datagrams to filter
(the kernel filters their segments, which user space never sees): EOPNOTSUPP.
"""

from __future__ import annotations

import errno
import socket
import struct
from typing import Any

from pyebpf import uapi
from pyebpf.errors import BPFError

ETH_HLEN = 14
MAX_SEEN = 4096 - 64 - 320 - ETH_HLEN       # test_run_skb's data limit, Ethernet header out


def _prog(prog: Any) -> Any:
    """sk_attach_bpf's __get_bpf: a socket filter program (EBADF, EINVAL otherwise)."""
    from pyebpf.runtime import BpfProg, default_runtime

    rt = getattr(prog, "runtime", None) or default_runtime()
    fd = prog.fd if hasattr(prog, "fd") else int(prog)
    obj = rt.get(fd)
    if not isinstance(obj, BpfProg) or \
            obj.prog_type != uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER:
        raise BPFError(errno.EINVAL, f"fd {fd} is not a socket filter program")
    return obj


class FilteredSocket:
    """A socket with a socket filter attached; other attributes are the socket's."""

    def __init__(self, sock: socket.socket, prog: Any) -> None:
        if sock.type != socket.SOCK_DGRAM or sock.family not in (
                socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            raise BPFError(errno.EOPNOTSUPP, "pyebpf filters UDP and unix datagram sockets")
        self.sock = sock
        self.prog: Any = _prog(prog)
        self.passed = self.dropped = self.trimmed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)

    def attach(self, prog: Any) -> None:
        """SO_ATTACH_BPF again: the new program replaces the old one."""
        self.prog = _prog(prog)

    def detach(self) -> None:
        """SO_DETACH_BPF: ENOENT when no filter is attached."""
        if self.prog is None:
            raise BPFError(errno.ENOENT, "no filter attached")
        self.prog = None

    def _seen(self, data: bytes, addr: Any) -> tuple[bytes, int]:
        """What the program sees, and how many leading bytes of it are not payload."""
        if self.sock.family == socket.AF_UNIX:
            return data, 0
        sport = addr[1] if addr else 0
        dport = self.sock.getsockname()[1]
        return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data, 8

    def _filter(self, data: bytes, addr: Any) -> bytes | None:
        """sk_filter_trim_cap: None (dropped) or the datagram as queued."""
        if self.prog is None:
            return data
        from pyebpf.progtypes import TestRunParams, test_run

        seen, head = self._seen(data, addr)
        if len(seen) > MAX_SEEN:
            raise BPFError(errno.EMSGSIZE, f"a {len(seen)}-byte datagram is beyond what "
                           f"pyebpf runs socket filters on ({MAX_SEEN})")
        out = test_run(self.prog, TestRunParams(data_in=bytes(ETH_HLEN) + seen))
        keep = out.retval
        if keep == 0:
            self.dropped += 1
            return None
        keep = max(keep, head or 1)
        self.passed += 1
        if keep < len(seen):
            self.trimmed += 1
            return seen[head:keep]
        return data

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, Any]:
        """The next datagram the filter lets through (truncated to ``bufsize``)."""
        if flags & socket.MSG_PEEK:
            raise BPFError(errno.EINVAL, "MSG_PEEK is not supported on filtered sockets")
        while True:
            data, addr = self.sock.recvfrom(65536, flags)
            kept = self._filter(data, addr)
            if kept is not None:
                return kept[:bufsize], addr

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        return self.recvfrom(bufsize, flags)[0]

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        view = memoryview(buffer).cast("B")
        data = self.recv(nbytes or len(view), flags)
        view[:len(data)] = data
        return len(data)

    def __enter__(self) -> FilteredSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def attach_filter(sock: socket.socket, prog: Any) -> FilteredSocket:
    """SO_ATTACH_BPF: ``sock`` with ``prog`` filtering what it receives."""
    return FilteredSocket(sock, prog)


__all__ = ["FilteredSocket", "attach_filter"]
