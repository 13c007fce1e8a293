"""Helpers real projects use (issue 14), against the live kernel where test_run reaches them.

- ``tests/data/helpmaps/*.o``: a cilium/xdp_fwd-style forwarder (bpf_fib_lookup,
  bpf_redirect_map through a DEVMAP, a CPUMAP steerer) and samples/bpf-style stack trace
  collection (STACK_TRACE map, bpf_get_stackid, bpf_get_stack): the verdict and processed
  count of each program are the kernel's, and the XDP programs run as the kernel runs them.
- bpf_fib_lookup without a configured FIB answers as the kernel's test_run does from a
  namespace nobody configured (loopback, forwarding off), and with one (pyebpf.fib) fills
  the struct as the kernel does.
- tc helpers on the skb model: VLAN push/pop, change_proto, tunnel keys, clone_redirect's
  refusals, the flow hash; perf_event_read on an empty perf event array.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pyebpf import asm, uapi
from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.errors import BPFError
from pyebpf.objects import Map, Program
from pyebpf.runtime import Runtime

DATA = Path(__file__).resolve().parent / "data" / "helpmaps"
PT, MT = uapi.BpfProgType, uapi.BpfMapType
XDP_PASS, XDP_REDIRECT = 2, 4
SRC_MAC, DST_MAC = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def _ipv4(ttl: int = 64, src: str = "10.0.0.1", dst: str = "10.1.2.3") -> bytes:
    """An Ethernet + IPv4 + UDP frame with a valid header checksum."""
    def ip(a: str) -> bytes:
        return bytes(int(x) for x in a.split("."))
    hdr = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, ttl, 17, 0, ip(src),
                                ip(dst)))
    s = sum(struct.unpack(">10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    struct.pack_into(">H", hdr, 10, ~s & 0xFFFF)
    return DST_MAC + SRC_MAC + b"\x08\x00" + bytes(hdr) + struct.pack(">HHHH", 1, 2, 8, 0)


def _csum_ok(frame: bytes) -> bool:
    s = sum(struct.unpack(">10H", frame[14:34]))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


# --- the C objects -------------------------------------------------------------------

CASES = [(obj, name) for obj in ("xdp_fwd.o", "stacks.o", "map_in_map.o")
         for name in load_elf(DATA / obj).programs]


@pytest.mark.parametrize(("obj", "name"), CASES, ids=[f"{o[:-2]}/{n}" for o, n in CASES])
def test_object_loads_as_in_kernel(kernel, obj: str, name: str) -> None:
    kc = load_into_kernel(load_elf(DATA / obj), [name])
    k_log = kc.programs[name].log
    kc.close()
    coll = load_elf(DATA / obj).load(Runtime(), programs=[name], log_level=1)
    assert coll.programs[name].log.splitlines()[-1] == k_log.splitlines()[-1]
    coll.close()


def _run_both(kernel, name: str, frame: bytes, setup=None) -> tuple[tuple, tuple]:
    spec = load_elf(DATA / "xdp_fwd.o")
    kc = load_into_kernel(spec, [name])
    try:
        if setup:
            setup(kc.maps, kernel=True)
        k = kc.programs[name].test_run(frame)
        k_rc = [kc.maps["fib_rc"].lookup(struct.pack("<I", i)) for i in range(16)]
    finally:
        kc.close()
    coll = load_elf(DATA / "xdp_fwd.o").load(Runtime(), programs=[name])
    if setup:
        setup(coll.maps, kernel=False)
    r = coll.programs[name].test_run(frame)
    m = coll.maps["fib_rc"]
    ours_rc = [m.lookup(struct.pack("<I", i)) for i in range(16)]
    coll.close()
    return (k.retval, k.data_out, k_rc), (r.retval, r.data_out, ours_rc)


def _flat(rc: list) -> list[int]:
    """Per-CPU counters summed (the layouts of the two sides' lookups differ)."""
    out = []
    for v in rc:
        raw = bytes(v) if not isinstance(v, list | tuple) else b"".join(
            x.to_bytes(8, "little") if isinstance(x, int) else bytes(x) for x in v)
        out.append(sum(struct.unpack(f"<{len(raw) // 8}Q", raw)))
    return out


def test_xdp_fwd_unconfigured_fib_as_kernel(kernel) -> None:
    """From the loopback device (forwarding off): FWD_DISABLED, counted, XDP_PASS."""
    k, ours = _run_both(kernel, "xdp_fwd", _ipv4())
    assert ours[0] == k[0] == XDP_PASS
    assert ours[1] == k[1]
    assert _flat(ours[2]) == _flat(k[2])
    assert _flat(ours[2])[5] == 1            # BPF_FIB_LKUP_RET_FWD_DISABLED


def test_xdp_steer_cpumap_as_kernel(kernel) -> None:
    k, ours = _run_both(kernel, "xdp_steer", _ipv4())
    assert ours[0] == k[0] == XDP_PASS       # empty cpumap slot: the flags' action

    def fill(maps, kernel: bool) -> None:
        key, qsize = struct.pack("<I", 0), struct.pack("<I", 192)
        if kernel:
            maps["cpu_map"].update(key, qsize)
        else:
            maps["cpu_map"].update(key, qsize)
    k, ours = _run_both(kernel, "xdp_steer", _ipv4(), fill)
    assert ours[0] == k[0] == XDP_REDIRECT


def test_xdp_fwd_with_a_fib() -> None:
    """A configured FIB: next hop found, MACs and TTL rewritten, redirected via tx_port."""
    rt = Runtime()
    rt.fib.add_device(1, SRC_MAC, forwarding=True)          # ingress: forwarding on
    rt.fib.add_device(7, bytes.fromhex("0a0000000007"), mtu=1500)
    rt.fib.add_route("10.1.0.0/16", 7, "10.9.9.9", metric=20)
    rt.fib.add_route("10.0.0.0/8", 1, metric=5)
    rt.fib.add_neighbour(7, "10.9.9.9", bytes.fromhex("0b0000000009"))
    coll = load_elf(DATA / "xdp_fwd.o").load(rt, programs=["xdp_fwd"])
    prog, tx = coll.programs["xdp_fwd"], coll.maps["tx_port"]
    r = prog.test_run(_ipv4())
    assert r.retval == XDP_PASS               # the egress ifindex has no tx_port entry
    tx.update(struct.pack("<I", 7), struct.pack("<I", 1))
    r = prog.test_run(_ipv4())
    assert r.retval == XDP_REDIRECT
    key, flags, map_addr = prog.last_run.redirect
    assert (key, flags) == (7, XDP_PASS) and map_addr == rt.get_map(tx.fd).address
    out = r.data_out
    assert out[:6] == bytes.fromhex("0b0000000009") and out[6:12] == bytes.fromhex(
        "0a0000000007")
    assert out[22] == 63 and _csum_ok(out)
    # no neighbour for a destination routed directly: NO_NEIGH, the packet passes
    assert prog.test_run(_ipv4(dst="10.2.0.1")).retval == XDP_PASS
    coll.close()


# --- bpf_fib_lookup's answers --------------------------------------------------------

FIB_PROG = """
    r6 = r1
    r1 = 0
    *(u64 *)(r10 - 8) = r1
    *(u64 *)(r10 - 16) = r1
    *(u64 *)(r10 - 24) = r1
    *(u64 *)(r10 - 32) = r1
    *(u64 *)(r10 - 40) = r1
    *(u64 *)(r10 - 48) = r1
    *(u64 *)(r10 - 56) = r1
    *(u64 *)(r10 - 64) = r1
    r1 = {family}
    *(u8 *)(r10 - 64) = r1
    r1 = {ifindex}
    *(u32 *)(r10 - 56) = r1
    r1 = {dst}
    *(u32 *)(r10 - 32) = r1
    r1 = r6
    r2 = r10
    r2 += -64
    r3 = {plen}
    r4 = {flags}
    call 69
    exit
"""


@pytest.mark.parametrize(("family", "ifindex", "dst", "plen", "flags"), [
    (2, 1, 0x0302010A, 64, 0), (2, 999, 0x0302010A, 64, 0), (0, 1, 0, 64, 0),
    (2, 1, 0x0302010A, 63, 0), (2, 1, 0x0302010A, 64, 0x40), (10, 1, 0x80FE, 64, 0),
    (10, 1, 0x01, 64, 0), (10, 5, 0x0120, 64, 0)],
    ids=["fwd-disabled", "no-device", "family", "plen", "flags", "v6-link-local",
         "v6-unspecified", "v6-no-device"])
@pytest.mark.parametrize("prog_type", [PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_SCHED_CLS],
                         ids=["xdp", "tc"])
def test_fib_lookup_unconfigured_as_kernel(kernel, prog_type: int, family: int, ifindex: int,
                                           dst: int, plen: int, flags: int) -> None:
    insns = asm.assemble(FIB_PROG.format(family=family, ifindex=ifindex, dst=dst, plen=plen,
                                         flags=flags), "llvm")
    frame = _ipv4()
    kp = kernel.KernelProgram(insns, prog_type)
    k = kp.test_run(frame)
    kp.close()
    r = Program(insns, prog_type, runtime=Runtime()).test_run(frame)
    assert r.retval == k.retval


# --- tc helpers on the skb model -----------------------------------------------------

def _tc_both(kernel, text: str, frame: bytes) -> tuple:
    insns = asm.assemble(text, "llvm")
    kp = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_SCHED_CLS)
    k = kp.test_run(frame)
    kp.close()
    r = Program(insns, PT.BPF_PROG_TYPE_SCHED_CLS, runtime=Runtime()).test_run(frame)
    return (k.retval, k.data_out), (r.retval, r.data_out)


