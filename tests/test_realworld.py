"""Real-world-style objects (tests/data/realworld/, rebuilt by build.sh): every program
loaded alone in the kernel and in pyebpf, compared on verdict, errno and first error line.

The default run takes the -mcpu=v3 -O2 build of each source; PYEBPF_LONG=1 every build
(several -mcpu and -O levels).  Without bpf() the kernel's side comes from the recording
(tests/data/realworld/kernel.json, ``python -m tests.realworld --record``).
"""

from __future__ import annotations

import io
import os

import pytest

from pyebpf import uapi
from pyebpf.elf import libbpf_max_entries, load_collection, load_elf
from pyebpf.kernel import kernel_available
from tests import realworld as rw

LONG = os.environ.get("PYEBPF_LONG") == "1"
PATHS = rw.objects(LONG)
# Programs pyebpf refuses though the kernel loads them, for a reason owned elsewhere: a
# lookup in an ARRAY_OF_MAPS is typed map_value instead of a map pointer (issue 14's
# map-in-map typing bug, the helpmaps area).  They must fail for that reason only; once
# fixed they load and this list can go.
KNOWN_GAPS = {("trace_sys_connect", "R1 type=map_value expected=map_ptr"),
              ("imain", "R1 type=map_value expected=map_ptr")}


def test_corpus_is_built() -> None:
    names = {p.name.split(".")[0] for p in rw.objects(True)}
    assert names >= {"cilium_xdp", "cilium_tc", "samples_legacy", "iproute2_tc",
                     "suricata_xdp", "falco_rawtp", "ovs_tc", "cgroup_sock", "sk_flow_lwt",
                     "asm_nosym"}
    assert len(rw.objects(True)) >= 40


def test_corpus_agrees_with_the_kernel() -> None:
    live = kernel_available()[0]
    summary = rw.compare(PATHS, out=io.StringIO(), live=live)
    rows = summary["rows"]
    assert summary["false_accepts"] == 0, [r[:2] for r in rows if not r[2].ok and r[3].ok]
    for name, prog, k, p in rows:
        if k.ok and not p.ok:
            assert (prog, p.reason) in KNOWN_GAPS, (name, prog, p.reason)
        if not k.ok and not p.ok:
            assert (p.errno, p.reason) == (k.errno, k.reason), (name, prog, k, p)
        if k.ok and p.ok:
            assert p.processed == k.processed, (name, prog, k.processed, p.processed)
    assert summary["both_load"] >= 0.95 * summary["kernel_loads"]
    assert summary["kernel_loads"] >= 50


def test_corpus_runs_match_the_kernel(kernel) -> None:
    """Every loaded program of a packet-taking type on six packets: the same errno, or the
    same retval and output packet (retval only where bpf_get_prandom_u32 is called)."""
    runs, same, diffs = rw.compare_runs(PATHS)
    assert runs >= 100
    assert same == runs, diffs[:10]


def test_recording_is_the_kernels(kernel) -> None:
    for path in PATHS[:4]:
        for prog in rw.programs(path):
            k, r = rw.kernel_verdict(path, prog), rw.recorded(path, prog)
            assert (k.ok, k.errno, k.reason) == (r.ok, r.errno, r.reason), (path.name, prog)


# --- what the loader assumed for legacy objects ---------------------------------------

D = rw.DIR
Pt, Mt, At = uapi.BpfProgType, uapi.BpfMapType, uapi.BpfAttachType


def test_samples_bpf_object() -> None:
    spec = load_elf(D / "samples_legacy.v3-O2.o")
    types = {n: (p.type, p.expected_attach_type) for n, p in spec.programs.items()}
    assert types["bpf_prog1"] == (Pt.BPF_PROG_TYPE_SOCKET_FILTER, 0)       # "socket1"
    assert types["xdp_prog1"][0] == Pt.BPF_PROG_TYPE_XDP                   # "xdp1"
    assert types["bpf_bufs"][0] == Pt.BPF_PROG_TYPE_SOCK_OPS               # "sockops_bufs"
    assert types["bpf_sock_flags"] == (Pt.BPF_PROG_TYPE_CGROUP_SOCK,       # "cgroup/sock1"
                                       At.BPF_CGROUP_INET_SOCK_CREATE)
    assert types["bpf_prog3"][0] == Pt.BPF_PROG_TYPE_KPROBE
    m = spec.maps
    assert m["a_of_port_a"].inner is not None and m["a_of_port_a"].inner.name == "port_a"
    assert m["hist_map"].flags & uapi.BPF_F_NUMA_NODE and m["hist_map"].numa_node == 0
    assert any("bpf_load_map_def" in n for n in spec.notes)
    assert any("'xdp1' read by prefix as BPF_PROG_TYPE_XDP" in n for n in spec.notes)


def test_iproute2_object() -> None:
    spec = load_elf(D / "iproute2_tc.v3-O2.o")
    m = spec.maps
    assert sorted(m["jmp_tc"].contents) == [(0, "cls_case1"), (1, "cls_case2")]
    assert m["jmp_ex"].contents == [(0, "cls_exit")]
    assert (m["jmp_tc"].iproute2_pinning, m["map_sh"].iproute2_pinning) == (1, 2)
    assert m["map_outer"].inner is not None and m["map_outer"].contents == [(0, "map_inner")]
    for n in ("cls_case1", "imain", "emain", "cls_entry"):
        assert spec.programs[n].type == Pt.BPF_PROG_TYPE_SCHED_CLS
    assert any("global namespace" in n and "map_sh" in n for n in spec.notes)


