"""The shipped examples (examples/*.bpf.c, compiled objects committed) on the shipped capture.

Every example loads unchanged in pyebpf (``CollectionSpec.load``) and in the live kernel
(``load_into_kernel``), and both run the same packets through BPF_PROG_TEST_RUN: every frame
of examples/traffic.pcap plus hand-made edge cases.  Retval (or errno), data_out and the maps
afterwards must be identical; ring buffer events are read from the kernel's ring through
mmap, as libbpf's consumer does.  The expected counts (what each program's source says it
does with the capture) are checked on both backends.  The kernel half skips, printing why,
only where bpf() is refused.
"""

from __future__ import annotations

import errno
import importlib.util
import mmap
import struct
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from pyebpf.elf import CollectionSpec, load_elf, load_into_kernel
from pyebpf.errors import BPFError
from pyebpf.maps import PERCPU_TYPES
from pyebpf.pcap import read_pcap
from pyebpf.runtime import Runtime
from pyebpf.uapi import BpfMapType

# every test runs on the interpreter and on the JIT (tests/conftest.py: engine)
pytestmark = pytest.mark.usefixtures("engine")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OBJECTS = sorted(p.name for p in EXAMPLES.glob("*.o"))
PACKETS = [p.data for p in read_pcap(EXAMPLES / "traffic.pcap")]
XDP_ABORTED, XDP_DROP, XDP_PASS = 0, 1, 2
TC_ACT_OK, TC_ACT_SHOT = 0, 2