@pytest.mark.parametrize("text", [
    # one push: the tag is metadata (vlan_tci/vlan_proto), the frame unchanged
    "r6 = r1\n r2 = 0x0081\n r3 = 0x123\n call 18\n r0 = *(u32 *)(r6 + 24)\n exit",
    # a second push moves the first tag into the frame
    "r6 = r1\n r2 = 0xa888\n r3 = 7\n call 18\n r1 = r6\n r2 = 0x0081\n r3 = 9\n call 18\n"
    " r0 = *(u32 *)(r6 + 28)\n exit",
    # push, push, pop: the in-band tag becomes the accelerated one again
    "r6 = r1\n r2 = 0x0081\n r3 = 7\n call 18\n r1 = r6\n r2 = 0x0081\n r3 = 9\n call 18\n"
    " r1 = r6\n call 19\n r0 = *(u32 *)(r6 + 24)\n exit",
    # an unknown protocol is pushed as 802.1Q
    "r6 = r1\n r2 = 0x1234\n r3 = 1\n call 18\n r0 = *(u32 *)(r6 + 28)\n exit",
    # pop with no tag: nothing to do
    "call 19\n exit",
], ids=["push", "push-push", "push-push-pop", "push-unknown-proto", "pop-untagged"])
def test_vlan_as_kernel(kernel, text: str) -> None:
    k, ours = _tc_both(kernel, text, _ipv4())
    assert ours == k


