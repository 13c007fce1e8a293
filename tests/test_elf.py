"""The ELF loader on clang-19 objects (tests/data/elf/*.bpf.c, rebuilt by build.sh).

Good objects are checked for what they define and, with the live kernel as the
oracle, loaded and run there: the kernel's verifier accepting the linked
programs is the proof that sub-program calls, callbacks and map references were
relocated as libbpf would.  Bad objects follow uBPF's ELF tests: start from a
good object, apply one mutation, expect an error naming the problem.
"""

from __future__ import annotations

import errno
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from pyebpf import isa
from pyebpf.btf import BTFError
from pyebpf.elf import (
    ELFError,
    _Reader,
    load_elf,
    load_into_kernel,
    program_type_for_section,
)
from pyebpf.errors import BPFError
from pyebpf.uapi import BpfMapType as Mt
from pyebpf.uapi import BpfProgType as Pt

DATA = Path(__file__).parent / "data" / "elf"
CPUS = ("v1", "v2", "v3", "v4")
GOOD = (DATA / "full.v3.o").read_bytes()


def full(cpu: str = "v3"):
    return load_elf(DATA / f"full.{cpu}.o")


# --- what a good object defines ---------------------------------------------------------

@pytest.mark.parametrize("cpu", CPUS)
def test_programs_by_section(cpu):
    spec = full(cpu)
    got = {n: (p.section, p.type, p.attach_to) for n, p in spec.programs.items()}
    assert got == {
        "tail_target": ("xdp", Pt.BPF_PROG_TYPE_XDP, ""),
        "xdp_main": ("xdp", Pt.BPF_PROG_TYPE_XDP, ""),
        "sock": ("socket", Pt.BPF_PROG_TYPE_SOCKET_FILTER, ""),
        "tc_prog": ("tc", Pt.BPF_PROG_TYPE_SCHED_CLS, ""),
        "cls_prog": ("classifier/ingress", Pt.BPF_PROG_TYPE_SCHED_CLS, "ingress"),
        "kp": ("kprobe/do_unlinkat", Pt.BPF_PROG_TYPE_KPROBE, "do_unlinkat"),
        "tp": ("tracepoint/syscalls/sys_enter_openat", Pt.BPF_PROG_TYPE_TRACEPOINT,
               "syscalls/sys_enter_openat"),
        "rawtp": ("raw_tp/sched_switch", Pt.BPF_PROG_TYPE_RAW_TRACEPOINT, "sched_switch"),
        "sys": ("syscall", Pt.BPF_PROG_TYPE_SYSCALL, ""),
    }
    assert spec.license == "GPL"
    assert all(p.license == "GPL" for p in spec.programs.values())


@pytest.mark.parametrize(("section", "prog_type"), [
    ("xdp.frags", Pt.BPF_PROG_TYPE_XDP), ("tc/ingress", Pt.BPF_PROG_TYPE_SCHED_CLS),
    ("kretprobe/x", Pt.BPF_PROG_TYPE_KPROBE), ("tp/a/b", Pt.BPF_PROG_TYPE_TRACEPOINT),
    ("raw_tracepoint/x", Pt.BPF_PROG_TYPE_RAW_TRACEPOINT),
    ("cgroup_skb/egress", Pt.BPF_PROG_TYPE_CGROUP_SKB), ("perf_event", Pt.BPF_PROG_TYPE_PERF_EVENT),
    ("socketx", Pt.BPF_PROG_TYPE_UNSPEC), ("syscall/x", Pt.BPF_PROG_TYPE_UNSPEC),
])
def test_section_names(section, prog_type):
    assert program_type_for_section(section)[0] == prog_type


@pytest.mark.parametrize("cpu", CPUS)
def test_btf_maps(cpu):
    maps = full(cpu).maps
    c = maps["counts"]
    assert (c.type, c.key_size, c.value_size, c.max_entries, c.flags, c.pinning) == \
        (Mt.BPF_MAP_TYPE_HASH, 8, 8, 1024, 1, 1)
    assert c.btf.type_name(c.key_type_id) == "struct counter_key"
    assert c.btf.to_python(c.key_type_id, bytes([1, 0, 0, 0, 2, 0, 3, 0])) == \
        {"addr": 1, "port": 2, "proto": 3, "pad": 0}
    s = maps["sized"]
    assert (s.key_size, s.value_size, s.key_type_id) == (4, 8, 0)
    o = maps["outer"]
    assert o.type == Mt.BPF_MAP_TYPE_ARRAY_OF_MAPS and o.value_size == 4
    assert (o.inner.type, o.inner.key_size, o.inner.value_size, o.inner.max_entries) == \
        (Mt.BPF_MAP_TYPE_ARRAY, 4, 8, 4)
    assert o.contents == [(0, "inner1"), (1, "inner2")]
    assert maps["jmp"].contents == [(1, "tail_target")]