def _traffic_builders() -> Any:
    """examples/make_traffic.py (the capture's generator) as a module, for its builders."""
    spec = importlib.util.spec_from_file_location("make_traffic", EXAMPLES / "make_traffic.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


T = _traffic_builders()
HANDMADE = {
    "runt-13-bytes": T.eth(2, 0x0800, b"")[:13],
    "ethernet-only": T.eth(2, 0x0800, b""),
    "ipv4-ttl-1": T.eth(2, 0x0800, T.ipv4("10.0.0.2", "10.0.0.1", 17,
                                             T.l4(17, 1, 53, b"x", 0, bytes(8)), ttl=1)),
    "ipv4-options-tcp-8080": T.eth(2, 0x0800, bytes([0x46]) + T.tcp4(
        2, "10.0.0.2", 1, 8080)[15:34] + bytes(4) + T.tcp4(2, "10.0.0.2", 1, 8080)[34:]),
    "tcp-header-cut": T.tcp4(4, "192.168.1.66", 7000, 23)[:40],
    "ipv6-syn-8080": T.tcp6(8, "2001:db8::8", 42000, 8080),
    "vlan-tagged": T.eth(2, 0x8100, b"\x00\x05\x08\x00" + b"\x45" + bytes(40)),
    "jumbo-udp-dns": T.udp4(3, "10.0.0.3", 5555, 53, bytes(1400)),
}
ALL_PACKETS = [*PACKETS, *HANDMADE.values()]


# --- the two backends ----------------------------------------------------------------------

def load_pyebpf(spec: CollectionSpec) -> Any:
    """Load into a fresh runtime, so maps and ids start empty for every test."""
    return spec.load(Runtime())


def read_map(m: Any, map_type: int) -> dict[bytes, bytes]:
    """All elements of a pyebpf or kernel map as {key: value} (per-CPU values summed per
    8-byte word: the CPU a test run lands on is the kernel scheduler's choice)."""
    items: dict[bytes, bytes] = {}
    if hasattr(m, "get_next_key"):
        keys = m.keys()
        value_of: Callable[[bytes], bytes | None] = m.lookup
    else:
        keys = list(m)

        def value_of(k: bytes) -> bytes | None:
            try:
                return m.lookup(k)
            except BPFError:
                return None
    for k in keys:
        v = value_of(k)
        if v is None:
            continue
        if map_type in PERCPU_TYPES:
            stride = (m.value_size + 7) // 8 * 8
            words = [sum(struct.unpack_from("<Q", v, cpu * stride + w)[0]
                         for cpu in range(len(v) // stride)) & (2**64 - 1)
                     for w in range(0, stride, 8)]
            v = struct.pack(f"<{len(words)}Q", *words)
        items[bytes(k)] = bytes(v)
    return items


def kernel_ringbuf(fd: int, size: int) -> list[bytes]:
    """The committed records of a kernel BPF_MAP_TYPE_RINGBUF, read through mmap.

    Layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position (we never
    advance it, so reading is side-effect free), page 1 the producer position, then the
    data pages, mapped twice back to back; each record has an 8-byte header whose length
    word carries the BUSY (bit 31) and DISCARD (bit 30) flags.
    """
    page = mmap.PAGESIZE
    with mmap.mmap(fd, page, mmap.MAP_SHARED, mmap.PROT_READ, offset=0) as cons, \
            mmap.mmap(fd, page + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ,
                      offset=page) as prod:
        (pos,) = struct.unpack_from("<Q", cons, 0)
        (end,) = struct.unpack_from("<Q", prod, 0)
        out = []
        while pos < end:
            off = page + (pos & (size - 1))
            (hdr,) = struct.unpack_from("<I", prod, off)
            assert not hdr & (1 << 31), "a record is still being written"
            length = hdr & ~((1 << 31) | (1 << 30))
            if not hdr & (1 << 30):
                out.append(bytes(prod[off + 8:off + 8 + length]))
            pos += (length + 8 + 7) // 8 * 8
        return out


def run_packets(prog: Any, packets: Iterable[bytes]) -> list[tuple[object, bytes | None]]:
    """(retval or errno name, data_out) for each packet, in order."""
    out: list[tuple[object, bytes | None]] = []
    for data in packets:
        try:
            r = prog.test_run(data)
            out.append((r.retval, r.data_out))
        except BPFError as e:
            out.append((errno.errorcode.get(e.errno or 0, e.errno), None))
    return out


def verdicts(results: list[tuple[object, bytes | None]]) -> Counter:
    return Counter(r for r, _ in results)


def snapshot(coll: Any, spec: CollectionSpec) -> dict[str, object]:
    """Every map's contents (ring buffers: their records) after the runs."""
    out: dict[str, object] = {}
    for name, ms in spec.maps.items():
        m = coll.maps[name]
        if ms.type == BpfMapType.BPF_MAP_TYPE_RINGBUF:
            out[name] = (m.consume() if hasattr(m, "consume")
                         else kernel_ringbuf(m.fd, ms.max_entries))
        elif ms.type in (BpfMapType.BPF_MAP_TYPE_PROG_ARRAY,
                         BpfMapType.BPF_MAP_TYPE_ARRAY_OF_MAPS,
                         BpfMapType.BPF_MAP_TYPE_HASH_OF_MAPS):
            continue                            # fds/ids differ between the two backends
        else:
            out[name] = read_map(m, ms.type)
    return out


@pytest.fixture(params=["pyebpf", "kernel"])
def backend(request: pytest.FixtureRequest) -> Callable[[CollectionSpec], Any]:
    """A loader: pyebpf's, or the live kernel's (skipped, printing why, where refused)."""
    if request.param == "kernel":
        request.getfixturevalue("kernel")
        return load_into_kernel
    return load_pyebpf


def u64(m: Any, index: int) -> int:
    raw = m.lookup(struct.pack("<I", index))
    return struct.unpack("<Q", raw)[0]


# --- the objects --------------------------------------------------------------------------

def test_every_source_has_its_object():
    sources = sorted(p.name.removesuffix(".bpf.c") + ".o" for p in EXAMPLES.glob("*.bpf.c"))
    assert sources == OBJECTS
    assert len(OBJECTS) >= 6


def test_capture_is_varied():
    ethertypes = Counter(struct.unpack_from("!H", p, 12)[0] for p in PACKETS)
    assert set(ethertypes) >= {0x0800, 0x86DD, 0x0806}
    sources = {p[26:30] for p in PACKETS if len(p) >= 34 and p[12:14] == b"\x08\x00"}
    assert len(sources) >= 5


@pytest.mark.parametrize("obj", OBJECTS)
def test_loads_every_program(backend, obj):
    spec = load_elf(EXAMPLES / obj)
    with backend(spec) as coll:
        assert set(coll.programs) == set(spec.programs)
        assert set(coll.maps) == set(spec.maps)


# --- pyebpf against the live kernel, packet by packet ---------------------------------------

def _differential(kernel: Any, spec: CollectionSpec, prepare: Callable[[Any], None] = lambda c: None
                  ) -> None:
    for name in spec.programs:
        with load_pyebpf(spec) as ours, load_into_kernel(spec) as theirs:
            prepare(ours)
            prepare(theirs)
            got = run_packets(ours.programs[name], ALL_PACKETS)
            want = run_packets(theirs.programs[name], ALL_PACKETS)
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                assert g == w, f"{name}: packet {i}: pyebpf {g!r}, kernel {w!r}"
            assert snapshot(ours, spec) == snapshot(theirs, spec), f"{name}: maps differ"


@pytest.mark.parametrize("obj", OBJECTS)
def test_same_as_kernel(kernel, obj):
    _differential(kernel, load_elf(EXAMPLES / obj))


def _block_scanner(coll: Any) -> None:
    key = struct.pack("<I4s", 24, bytes([192, 168, 1, 0]))
    coll.maps["blocklist"].update(key, struct.pack("<I", 7))


def test_firewall_with_lpm_entry_same_as_kernel(kernel):
    _differential(kernel, load_elf(EXAMPLES / "xdp_firewall.o"), _block_scanner)


@pytest.mark.parametrize(("obj", "settings"), [
    ("xdp_firewall.o", {"drop_icmp": 0, "blocked_port": 8080}),
    ("socket_filter.o", {"snap_len": 64, "dns_port": 443}),
], ids=["firewall-icmp-on-8080-off", "socket-filter-snap64-port443"])
def test_rodata_set_before_load_same_as_kernel(kernel, obj, settings):
    spec = load_elf(EXAMPLES / obj)
    before = {n: run_packets(p, ALL_PACKETS) for n, p in load_pyebpf(spec).programs.items()}
    for var, value in settings.items():
        spec.variables[var].set(value)
    after = {n: run_packets(p, ALL_PACKETS) for n, p in load_pyebpf(spec).programs.items()}
    assert before != after, "the setting must change what the program does"
    _differential(kernel, spec)


# --- what each example does with the capture (both backends) --------------------------------

def test_firewall(backend):
    spec = load_elf(EXAMPLES / "xdp_firewall.o")
    with backend(spec) as coll:
        assert verdicts(run_packets(coll.programs["xdp_firewall"], PACKETS)) == {
            XDP_PASS: 27, XDP_DROP: 11}
        # passed, blocked source, blocked port (telnet v4 x5 + v6 x1), ICMP (3 + 1), malformed
        assert [u64(coll.maps["stats"], i) for i in range(5)] == [27, 0, 6, 4, 1]
    # the LPM trie blocks the scanner's /24; .rodata set before load lets ICMP through
    spec.variables["drop_icmp"].set(0)
    with backend(spec) as coll:
        _block_scanner(coll)
        assert verdicts(run_packets(coll.programs["xdp_firewall"], PACKETS)) == {
            XDP_PASS: 26, XDP_DROP: 12}
        assert [u64(coll.maps["stats"], i) for i in range(5)] == [26, 10, 1, 0, 1]


def test_rodata_is_frozen(backend):
    spec = load_elf(EXAMPLES / "xdp_firewall.o")
    with backend(spec) as coll, pytest.raises(BPFError) as exc:
        coll.maps[".rodata"].update(struct.pack("<I", 0), bytes(spec.maps[".rodata"].data))
    assert exc.value.errno == errno.EPERM


def test_packet_counter(backend):
    spec = load_elf(EXAMPLES / "packet_counter.o")
    with backend(spec) as coll:
        assert verdicts(run_packets(coll.programs["count_sources"], PACKETS)) == {XDP_PASS: 38}
        counts = {k: struct.unpack("<QQ", v)
                  for k, v in read_map(coll.maps["per_source"], spec.maps["per_source"].type)
                  .items()}
    want: dict[bytes, list[int]] = {}
    for p in PACKETS:
        if len(p) >= 34 and p[12:14] == b"\x08\x00":
            c = want.setdefault(p[26:30], [0, 0])
            c[0] += 1
            c[1] += len(p)
    assert counts == {k: tuple(v) for k, v in want.items()}


def test_tail_calls(backend):
    with backend(load_elf(EXAMPLES / "tail_calls.o")) as coll:
        assert verdicts(run_packets(coll.programs["dispatch"], PACKETS)) == {
            XDP_PASS: 34, XDP_DROP: 3, XDP_ABORTED: 1}
        assert {i: u64(coll.maps["handled"], i) for i in (1, 6, 17)} == {1: 3, 6: 27, 17: 5}


def test_socket_filter(backend):
    with backend(load_elf(EXAMPLES / "socket_filter.o")) as coll:
        # DNS over UDP (3 x 57 bytes after the Ethernet header) and TCP (1 x 71); the
        # truncated IPv4 frame is refused by test_run itself
        assert verdicts(run_packets(coll.programs["dns_only"], PACKETS)) == {
            0: 33, 57: 3, 71: 1, "EINVAL": 1}
        assert u64(coll.maps["kept"], 1) == 4


def test_tc_rewrite(backend):
    with backend(load_elf(EXAMPLES / "tc_rewrite.o")) as coll:
        results = run_packets(coll.programs["rewrite"], PACKETS)
    # the truncated IPv4 frame (shorter than Ethernet + IPv4 headers) is refused by test_run
    assert verdicts(results) == {TC_ACT_OK: 37, "EINVAL": 1}
    for data, (verdict, out) in zip(PACKETS, results, strict=True):
        if verdict == "EINVAL":
            assert len(data) < 34
            continue
        assert out is not None and len(out) == len(data)
        if data[12:14] != b"\x08\x00" or len(data) < 34:
            assert out == data
            continue
        assert out[:6] == data[6:12] and out[6:12] == data[:6]     # MACs swapped
        assert out[22] == data[22] - 1                              # TTL decremented
        ip = out[14:34]
        assert T.csum(ip) == 0, "IPv4 header checksum fixed incrementally"
        if data[23] == 6 and struct.unpack_from("!H", data, 36)[0] == 8080:
            assert struct.unpack_from("!H", out, 36)[0] == 80
            pseudo = out[26:34] + struct.pack("!xBH", 6, len(out) - 34)
            assert T.csum(pseudo + out[34:]) == 0, "TCP checksum fixed"


def test_ringbuf_events(backend):
    spec = load_elf(EXAMPLES / "ringbuf_events.o")
    with backend(spec) as coll:
        assert verdicts(run_packets(coll.programs["report_syns"], PACKETS)) == {XDP_PASS: 38}
        events = snapshot(coll, spec)["events"]
    # what the program logically emits: one event per SYN without ACK, in capture order
    want = []
    for p in PACKETS:
        proto = struct.unpack_from("!H", p, 12)[0]
        if proto == 0x0800 and len(p) >= 54 and p[23] == 6:
            saddr, l4 = p[26:30], 14 + (p[14] & 0xF) * 4
        elif proto == 0x86DD and len(p) >= 74 and p[20] == 6:
            saddr, l4 = bytes(4), 54
        else:
            continue
        sport, dport = struct.unpack_from("!HH", p, l4)
        if p[l4 + 13] & 0x12 == 0x02:
            want.append(saddr + struct.pack("<HHHH", sport, dport, proto, len(p)))
    assert len(want) == 16
    assert events == want