@pytest.mark.parametrize("text", [
    "r6 = r1\n r2 = 0xdd86\n r3 = 0\n call 31\n r0 = *(u32 *)(r6 + 16)\n exit",  # 4 -> 6
    "r2 = 0xdd86\n r3 = 1\n call 31\n exit",                                  # flags
    "r2 = 0x0008\n r3 = 0\n call 31\n exit",                                  # 4 -> 4
], ids=["4to6", "flags", "same"])
def test_change_proto_as_kernel(kernel, text: str) -> None:
    k, ours = _tc_both(kernel, text, _ipv4())
    assert ours == k


TUNNEL = """
    r6 = r1
    r1 = 0
    *(u64 *)(r10 - 48) = r1
    *(u64 *)(r10 - 40) = r1
    *(u64 *)(r10 - 32) = r1
    *(u64 *)(r10 - 24) = r1
    *(u64 *)(r10 - 16) = r1
    *(u64 *)(r10 - 8) = r1
    {set}
    r1 = r6
    r2 = r10
    r2 += -48
    r3 = 44
    r4 = {gflags}
    call 20
    r7 = r0
    r0 = *(u32 *)(r10 - {field})
    r0 += r7
    exit
"""
SET = """
    r1 = 0x2a
    *(u32 *)(r10 - 48) = r1
    r1 = 0x0a000001
    *(u32 *)(r10 - 44) = r1
    r1 = 0x4011
    *(u16 *)(r10 - 28) = r1
    r1 = 0x0a000002
    *(u32 *)(r10 - 20) = r1
    r1 = r6
    r2 = r10
    r2 += -48
    r3 = 44
    r4 = {sflags}
    call 21
    if r0 != 0 goto +9
"""