def test_global_data_maps_and_variables():
    spec = full()
    ro = spec.maps[".rodata"]
    assert ro.type == Mt.BPF_MAP_TYPE_ARRAY and ro.max_entries == 1 and ro.freeze
    assert ro.value_size == len(ro.data)
    assert spec.maps[".bss"].data == bytes(8)
    assert bytes(spec.maps[".data"].data) == struct.pack("<I", 7)
    assert bytes(spec.maps[".rodata.str1.1"].data) == b"literal\0"
    assert spec.variables["cfg_port"].value == 80
    assert spec.variables["cfg_name"].value == "pyebpf"
    spec.variables["cfg_port"].set(443)
    assert spec.variables["cfg_port"].value == 443
    off = spec.variables["cfg_port"].offset
    assert bytes(ro.data[off:off + 4]) == struct.pack("<I", 443)
    with pytest.raises(ValueError, match="does not fit"):
        spec.variables["cfg_port"].set(1 << 40)


def test_map_references_are_fd_array_indexes():
    spec = full()
    prog = spec.programs["xdp_main"]
    names = prog.map_names
    refs = [(i.src, i.imm) for i in prog.instructions if i.code == 0x18 and i.src]
    assert (isa.BPF_PSEUDO_MAP_IDX, names.index("counts")) in refs
    assert (isa.BPF_PSEUDO_MAP_IDX, names.index("jmp")) in refs
    data_refs = {names[imm & 0xFFFFFFFF]: imm >> 32 for src, imm in refs
                 if src == isa.BPF_PSEUDO_MAP_IDX_VALUE}
    assert data_refs[".rodata"] == spec.variables["cfg_port"].offset
    assert data_refs[".data"] == spec.variables["datav"].offset
    assert data_refs[".bss"] == spec.variables["hits"].offset  # from the linked sub-programs


@pytest.mark.parametrize("cpu", CPUS)
def test_subprograms_and_callbacks_linked(cpu):
    prog = full(cpu).programs["xdp_main"]
    subs = dict(prog.subprograms)
    assert set(subs) == {"count_cb", "add_one", "triple_plus_hits"}
    by_pc = {i.pc: i for i in prog.instructions}
    calls = [i for i in prog.instructions if i.code == 0x85 and i.src == isa.BPF_PSEUDO_CALL]
    funcs = [i for i in prog.instructions if i.code == 0x18 and i.src == isa.BPF_PSEUDO_FUNC]
    assert {i.pc + i.imm + 1 for i in calls} == {subs["add_one"], subs["triple_plus_hits"]}
    assert [i.pc + isa._s32(i.imm) + 1 for i in funcs] == [subs["count_cb"]]
    assert all(pc in by_pc for pc in subs.values())
    # func_info: one per function, at its first instruction, in the linked program
    assert [f.insn_off for f in prog.func_info] == [0, *sorted(subs.values())]
    isa.check_program(prog.instructions, cpu=int(cpu[1]))


def test_line_info_carries_source():
    prog = full().programs["xdp_main"]
    assert prog.line_info[0].insn_off == 0
    assert prog.line_info[0].line.strip().startswith("int xdp_main(")
    assert prog.line_info[0].file_name.endswith("full.bpf.c")
    lines = {li.line.strip() for li in prog.line_info}
    assert "hits += idx;" in lines  # from the callback appended from .text


def test_legacy_maps_section():
    spec = load_elf(DATA / "legacy.o")
    assert {n: (m.type, m.key_size, m.value_size, m.max_entries)
            for n, m in spec.maps.items()} == {
        "legacy_hash": (Mt.BPF_MAP_TYPE_HASH, 4, 8, 16),
        "legacy_array": (Mt.BPF_MAP_TYPE_ARRAY, 4, 4, 2),
    }
    assert spec.license == "Dual BSD/GPL"


def test_core_relocations():
    spec = load_elf(DATA / "core.o")
    spec.programs["core_ctx"].check_core_relos()     # __sk_buff: pyebpf's own layout
    with pytest.raises(ELFError, match=r"CO-RE relocation field_byte_offset of "
                                       r"struct task_struct .*at insn"):
        spec.programs["core_kernel"].check_core_relos()