@pytest.mark.parametrize(("ttl", "verdict"), [(64, 0), (1, 2)])
def test_iproute2_tail_calls_run(ttl: int, verdict: int) -> None:
    """cls_entry -> jmp_tc[0] (section 42/0) -> jmp_tc[1] (42/1) -> jmp_ex[0] (43/0), which
    drops (TC_ACT_SHOT) a packet whose TTL is below 2: the chain iproute2 would set up."""
    from pyebpf.runtime import Runtime

    spec = load_elf(D / "iproute2_tc.v3-O2.o")
    progs = ["cls_entry", "cls_case1", "cls_case2", "cls_exit"]
    pkt = bytes(12) + b"\x08\x00" + b"\x45" + bytes(7) + bytes([ttl]) + bytes(40)
    with load_collection(spec, runtime=Runtime(), programs=progs) as coll:
        assert coll.programs["cls_entry"].test_run(pkt).retval == verdict


def test_code_without_function_symbols() -> None:
    spec = load_elf(D / "asm_nosym.v3-O2.o")
    assert set(spec.programs) == {"socket", "xdp_pass_label"}
    assert spec.programs["xdp_pass_label"].type == Pt.BPF_PROG_TYPE_XDP
    assert len(spec.programs["socket"].instructions) == 5
    assert any("no function symbol" in n for n in spec.notes)


def test_perf_event_array_sized_to_the_cpus() -> None:
    from pyebpf.runtime import Runtime

    spec = load_elf(D / "ovs_tc.v3-O2.o")
    assert spec.maps["upcalls"].max_entries == 0
    assert libbpf_max_entries(spec.maps["upcalls"], 6) == 6
    assert libbpf_max_entries(spec.maps["megaflow"], 6) == 8192
    rt = Runtime(ncpus=3)
    with load_collection(spec, runtime=rt, programs=["ovs_parser"]) as coll:
        assert coll.maps["upcalls"].max_entries == 3


@pytest.mark.parametrize(("section", "want"), [
    ("cgroup/post_bind4", (Pt.BPF_PROG_TYPE_CGROUP_SOCK, At.BPF_CGROUP_INET4_POST_BIND)),
    ("cgroup/post_bind6", (Pt.BPF_PROG_TYPE_CGROUP_SOCK, At.BPF_CGROUP_INET6_POST_BIND)),
    ("cgroup/sendmsg4", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, At.BPF_CGROUP_UDP4_SENDMSG)),
    ("cgroup/sendmsg6", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, At.BPF_CGROUP_UDP6_SENDMSG)),
    ("cgroup/recvmsg4", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, At.BPF_CGROUP_UDP4_RECVMSG)),
    ("cgroup/recvmsg6", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, At.BPF_CGROUP_UDP6_RECVMSG)),
    ("cgroup/getpeername6", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
                             At.BPF_CGROUP_INET6_GETPEERNAME)),
    ("cgroup/getsockname4", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
                             At.BPF_CGROUP_INET4_GETSOCKNAME)),
    ("cgroup/connect_unix", (Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, At.BPF_CGROUP_UNIX_CONNECT)),
    ("cgroup/sock", (Pt.BPF_PROG_TYPE_CGROUP_SOCK, At.BPF_CGROUP_INET_SOCK_CREATE)),
    ("sockops", (Pt.BPF_PROG_TYPE_SOCK_OPS, At.BPF_CGROUP_SOCK_OPS)),
    ("sk_skb/stream_parser", (Pt.BPF_PROG_TYPE_SK_SKB, At.BPF_SK_SKB_STREAM_PARSER)),
    ("sk_skb/verdict", (Pt.BPF_PROG_TYPE_SK_SKB, At.BPF_SK_SKB_VERDICT)),
    ("sk_msg", (Pt.BPF_PROG_TYPE_SK_MSG, At.BPF_SK_MSG_VERDICT)),
    ("flow_dissector", (Pt.BPF_PROG_TYPE_FLOW_DISSECTOR, At.BPF_FLOW_DISSECTOR)),
    ("lwt_in", (Pt.BPF_PROG_TYPE_LWT_IN, 0)),
    ("cgroup/dev", (Pt.BPF_PROG_TYPE_CGROUP_DEVICE, At.BPF_CGROUP_DEVICE)),
    ("cgroup/sysctl", (Pt.BPF_PROG_TYPE_CGROUP_SYSCTL, At.BPF_CGROUP_SYSCTL)),
    ("cgroup/getsockopt", (Pt.BPF_PROG_TYPE_CGROUP_SOCKOPT, At.BPF_CGROUP_GETSOCKOPT)),
    ("sk_lookup", (Pt.BPF_PROG_TYPE_SK_LOOKUP, At.BPF_SK_LOOKUP)),
])
def test_libbpf_section_names(section: str, want: tuple[int, int]) -> None:
    from pyebpf.elf import program_type_for_section

    assert program_type_for_section(section)[:2] == want


def test_modern_objects_keep_strict_section_names() -> None:
    """libbpf 1.x refuses "xdp1" in an object with BTF-defined maps: no prefix guessing."""
    from pyebpf.elf import legacy_program_type_for_section, program_type_for_section

    assert program_type_for_section("xdp1")[0] == 0
    assert legacy_program_type_for_section("xdp1")[0] == Pt.BPF_PROG_TYPE_XDP
    assert legacy_program_type_for_section("cgroup/sock1")[0] == Pt.BPF_PROG_TYPE_CGROUP_SOCK
    assert legacy_program_type_for_section("mysection") is None
    spec = load_elf(D / "cilium_xdp.v3-O2.o")
    assert not spec.notes