@pytest.mark.parametrize(("setk", "sflags", "gflags", "field"), [
    (False, 0, 0, 48), (True, 0, 0, 48), (True, 0, 0, 44), (True, 0, 0, 20),
    (True, 0, 0, 28), (True, 0, 1, 48), (True, 0x20, 0, 48), (True, 0, 16, 28),
    (True, 6, 16, 28), (True, 24, 16, 28)],
    ids=["get-without-set", "id", "remote", "local", "tos-ttl", "family-mismatch",
         "set-bad-flags", "tunnel-flags", "flags-df-nocsum", "flags-seq-nokey"])
def test_tunnel_key_as_kernel(kernel, setk: bool, sflags: int, gflags: int,
                              field: int) -> None:
    text = TUNNEL.format(set=SET.format(sflags=sflags) if setk else "", gflags=gflags,
                         field=field)
    k, ours = _tc_both(kernel, text, _ipv4())
    assert ours == k


@pytest.mark.parametrize("text", [
    "r2 = 1\n r3 = 2\n call 13\n exit",           # flags other than BPF_F_INGRESS
    "r2 = 999999\n r3 = 0\n call 13\n exit",      # no such device
], ids=["flags", "no-device"])
def test_clone_redirect_refusals_as_kernel(kernel, text: str) -> None:
    k, ours = _tc_both(kernel, text, _ipv4())
    assert ours == k


def test_clone_redirect_records_the_clone() -> None:
    insns = asm.assemble("r2 = 1\n r3 = 0\n call 13\n exit", "llvm")
    prog = Program(insns, PT.BPF_PROG_TYPE_SCHED_CLS, runtime=Runtime())
    assert prog.test_run(_ipv4()).retval == 0
    assert prog.last_run.skb_meta["clones"] == [(1, 0, _ipv4())]


def test_hash_recalc_is_a_flow_hash() -> None:
    insns = asm.assemble("r6 = r1\n call 34\n r1 = *(u32 *)(r6 + 68)\n if r0 != r1 goto +1\n"
                         " exit\n r0 = 0\n exit", "llvm")
    prog = Program(insns, PT.BPF_PROG_TYPE_SCHED_CLS, runtime=Runtime())
    a, b = prog.test_run(_ipv4()).retval, prog.test_run(_ipv4(ttl=9)).retval
    c = prog.test_run(_ipv4(dst="10.7.7.7")).retval
    assert a != 0 and a == b != c             # the flow's, stored in skb->hash


def test_perf_event_read_empty_slot_as_kernel(kernel) -> None:
    text = "ld_pseudo r1, 1, {fd}\n r2 = {idx}\n call 22\n exit"
    for idx in (0, 5, 0xFFFFFFFF):
        km = kernel.KernelMap(MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2)
        try:
            kp = kernel.KernelProgram(asm.assemble(text.format(fd=km.fd, idx=idx), "llvm"),
                                      PT.BPF_PROG_TYPE_SOCKET_FILTER)
            k = kp.test_run(_ipv4())
            kp.close()
        finally:
            km.close()
        rt = Runtime()
        m = Map(MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, runtime=rt)
        p = Program(asm.assemble(text.format(fd=m.fd, idx=idx), "llvm"),
                    PT.BPF_PROG_TYPE_SOCKET_FILTER, runtime=rt)
        assert p.test_run(_ipv4()).retval == k.retval