def test_load_from_bytes_equals_path_and_copy_is_independent():
    a, b = load_elf(GOOD), full()
    assert a.programs["xdp_main"].instructions == b.programs["xdp_main"].instructions
    c = b.copy()
    c.variables["cfg_port"].set(1)
    assert b.variables["cfg_port"].value == 80 and c.variables["cfg_port"].value == 1


# --- the kernel as the oracle ------------------------------------------------------------

@pytest.mark.parametrize("cpu", CPUS)
def test_kernel_loads_every_program(kernel, cpu):
    spec = full(cpu)
    with load_into_kernel(spec) as k:
        assert set(k.programs) == set(spec.programs)


@pytest.mark.parametrize("cpu", CPUS)
def test_kernel_runs_linked_program(kernel, cpu):
    # hits = 0+1+2+3 via the bpf_loop callback; add_one(7) = 7*3 + 6 + 1 = 28; 28 + 74 == 102
    spec = full(cpu)
    spec.variables["cfg_port"].set(74)
    with load_into_kernel(spec) as k:
        assert k.programs["xdp_main"].test_run(bytes(64)).retval == 2  # XDP_PASS
        assert k.maps[".bss"].lookup(bytes(4)) == struct.pack("<Q", 6)
        assert k.maps["counts"].keys() == [bytes([1, 0, 0, 0, 2, 0, 3, 0])]
    spec.variables["cfg_port"].set(75)
    with load_into_kernel(spec) as k:
        assert k.programs["xdp_main"].test_run(bytes(64)).retval == 0  # XDP_ABORTED


def test_kernel_loads_legacy_and_core(kernel):
    with load_into_kernel(load_elf(DATA / "legacy.o")) as k:
        assert k.programs["legacy_sock"].test_run(bytes(64)).retval == 0
    with load_into_kernel(load_elf(DATA / "core.o"), ["core_ctx"]) as k:
        # a socket filter sees the frame after the Ethernet header is pulled
        assert k.programs["core_ctx"].test_run(bytes(77)).retval == 77 - 14


# --- loading into pyebpf (CollectionSpec.load) --------------------------------------------

def _load(spec, **kw):
    from pyebpf.runtime import Runtime

    return spec.load(Runtime(), **kw)


@pytest.mark.parametrize("cpu", CPUS)
def test_pyebpf_loads_and_runs_like_the_kernel_test(cpu):
    # the same expectations as test_kernel_runs_linked_program, on pyebpf
    spec = full(cpu)
    spec.variables["cfg_port"].set(74)
    with _load(spec) as coll:
        assert set(coll.programs) == set(spec.programs)
        assert coll.programs["xdp_main"].test_run(bytes(64)).retval == 2  # XDP_PASS
        assert coll.variables(".bss") == {"hits": 6}
        (entry,) = coll.entries("counts")
        assert entry.key_typed == {"addr": 1, "port": 2, "proto": 3, "pad": 0}
        assert entry.value_typed == 1
    spec.variables["cfg_port"].set(75)
    with _load(spec) as coll:
        assert coll.programs["xdp_main"].test_run(bytes(64)).retval == 0  # XDP_ABORTED


def test_pyebpf_load_global_data_and_frozen_rodata():
    spec = full()
    with _load(spec) as coll:
        assert coll.variables(".rodata")["cfg_name"] == "pyebpf"
        assert coll.variables(".data") == {"datav": 7}
        assert coll.maps[".rodata.str1.1"].lookup(0) == b"literal\0"
        with pytest.raises(BPFError) as exc:
            coll.maps[".rodata"].update(0, bytes(spec.maps[".rodata"].data))
        assert exc.value.errno == errno.EPERM          # frozen after filling, as libbpf does
        coll.maps[".data"].update(0, struct.pack("<I", 8))   # .data stays writable


def test_pyebpf_load_initial_values_after_programs():
    with _load(full()) as coll:
        outer, jmp = coll.maps["outer"], coll.maps["jmp"]
        # map-in-map and prog array slots hold the objects named in `.values = {...}`:
        # user space reads back their ids, as from the kernel
        assert int.from_bytes(outer.lookup(0), "little") == coll.maps["inner1"].id
        assert int.from_bytes(outer.lookup(1), "little") == coll.maps["inner2"].id
        assert int.from_bytes(jmp.lookup(1), "little") == coll.programs["tail_target"].id
        with pytest.raises(BPFError):
            jmp.lookup(0)                                  # an empty slot


