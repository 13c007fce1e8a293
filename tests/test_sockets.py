"""Socket filters (SO_ATTACH_BPF semantics) on real Python sockets: a clang-compiled filter
(tests/data/events/sockfilter.bpf.c) drops and trims what recv returns, on a UDP socket
over loopback and on a unix datagram socket pair."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import pytest

from pyebpf import asm, uapi
from pyebpf.elf import load_elf
from pyebpf.errors import BPFError
from pyebpf.objects import Program
from pyebpf.runtime import Runtime
from pyebpf.sockets import attach_filter


def err(fn: Any, *args: Any) -> int:
    with pytest.raises(BPFError) as e:
        fn(*args)
    return e.value.errno

OBJ = Path(__file__).parent / "data" / "events" / "sockfilter.o"


def load(payload_off: int) -> Any:
    spec = load_elf(str(OBJ))
    spec.variables["payload_off"].set(payload_off)
    return spec.load(Runtime())


def seen(coll: Any) -> list[int]:
    return [e.value_typed for e in coll.entries("seen")]


def test_udp_socket_filter_drops_and_trims() -> None:
    with load(8) as coll:
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        tx.bind(("127.0.0.1", 0))
        rx.settimeout(5)
        with attach_filter(rx, coll.programs["datagram_filter"]) as f, tx:
            for msg in (b"DROP me", b"hello", b"TRIM this please", b"DROP", b"x" * 3000):
                tx.sendto(msg, rx.getsockname())
            got = [f.recvfrom(4096) for _ in range(3)]
            assert [d for d, _ in got] == [b"hello", b"TRIM", b"x" * 3000]
            assert got[0][1] == tx.getsockname()
            assert (f.passed, f.dropped, f.trimmed) == (3, 2, 1)
            runs, drops, trims, sport, dport, udp_len, skb_len = seen(coll)[:7]
            assert (runs, drops, trims) == (5, 2, 1)
            assert (sport, dport) == (tx.getsockname()[1], rx.getsockname()[1])
            assert udp_len == skb_len == 8 + 3000         # the header the program saw
            f.detach()
            assert err(f.detach) == errno.ENOENT
            tx.sendto(b"DROP now passes", rx.getsockname())
            assert f.recv(100) == b"DROP now passes"


def test_unix_datagram_filter() -> None:
    with load(0) as coll:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        b.settimeout(5)
        with attach_filter(b, coll.programs["datagram_filter"]) as f, a:
            for msg in (b"DROP", b"TRIMMED", b"ok", b"TRIM"):
                a.send(msg)
            assert [f.recv(64) for _ in range(3)] == [b"TRIM", b"ok", b"TRIM"]
            buf = bytearray(16)
            a.send(b"into")
            assert f.recv_into(buf) == 4 and buf[:4] == b"into"
            assert seen(coll)[:3] == [5, 1, 2]
            b.setblocking(False)
            a.send(b"DROP")
            with pytest.raises(BlockingIOError):         # dropped: nothing to receive
                f.recv(64)


def test_attach_errors() -> None:
    rt = Runtime()
    xdp = Program(asm.assemble("r0 = 2\nexit", "llvm"), uapi.BpfProgType.BPF_PROG_TYPE_XDP,
                  runtime=rt)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        assert err(attach_filter, s, xdp) == errno.EINVAL
        xdp.close()
        assert err(attach_filter, s, 9999) == errno.EBADF
    sf = Program(asm.assemble("r0 = 0\nexit", "llvm"),
                 uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, runtime=rt)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert err(attach_filter, s, sf) == errno.EOPNOTSUPP
    sf.close()


def test_filter_verdicts_match_kernel(kernel: Any) -> None:
    """The kernel runs the same filter on the same datagrams (as its socket would see
    them): the same keep/drop/trim lengths."""
    import struct

    from pyebpf.elf import load_into_kernel

    spec = load_elf(str(OBJ))
    msgs = [b"DROP me", b"hello", b"TRIM this please", b"DROP", b"x" * 3000, b"", b"TRI"]
    frames = [bytes(14) + struct.pack("!HHHH", 4000, 5000, 8 + len(m), 0) + m for m in msgs]
    with load_into_kernel(spec) as theirs, spec.load(Runtime()) as ours:
        want = [theirs.programs["datagram_filter"].test_run(f, repeat=0).retval
                for f in frames]
        got = [ours.programs["datagram_filter"].test_run(f).retval for f in frames]
    assert got == want == [0, 13, 12, 0, 3008, 8, 11]