def test_unmodelled_helper_fails_clearly() -> None:
    """A helper acting on kernel objects pyebpf lacks verifies, and a run reaching it stops
    with an error naming it, never with a made-up result."""
    insns = asm.assemble("call 97\n exit", "llvm")              # bpf_skb_ecn_set_ce
    prog = Program(insns, PT.BPF_PROG_TYPE_SCHED_CLS, runtime=Runtime())
    with pytest.raises(BPFError, match="bpf_skb_ecn_set_ce"):
        prog.test_run(_ipv4())


# --- what test_run's skb answers (no route, a dummy socket) ---------------------------

_REL = "r2 = {off}\n r3 = r10\n r3 += -8\n r4 = 4\n r5 = {start}\n call 68\n" \
       " if r0 != 0 goto +1\n r0 = *(u32 *)(r10 - 8)\n exit"
SKB_CASES = [
    (PT.BPF_PROG_TYPE_SOCKET_FILTER, "call 47\n exit", "socket_uid"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "call 47\n exit", "socket_uid"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "call 24\n exit", "route_realm"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "call 79\n exit", "skb_cgroup_id"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "call 17\n exit", "cgroup_classid"),
    (PT.BPF_PROG_TYPE_SOCKET_FILTER, "call 17\n exit", "cgroup_classid-curr"),
    (PT.BPF_PROG_TYPE_XDP, "call 188\n exit", "xdp_get_buff_len"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "r2 = 1\n call 32\n exit", "change_type"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "r2 = 7\n call 32\n exit", "change_type-bad"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "r2 = 20\n call 39\n exit", "pull_data"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "r2 = 2000\n call 39\n exit", "pull_data-past-end"),
    (PT.BPF_PROG_TYPE_SCHED_CLS, "r2 = 5\n call 40\n exit", "csum_update"),
    *[(PT.BPF_PROG_TYPE_SCHED_CLS, f"r2 = {lv}\n call 135\n exit", f"csum_level-{lv}")
      for lv in (0, 1, 2, 3, 4)],
    *[(t, _REL.format(off=off, start=start), f"load_bytes_relative-{off}-{start}")
      for off, start in ((0, 0), (12, 0), (0, 1), (9, 1), (40, 1), (0, 2))
      for t in (PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS)],
]


@pytest.mark.parametrize(("prog_type", "text", "what"), SKB_CASES,
                         ids=[f"{PT(c[0]).name[14:].lower()}-{c[2]}" for c in SKB_CASES])
def test_skb_answers_as_kernel(kernel, prog_type: int, text: str, what: str) -> None:
    insns = asm.assemble(text, "llvm")
    kp = kernel.KernelProgram(insns, prog_type)
    k = kp.test_run(_ipv4()).retval
    kp.close()
    assert Program(insns, prog_type, runtime=Runtime()).test_run(_ipv4()).retval == k


def test_socket_cookie_is_fresh_per_run() -> None:
    """The kernel numbers cookies machine-wide, so only their behaviour is compared: the
    run's dummy socket gets one, non-zero, the same on a second call, a new one next run."""
    insns = asm.assemble("r7 = r1\n call 46\n r6 = r0\n r1 = r7\n call 46\n"
                         " if r0 != r6 goto +1\n exit\n r0 = 0\n exit", "llvm")
    prog = Program(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER, runtime=Runtime())
    a, b = prog.test_run(_ipv4()).retval, prog.test_run(_ipv4()).retval
    assert a and b and a != b


def test_map_in_map_object_runs_and_verifies_from_the_cli(capsys) -> None:
    """The inner map's counter moves; ``pyebpf verify`` types the lookup as the kernel."""
    from pyebpf import cli

    coll = load_elf(DATA / "map_in_map.o").load(Runtime(), programs=["count_by_queue"])
    coll.programs["count_by_queue"].test_run(_ipv4())        # 42 bytes: bucket 2
    assert struct.unpack("<Q", bytes(coll.maps["slot0"].lookup(struct.pack("<I", 2))))[0] == 1
    coll.close()
    assert cli.main(["verify", str(DATA / "map_in_map.o"), "--log-level", "2"]) == 0
    assert "map_ptr_or_null(id=" in capsys.readouterr().out