def test_pyebpf_load_tail_call_reaches_target():
    spec = full()
    with _load(spec) as coll:
        coll.maps["jmp"].update(0, coll.programs["tail_target"].fd)
        assert coll.programs["xdp_main"].test_run(bytes(64)).retval == 1   # XDP_DROP


def test_pyebpf_load_subset_and_close_releases_fds():
    from pyebpf.runtime import Runtime

    rt = Runtime()
    spec = full()
    with spec.load(rt, programs=["sys"]) as coll:
        assert list(coll.programs) == ["sys"]
        assert coll.programs["sys"].test_run(ctx=bytes(8)).retval == 2 * 3   # hits is 0
        assert len(rt.open_fds()) == 1 + len(spec.maps)
    assert rt.open_fds() == []
    with pytest.raises(ELFError, match="no program 'nope'"):
        spec.load(rt, programs=["nope"])
    assert rt.open_fds() == []


def test_pyebpf_load_errors_name_the_object():
    from pyebpf.errors import VerifierError
    from pyebpf.runtime import Runtime

    rt = Runtime()
    spec = full()
    spec.maps["sized"].max_entries = 0
    with pytest.raises(BPFError, match="map 'sized'") as exc:
        spec.load(rt)
    assert exc.value.errno == errno.EINVAL
    spec = full()
    prog = spec.programs["sock"]
    prog.instructions = prog.instructions[:-1]            # falls off the end: no exit
    with pytest.raises(VerifierError, match="program 'sock'"):
        spec.load(rt)
    assert rt.open_fds() == []                              # nothing left behind


# --- bad objects: one mutation each -----------------------------------------------------

def _sections(data: bytes) -> dict[str, tuple[int, int, int]]:
    """name -> (section header offset, data offset, size)."""
    r = _Reader(data)
    r.parse()
    e_shoff = struct.unpack_from("<Q", data, 0x28)[0]
    return {s.name: (e_shoff + s.index * 64, s.offset, s.size) for s in r.sections}


def _patch(data: bytes, off: int, fmt: str, *values: int) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *values)
    return bytes(b)


def _rename_section(data: bytes, old: str, new: str) -> bytes:
    assert len(old) == len(new)
    shstr_idx = struct.unpack_from("<H", data, 0x3E)[0]
    e_shoff = struct.unpack_from("<Q", data, 0x28)[0]
    str_off = struct.unpack_from("<Q", data, e_shoff + shstr_idx * 64 + 24)[0]
    name_off = next(struct.unpack_from("<I", data, e_shoff + i * 64)[0]
                    for i in range(struct.unpack_from("<H", data, 0x3C)[0])
                    if data[str_off + struct.unpack_from("<I", data, e_shoff + i * 64)[0]:]
                    .startswith(old.encode() + b"\0"))
    b = bytearray(data)
    b[str_off + name_off:str_off + name_off + len(old)] = new.encode()
    return bytes(b)


def _rel(name: str, index: int = 0) -> int:
    """Offset in GOOD of relocation ``index`` of section ``name``."""
    return _sections(GOOD)[name][1] + 16 * index


def _btf_type_offset(name: str, member: str) -> int:
    """Offset in GOOD of the nelems of the array behind map ``name``'s ``member``."""
    spec = load_elf(GOOD)
    btf = spec.btf
    var = btf.find(name)
    st = btf.resolve(var.ref)
    mem = next(m for m in st.members if m.name == member)
    arr = btf.resolve(btf.resolve(mem.type).ref)
    return _sections(GOOD)[".BTF"][1] + btf._type_base + arr.offset + 12 + 8