_MTU = ("r6 = r1\n r1 = {mlen}\n *(u32 *)(r10 - 4) = r1\n r2 = {ifi}\n r3 = r10\n r3 += -4\n"
        " r4 = {diff}\n r5 = {flags}\n r1 = r6\n call 163\n r1 = *(u32 *)(r10 - 4)\n r0 <<= 20\n"
        " r0 += r1\n exit")
_XLOAD = ("r2 = {off}\n r3 = r10\n r3 += -8\n r4 = {n}\n call 189\n if r0 != 0 goto +1\n"
          " r0 = *(u32 *)(r10 - 8)\n exit")
_XSTORE = ("r6 = r1\n r1 = 0x11223344\n *(u32 *)(r10 - 8) = r1\n r1 = r6\n r2 = {off}\n"
           " r3 = r10\n r3 += -8\n r4 = {n}\n call 190\n exit")
PKT_CASES = [
    *[(t, _MTU.format(mlen=m, ifi=i, diff=d, flags=f), f"check_mtu-{m}-{i}-{d}-{f}")
      for t in (PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_XDP)
      for m, i, d, f in ((0, 0, 0, 0), (0, 1, 0, 0), (0, 999, 0, 0), (1500, 0, 0, 0),
                         (70000, 0, 0, 0), (0, 0, 65600, 0), (0, 0, 0, 1), (0, 0, 0, 2),
                         (100, 0, 0, 1))],
    *[(PT.BPF_PROG_TYPE_XDP, text.format(off=off, n=4), f"{name}-{off}")
      for off in (0, 38, 40, 70000) for name, text in (("load", _XLOAD), ("store", _XSTORE))],
]


@pytest.mark.parametrize(("prog_type", "text", "what"), PKT_CASES,
                         ids=[f"{PT(c[0]).name[14:].lower()}-{c[2]}" for c in PKT_CASES])
def test_packet_helpers_as_kernel(kernel, prog_type: int, text: str, what: str) -> None:
    """bpf_check_mtu against the loopback device, bpf_xdp_load/store_bytes' bounds: the
    return value (and the MTU written back) and the frame out are the kernel's."""
    insns = asm.assemble(text, "llvm")
    kp = kernel.KernelProgram(insns, prog_type)
    k = kp.test_run(_ipv4())
    kp.close()
    r = Program(insns, prog_type, runtime=Runtime()).test_run(_ipv4())
    assert (r.retval, r.data_out) == (k.retval, k.data_out)


_NS = ("r1 = 0\n *(u64 *)(r10 - 8) = r1\n r1 = {dev}\n r2 = {ino} ll\n r3 = r10\n r3 += -8\n"
       " r4 = {size}\n call 120\n r1 = *(u32 *)(r10 - 8)\n r2 = *(u32 *)(r10 - 4)\n"
       " r0 <<= 40\n r1 <<= 20\n r0 += r1\n r0 += r2\n exit")


def _task_cases() -> list[tuple[str, str]]:
    import os

    st = os.stat("/proc/self/ns/pid")
    return [("cgroup_id", "call 80\n exit"),
            *[(f"ancestor-{lv}", f"r1 = {lv}\n call 123\n exit") for lv in (0, 1, 5, -1)],
            ("ns-pid", _NS.format(dev=st.st_dev, ino=st.st_ino, size=8)),
            ("ns-other", _NS.format(dev=st.st_dev, ino=st.st_ino + 1, size=8)),
            ("ns-size", _NS.format(dev=st.st_dev, ino=st.st_ino, size=4)),
            ("ns-dev", _NS.format(dev=st.st_dev + 1, ino=st.st_ino, size=8))]


@pytest.mark.parametrize(("what", "text"), _task_cases(), ids=[c[0] for c in _task_cases()])
def test_current_task_helpers_as_kernel(kernel, what: str, text: str) -> None:
    """The task running a test_run is the caller: its cgroup v2 ids and pid namespace."""
    insns = asm.assemble(text, "llvm")
    kp = kernel.KernelProgram(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER)
    k = kp.test_run(_ipv4()).retval
    kp.close()
    r = Program(insns, PT.BPF_PROG_TYPE_SOCKET_FILTER, runtime=Runtime()).test_run(_ipv4())
    assert r.retval == k


@pytest.mark.parametrize(("prog_type", "call", "idx"), [
    (PT.BPF_PROG_TYPE_SOCKET_FILTER, 37, 0), (PT.BPF_PROG_TYPE_SOCKET_FILTER, 37, 1),
    (PT.BPF_PROG_TYPE_SOCKET_FILTER, 37, 9), (PT.BPF_PROG_TYPE_SCHED_CLS, 33, 0),
    (PT.BPF_PROG_TYPE_SCHED_CLS, 33, 1), (PT.BPF_PROG_TYPE_SCHED_CLS, 33, 9)],
    ids=["task-root", "task-empty", "task-past", "skb-root", "skb-empty", "skb-past"])
def test_under_cgroup_as_kernel(kernel, prog_type: int, call: int, idx: int) -> None:
    """A CGROUP_ARRAY holding the cgroup2 root in slot 0: the calling task (and test_run's
    socket) are under it; an empty slot is -EAGAIN, one past the array -E2BIG."""
    import os

    from test_maps_objects import _cgroup2_root

    text = ("ld_pseudo r1, 1, {fd}\n r2 = {idx}\n call 37\n exit" if call == 37 else
            "ld_pseudo r2, 1, {fd}\n r3 = {idx}\n call 33\n exit")
    cg = os.open(_cgroup2_root(), os.O_RDONLY | os.O_DIRECTORY)
    try:
        km = kernel.KernelMap(MT.BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4)
        try:
            km.update(struct.pack("<I", 0), struct.pack("<I", cg))
            kp = kernel.KernelProgram(asm.assemble(text.format(fd=km.fd, idx=idx), "llvm"),
                                      prog_type)
            k = kp.test_run(_ipv4()).retval
            kp.close()
        finally:
            km.close()
        rt = Runtime()
        m = Map(MT.BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, runtime=rt)
        m.update(struct.pack("<I", 0), struct.pack("<I", cg))
        p = Program(asm.assemble(text.format(fd=m.fd, idx=idx), "llvm"), prog_type, runtime=rt)
        assert p.test_run(_ipv4()).retval == k
    finally:
        os.close(cg)


@pytest.mark.parametrize("mtype", [MT.BPF_MAP_TYPE_DEVMAP, MT.BPF_MAP_TYPE_DEVMAP_HASH],
                         ids=["devmap", "devmap_hash"])
@pytest.mark.parametrize(("key", "flags"), [(0, 0), (0, XDP_PASS), (1, XDP_PASS), (1, 0),
                                            (3, 1), (1, 8), (0, 0x40)],
                         ids=["entry", "entry-pass", "empty-pass", "empty-aborted",
                              "empty-drop", "broadcast", "bad-flags"])
def test_redirect_map_devmap_as_kernel(kernel, mtype: int, key: int, flags: int) -> None:
    """Slot 0 holds the loopback device: a present entry (or a broadcast) is XDP_REDIRECT,
    a missing one the action in the flags' low bits; the target is recorded."""
    text = "ld_pseudo r1, 1, {fd}\n r2 = {key}\n r3 = {flags}\n call 51\n exit"
    km = kernel.KernelMap(mtype, 4, 4, 4)
    try:
        km.update(struct.pack("<I", 0), struct.pack("<I", 1))
        kp = kernel.KernelProgram(asm.assemble(text.format(fd=km.fd, key=key, flags=flags),
                                               "llvm"), PT.BPF_PROG_TYPE_XDP)
        k = kp.test_run(_ipv4()).retval
        kp.close()
    finally:
        km.close()
    rt = Runtime()
    m = Map(mtype, 4, 4, 4, runtime=rt)
    m.update(struct.pack("<I", 0), struct.pack("<I", 1))
    p = Program(asm.assemble(text.format(fd=m.fd, key=key, flags=flags), "llvm"),
                PT.BPF_PROG_TYPE_XDP, runtime=rt)
    assert p.test_run(_ipv4()).retval == k
    if k == XDP_REDIRECT:
        assert p.last_run.redirect[0] == key