MUTATIONS: dict[str, tuple[Callable[[bytes], bytes], str, type[BPFError]]] = {
    "empty": (lambda d: b"", r"truncated ELF: 0 bytes", ELFError),
    "truncated-header": (lambda d: d[:40], r"truncated ELF", ELFError),
    "truncated-body": (lambda d: d[:len(d) // 2], r"runs? past the end", ELFError),
    "bad-magic": (lambda d: b"\x7fELG" + d[4:], r"not an ELF object", ELFError),
    "class-32": (lambda d: d[:4] + b"\x01" + d[5:], r"wrong ELF class 1", ELFError),
    "big-endian": (lambda d: d[:5] + b"\x02" + d[6:], r"little-endian", ELFError),
    "machine-x86": (lambda d: _patch(d, 18, "<H", 62), r"wrong machine 62", ELFError),
    "not-relocatable": (lambda d: _patch(d, 16, "<H", 2), r"not a relocatable", ELFError),
    "shoff-past-end": (lambda d: _patch(d, 0x28, "<Q", len(d)), r"section headers at",
                       ELFError),
    "shentsize": (lambda d: _patch(d, 0x3A, "<H", 40), r"section header size 40", ELFError),
    "shstrndx": (lambda d: _patch(d, 0x3E, "<H", 999), r"name table index 999", ELFError),
    "section-offset": (lambda d: _patch(d, _sections(d)["xdp"][0] + 24, "<Q", 1 << 40),
                       r"section \d+ .* runs past the end", ELFError),
    "reloc-offset": (lambda d: _patch(d, _rel(".relxdp"), "<Q", 1 << 20),
                     r"R_BPF_64_64 in '.relxdp' at offset 1048576 is outside section 'xdp'",
                     ELFError),
    "reloc-symbol": (lambda d: _patch(d, _rel(".relxdp") + 8, "<Q", (9999 << 32) | 1),
                     r"names symbol 9999", ELFError),
    "reloc-type": (lambda d: _patch(d, _rel(".relxdp") + 8, "<I", 77),
                   r"unknown type 77", ELFError),
    "reloc-not-ldimm64": (lambda d: _patch(d, _rel(".relxdp"), "<Q",
                                           struct.unpack_from("<Q", d, _rel(".relxdp"))[0] + 16),
                          r"must patch an LD_IMM64|middle of an LD_IMM64", ELFError),
    "reloc-misaligned": (lambda d: _patch(d, _rel(".relxdp"), "<Q",
                                          struct.unpack_from("<Q", d, _rel(".relxdp"))[0] + 4),
                         r"not at an instruction boundary", ELFError),
    "unknown-map-type": (lambda d: _patch(d, _btf_type_offset("jmp", "type"), "<I", 99),
                         r"map 'jmp': unknown map type 99", ELFError),
    "btf-magic": (lambda d: _patch(d, _sections(d)[".BTF"][1], "<H", 0x1234),
                  r"BTF: bad magic 0x1234", BTFError),
    "btf-truncated": (lambda d: _patch(d, _sections(d)[".BTF"][1] + 12, "<I", 1 << 20),
                      r"BTF: type section", BTFError),
    "no-btf-for-maps": (lambda d: _rename_section(_rename_section(d, ".BTF.ext", ".XTF.ext"),
                                                  ".BTF", ".XTF"), r"needs BTF", ELFError),
    "no-symtab": (lambda d: _patch(d, _sections(d)[".symtab"][0] + 4, "<I", 1),
                  r"no symbol table", ELFError),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_bad_object(name):
    mutate, message, exc = MUTATIONS[name]
    with pytest.raises(exc, match=message) as info:
        load_elf(mutate(GOOD))
    assert info.value.errno == errno.EINVAL
    assert isinstance(info.value, BPFError)


def test_legacy_unknown_map_type():
    data = (DATA / "legacy.o").read_bytes()
    off = _sections(data)["maps"][1]
    with pytest.raises(ELFError, match=r"map 'legacy_\w+': unknown map type 1234"):
        load_elf(_patch(data, off, "<I", 1234))


def test_missing_file():
    with pytest.raises(ELFError, match=r"cannot read '/nonexistent.o'") as info:
        load_elf("/nonexistent.o")
    assert info.value.errno == errno.EINVAL


def test_random_corruption_never_crashes():
    """Flip bytes all over a good object: only clean errors or a spec."""
    import random

    rng = random.Random(5)
    for _ in range(300):
        b = bytearray(GOOD)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            load_elf(bytes(b))
        except BPFError as e:
            assert e.errno == errno.EINVAL


def test_missing_license_for_gpl_only_helper():
    pytest.importorskip("pyebpf.helpers")
    full().programs["kp"].check_license()                   # GPL: fine
    spec = load_elf(_rename_section(GOOD, "license", "licensf"))
    assert spec.license == ""
    spec.programs["xdp_main"].check_license()               # no GPL-only helper called
    with pytest.raises(ELFError, match=r"program 'kp' calls GPL-only helper bpf_trace_printk "
                                       r"\(insn \d+\) but has no license section") as info:
        spec.programs["kp"].check_license()
    assert info.value.errno == errno.EINVAL
