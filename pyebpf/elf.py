"""Read BPF ELF objects (what ``clang -O2 -g -target bpf`` writes) into plain specs.

The result is a :class:`CollectionSpec`, plain values that can be inspected and
changed before loading, as cilium/ebpf's ``CollectionSpec`` is:

- programs by section, with libbpf's ``SEC()`` conventions deciding the program
  type (``xdp``, ``tc``, ``socket``, ``kprobe/...``); every function symbol of an
  executable section other than ``.text`` is a program;
- sub-programs from ``.text`` appended after each program that calls them (or
  takes their address for a callback, ``BPF_PSEUDO_FUNC``), with call offsets
  rewritten, the way libbpf's ``bpf_object__reloc_code`` links them;
- maps from BTF-defined ``.maps``, the legacy ``maps`` section and the global
  data sections (``.rodata*``, ``.data*``, ``.bss*``), which become one-element
  array maps as libbpf makes them.

Map references are left for the loader: an LD_IMM64 naming a map gets
``src = BPF_PSEUDO_MAP_IDX`` and ``imm = i``, one naming global data gets
``BPF_PSEUDO_MAP_IDX_VALUE`` with ``imm = i | offset << 32``, where ``i`` indexes
the program's :attr:`ProgramSpec.map_names` (its ``fd_array``).  So one spec
loads into pyebpf or into the kernel alike.
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pyebpf import isa
from pyebpf.btf import (
    BTF,
    CORE_RELO_KINDS,
    KIND_ARRAY,
    KIND_DATASEC,
    KIND_ENUM,
    KIND_ENUM64,
    KIND_FUNC_PROTO,
    KIND_PTR,
    KIND_STRUCT,
    KIND_VAR,
    BTFError,
    BTFExt,
    CoreRelo,
    FuncInfo,
    LineInfo,
)
from pyebpf.errors import BPFError
from pyebpf.uapi import BPF_F_RDONLY_PROG, BPF_F_SLEEPABLE
from pyebpf.uapi import BpfAttachType as _At
from pyebpf.uapi import BpfMapType as _Mt
from pyebpf.uapi import BpfProgType as _Pt

if TYPE_CHECKING:
    from pyebpf.objects import Map, Program
    from pyebpf.runtime import Runtime

T = TypeVar("T")

# --- ELF constants (System V ABI; llvm's BPF relocation numbering) -------------

EM_BPF = 247
ET_REL = 1
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOBITS, SHT_REL = 1, 2, 3, 4, 8, 9
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON = 0, 0xFF00, 0xFFF1, 0xFFF2
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2

R_BPF_NONE = 0
R_BPF_64_64 = 1
R_BPF_64_ABS64 = 2
R_BPF_64_ABS32 = 3
R_BPF_64_NODYLD32 = 4
R_BPF_64_32 = 10
RELOC_NAMES = {0: "R_BPF_NONE", 1: "R_BPF_64_64", 2: "R_BPF_64_ABS64", 3: "R_BPF_64_ABS32",
               4: "R_BPF_64_NODYLD32", 10: "R_BPF_64_32"}

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_REL = struct.Struct("<QQ")

LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME = 0, 1
_LD_IMM64 = isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW
_CALL = isa.BPF_JMP | isa.BPF_CALL
_KNOWN_MAP_TYPES = frozenset(int(t) for t in _Mt if t != _Mt.BPF_MAP_TYPE_UNSPEC)
_MAP_IN_MAP = frozenset({_Mt.BPF_MAP_TYPE_ARRAY_OF_MAPS, _Mt.BPF_MAP_TYPE_HASH_OF_MAPS})

# The context types clang's CO-RE relocations may target and that pyebpf's
# runtime lays out exactly as the UAPI header does (the kernel rewrites accesses
# to them itself), so a relocation against them resolves to what the object
# already encodes.
UAPI_CONTEXT_TYPES = frozenset({
    "__sk_buff", "xdp_md", "bpf_sock", "bpf_sock_addr", "bpf_sock_ops", "sk_msg_md",
    "sk_reuseport_md", "bpf_sk_lookup", "bpf_sockopt", "bpf_sysctl", "bpf_flow_keys",
    "bpf_perf_event_data", "bpf_raw_tracepoint_args", "pt_regs", "bpf_cgroup_dev_ctx",
})


# include/linux/license.h: license_is_gpl_compatible()
GPL_COMPATIBLE = frozenset({"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                            "Dual MIT/GPL", "Dual MPL/GPL"})


class ELFError(BPFError):
    """An object pyebpf cannot load, with what is wrong with it (EINVAL)."""

    def __init__(self, message: str) -> None:
        self.reason = message
        super().__init__(errno.EINVAL, message)


# --- program types from section names (libbpf's section_defs) -------------------

@dataclass(frozen=True)
class _SecDef:
    prefix: str
    prog_type: int
    attach_type: int = 0
    exact: bool = False      # the section name must equal prefix (or prefix + "/...")


_SEC_DEFS: tuple[_SecDef, ...] = (
    _SecDef("socket", _Pt.BPF_PROG_TYPE_SOCKET_FILTER),
    _SecDef("sk_reuseport/migrate", _Pt.BPF_PROG_TYPE_SK_REUSEPORT,
            _At.BPF_SK_REUSEPORT_SELECT_OR_MIGRATE),
    _SecDef("sk_reuseport", _Pt.BPF_PROG_TYPE_SK_REUSEPORT, _At.BPF_SK_REUSEPORT_SELECT),
    _SecDef("kprobe.multi/", _Pt.BPF_PROG_TYPE_KPROBE, _At.BPF_TRACE_KPROBE_MULTI),
    _SecDef("kretprobe.multi/", _Pt.BPF_PROG_TYPE_KPROBE, _At.BPF_TRACE_KPROBE_MULTI),
    _SecDef("kprobe", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("kretprobe", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("uprobe", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("uretprobe", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("ksyscall", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("kretsyscall", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("usdt", _Pt.BPF_PROG_TYPE_KPROBE),
    _SecDef("tc/ingress", _Pt.BPF_PROG_TYPE_SCHED_CLS, _At.BPF_TCX_INGRESS),
    _SecDef("tc/egress", _Pt.BPF_PROG_TYPE_SCHED_CLS, _At.BPF_TCX_EGRESS),
    _SecDef("tcx/ingress", _Pt.BPF_PROG_TYPE_SCHED_CLS, _At.BPF_TCX_INGRESS),
    _SecDef("tcx/egress", _Pt.BPF_PROG_TYPE_SCHED_CLS, _At.BPF_TCX_EGRESS),
    _SecDef("tc", _Pt.BPF_PROG_TYPE_SCHED_CLS),
    _SecDef("classifier", _Pt.BPF_PROG_TYPE_SCHED_CLS),
    _SecDef("action", _Pt.BPF_PROG_TYPE_SCHED_ACT),
    _SecDef("tracepoint", _Pt.BPF_PROG_TYPE_TRACEPOINT),
    _SecDef("tp", _Pt.BPF_PROG_TYPE_TRACEPOINT),
    _SecDef("raw_tracepoint.w", _Pt.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
    _SecDef("raw_tp.w", _Pt.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
    _SecDef("raw_tracepoint", _Pt.BPF_PROG_TYPE_RAW_TRACEPOINT),
    _SecDef("raw_tp", _Pt.BPF_PROG_TYPE_RAW_TRACEPOINT),
    _SecDef("tp_btf", _Pt.BPF_PROG_TYPE_TRACING, _At.BPF_TRACE_RAW_TP),
    _SecDef("fentry", _Pt.BPF_PROG_TYPE_TRACING, _At.BPF_TRACE_FENTRY),
    _SecDef("fmod_ret", _Pt.BPF_PROG_TYPE_TRACING, _At.BPF_MODIFY_RETURN),
    _SecDef("fexit", _Pt.BPF_PROG_TYPE_TRACING, _At.BPF_TRACE_FEXIT),
    _SecDef("iter", _Pt.BPF_PROG_TYPE_TRACING, _At.BPF_TRACE_ITER),
    _SecDef("freplace", _Pt.BPF_PROG_TYPE_EXT),
    _SecDef("lsm", _Pt.BPF_PROG_TYPE_LSM, _At.BPF_LSM_MAC),
    _SecDef("xdp.frags/devmap", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP_DEVMAP),
    _SecDef("xdp/devmap", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP_DEVMAP),
    _SecDef("xdp.frags/cpumap", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP_CPUMAP),
    _SecDef("xdp/cpumap", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP_CPUMAP),
    _SecDef("xdp.frags", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP),
    _SecDef("xdp", _Pt.BPF_PROG_TYPE_XDP, _At.BPF_XDP),
    _SecDef("perf_event", _Pt.BPF_PROG_TYPE_PERF_EVENT),
    _SecDef("lwt_in", _Pt.BPF_PROG_TYPE_LWT_IN),
    _SecDef("lwt_out", _Pt.BPF_PROG_TYPE_LWT_OUT),
    _SecDef("lwt_xmit", _Pt.BPF_PROG_TYPE_LWT_XMIT),
    _SecDef("lwt_seg6local", _Pt.BPF_PROG_TYPE_LWT_SEG6LOCAL),
    _SecDef("sockops", _Pt.BPF_PROG_TYPE_SOCK_OPS, _At.BPF_CGROUP_SOCK_OPS),
    _SecDef("sk_skb/stream_parser", _Pt.BPF_PROG_TYPE_SK_SKB, _At.BPF_SK_SKB_STREAM_PARSER),
    _SecDef("sk_skb/stream_verdict", _Pt.BPF_PROG_TYPE_SK_SKB, _At.BPF_SK_SKB_STREAM_VERDICT),
    _SecDef("sk_skb", _Pt.BPF_PROG_TYPE_SK_SKB),
    _SecDef("sk_msg", _Pt.BPF_PROG_TYPE_SK_MSG, _At.BPF_SK_MSG_VERDICT),
    _SecDef("lirc_mode2", _Pt.BPF_PROG_TYPE_LIRC_MODE2, _At.BPF_LIRC_MODE2),
    _SecDef("flow_dissector", _Pt.BPF_PROG_TYPE_FLOW_DISSECTOR, _At.BPF_FLOW_DISSECTOR),
    _SecDef("cgroup_skb/ingress", _Pt.BPF_PROG_TYPE_CGROUP_SKB, _At.BPF_CGROUP_INET_INGRESS),
    _SecDef("cgroup_skb/egress", _Pt.BPF_PROG_TYPE_CGROUP_SKB, _At.BPF_CGROUP_INET_EGRESS),
    _SecDef("cgroup/skb", _Pt.BPF_PROG_TYPE_CGROUP_SKB),
    _SecDef("cgroup/sock_create", _Pt.BPF_PROG_TYPE_CGROUP_SOCK,
            _At.BPF_CGROUP_INET_SOCK_CREATE),
    _SecDef("cgroup/sock_release", _Pt.BPF_PROG_TYPE_CGROUP_SOCK,
            _At.BPF_CGROUP_INET_SOCK_RELEASE),
    _SecDef("cgroup/sock", _Pt.BPF_PROG_TYPE_CGROUP_SOCK, _At.BPF_CGROUP_INET_SOCK_CREATE),
    _SecDef("cgroup/dev", _Pt.BPF_PROG_TYPE_CGROUP_DEVICE, _At.BPF_CGROUP_DEVICE),
    _SecDef("cgroup/sysctl", _Pt.BPF_PROG_TYPE_CGROUP_SYSCTL, _At.BPF_CGROUP_SYSCTL),
    _SecDef("cgroup/getsockopt", _Pt.BPF_PROG_TYPE_CGROUP_SOCKOPT, _At.BPF_CGROUP_GETSOCKOPT),
    _SecDef("cgroup/setsockopt", _Pt.BPF_PROG_TYPE_CGROUP_SOCKOPT, _At.BPF_CGROUP_SETSOCKOPT),
    _SecDef("cgroup/connect4", _Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
            _At.BPF_CGROUP_INET4_CONNECT),
    _SecDef("cgroup/connect6", _Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
            _At.BPF_CGROUP_INET6_CONNECT),
    _SecDef("cgroup/bind4", _Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, _At.BPF_CGROUP_INET4_BIND),
    _SecDef("cgroup/bind6", _Pt.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, _At.BPF_CGROUP_INET6_BIND),
    _SecDef("sk_lookup", _Pt.BPF_PROG_TYPE_SK_LOOKUP, _At.BPF_SK_LOOKUP),
    _SecDef("netfilter", _Pt.BPF_PROG_TYPE_NETFILTER, _At.BPF_NETFILTER),
    _SecDef("struct_ops", _Pt.BPF_PROG_TYPE_STRUCT_OPS),
    _SecDef("syscall", _Pt.BPF_PROG_TYPE_SYSCALL, exact=True),
)


def program_type_for_section(section: str) -> tuple[int, int, str]:
    """(prog type, expected attach type, attach target) for a section name.

    As libbpf matches ``SEC()`` names: the name equals a known prefix, or
    starts with it followed by ``/`` (``kprobe/do_unlinkat``; the part after the
    slash is the attach target) or, for the ``.s``-less sleepable variants, by
    ``.``.  A leading ``?`` (libbpf: not loaded by default) is not part of the match.
    Returns prog type 0 (UNSPEC) when nothing matches.
    """
    section = section.removeprefix("?")
    for d in _SEC_DEFS:
        if section == d.prefix:
            return int(d.prog_type), int(d.attach_type), ""
        if d.prefix.endswith("/") and section.startswith(d.prefix):
            return int(d.prog_type), int(d.attach_type), section[len(d.prefix):]
        if not d.exact and (section.startswith(d.prefix + "/")
                            or section.startswith(d.prefix + ".s/")):
            return int(d.prog_type), int(d.attach_type), section.split("/", 1)[1]
    return int(_Pt.BPF_PROG_TYPE_UNSPEC), 0, ""


# --- the specs ------------------------------------------------------------------

@dataclass
class MapSpec:
    """A map as the object defines it; change any field before loading.

    ``contents`` are the initial entries ``(key, value)``: bytes for data maps,
    the name of a program (PROG_ARRAY) or of a map (map-in-map) for the
    ``values = {...}`` of BTF-defined maps.
    """

    name: str
    type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0
    pinning: int = LIBBPF_PIN_NONE
    numa_node: int = 0
    map_extra: int = 0
    inner: MapSpec | None = None
    contents: list[tuple[int | bytes, bytes | str]] = field(default_factory=list)
    key_type_id: int = 0
    value_type_id: int = 0
    btf: BTF | None = field(default=None, repr=False)
    section: str = ".maps"
    freeze: bool = False     # made read-only for user space after loading (.rodata)

    @property
    def type_name(self) -> str:
        try:
            return _Mt(self.type).name.removeprefix("BPF_MAP_TYPE_").lower()
        except ValueError:
            return str(self.type)

    @property
    def is_data(self) -> bool:
        """A global data map (``.data``, ``.rodata*``, ``.bss``)."""
        return self.section != ".maps" and self.section != "maps"

    @property
    def data(self) -> bytearray:
        """The initial value of a global data map (its one element), writable."""
        if not self.is_data:
            raise ELFError(f"map {self.name!r} is not a global data map")
        return self.contents[0][1]  # type: ignore[return-value]

    def copy(self) -> MapSpec:
        return copy.deepcopy(self)


@dataclass
class ProgramSpec:
    """A program ready to load: instructions with sub-programs linked in and map
    references as ``BPF_PSEUDO_MAP_IDX``/``MAP_IDX_VALUE`` indexing ``map_names``."""

    name: str
    section: str
    type: int
    instructions: list[isa.Instruction]
    expected_attach_type: int = 0
    attach_to: str = ""
    license: str = ""
    kern_version: int = 0
    flags: int = 0           # PROG_LOAD prog_flags (BPF_F_SLEEPABLE for syscall and *.s/)
    map_names: list[str] = field(default_factory=list)
    func_info: list[FuncInfo] = field(default_factory=list)    # insn_off: instruction index
    line_info: list[LineInfo] = field(default_factory=list)    # insn_off: instruction index
    core_relos: list[CoreRelo] = field(default_factory=list)   # insn_off: instruction index
    subprograms: list[tuple[str, int]] = field(default_factory=list)  # (name, start slot)
    btf: BTF | None = field(default=None, repr=False)

    @property
    def type_name(self) -> str:
        try:
            return _Pt(self.type).name.removeprefix("BPF_PROG_TYPE_").lower()
        except ValueError:
            return str(self.type)

    @property
    def bytecode(self) -> bytes:
        return isa.encode(self.instructions)

    def fd_array(self, fds: dict[str, int]) -> list[int]:
        """The fd_array for PROG_LOAD given each map's fd (or runtime id) by name."""
        missing = [n for n in self.map_names if n not in fds]
        if missing:
            raise ELFError(f"program {self.name!r} uses map(s) {', '.join(missing)} "
                           "that were not created")
        return [fds[n] for n in self.map_names]

    def line_for(self, slot: int) -> LineInfo | None:
        """The line_info entry that starts exactly at ``slot``."""
        for li in self.line_info:
            if li.insn_off == slot:
                return li
        return None

    def copy(self) -> ProgramSpec:
        return copy.deepcopy(self)

    def check_license(self) -> None:
        """Refuse GPL-only helper calls from a program whose license is not GPL-compatible.

        The kernel's verifier says "cannot call GPL-restricted function from non-GPL
        compatible program"; pyebpf says it naming the helper and the license.
        """
        if self.license in GPL_COMPATIBLE:
            return
        from pyebpf.helpers import HELPERS

        for insn in self.instructions:
            if insn.code == _CALL and insn.src == 0:
                helper = HELPERS.get(insn.imm)
                if helper is not None and helper.gpl_only:
                    lic = repr(self.license) if self.license else "no license section"
                    raise ELFError(f"program {self.name!r} calls GPL-only helper "
                                   f"bpf_{helper.name} (insn {insn.pc}) but has {lic}: "
                                   'add char LICENSE[] SEC("license") = "GPL";')

    def check_core_relos(self) -> None:
        """Refuse CO-RE relocations pyebpf cannot resolve, naming the relocation.

        pyebpf lays out the UAPI context types exactly as the headers the
        program was compiled against, so a relocation rooted in one of them
        resolves to what the instruction already encodes; any other type
        (``task_struct`` from vmlinux.h, ...) would need the running kernel's
        BTF, which pyebpf does not have.
        """
        btf = self.btf
        for cr in self.core_relos:
            kind = CORE_RELO_KINDS[cr.kind] if cr.kind < len(CORE_RELO_KINDS) else str(cr.kind)
            root = btf.resolve(cr.type_id) if btf is not None else None
            if root is None or root.name not in UAPI_CONTEXT_TYPES:
                what = btf.type_name(cr.type_id) if btf is not None else f"[{cr.type_id}]"
                raise ELFError(f"program {self.name!r}: CO-RE relocation {kind} of {what} "
                               f"(access {cr.access}) at insn {cr.insn_off} cannot be "
                               "resolved: pyebpf has no kernel BTF for that type")


@dataclass
class VariableSpec:
    """A global variable in a data map: ``spec.variables['cfg_port'].set(443)``."""

    name: str
    map_name: str
    offset: int
    size: int
    type_id: int
    collection: CollectionSpec = field(repr=False)

    @property
    def raw(self) -> bytes:
        data = self.collection.maps[self.map_name].data
        return bytes(data[self.offset:self.offset + self.size])

    @property
    def value(self) -> object:
        btf = self.collection.btf
        if btf is not None and self.type_id:
            return btf.to_python(self.type_id, self.raw)
        return int.from_bytes(self.raw, "little") if self.size <= 8 else self.raw

    def set(self, value: int | bytes | bool) -> None:
        """Write ``value`` (an int, little-endian in the variable's size, or exact bytes)."""
        if isinstance(value, bool | int):
            try:
                signed = value < 0
                raw = int(value).to_bytes(self.size, "little", signed=signed)
            except OverflowError:
                raise ValueError(f"{value} does not fit variable {self.name!r} "
                                 f"({self.size} bytes)") from None
        else:
            raw = bytes(value)
            if len(raw) != self.size:
                raise ValueError(f"variable {self.name!r} is {self.size} bytes, "
                                 f"got {len(raw)}")
        self.collection.maps[self.map_name].data[self.offset:self.offset + self.size] = raw


@dataclass
class CollectionSpec:
    """Everything an object defines: programs and maps by name, license, BTF."""

    programs: dict[str, ProgramSpec]
    maps: dict[str, MapSpec]
    license: str = ""
    kern_version: int = 0
    btf: BTF | None = field(default=None, repr=False)
    btf_ext: BTFExt | None = field(default=None, repr=False)
    variables: dict[str, VariableSpec] = field(default_factory=dict, repr=False)
    kernel_btf: bytes = field(default=b"", repr=False)   # BTF with DATASEC layout filled in

    def copy(self) -> CollectionSpec:
        new = copy.deepcopy(self)
        for v in new.variables.values():
            v.collection = new
        return new

    def load(self, runtime: Runtime | None = None, programs: Iterable[str] | None = None,
             log_level: int = 0) -> Collection:
        """Create the maps and load the programs (all, or those named) in a pyebpf runtime.

        ``runtime`` defaults to the process's :func:`pyebpf.runtime.default_runtime`.
        Everything goes through the same ``bpf()`` commands a kernel loader issues,
        so the verifier and every check of BPF_MAP_CREATE / BPF_PROG_LOAD apply.
        ``log_level`` > 0 keeps each program's verifier log in ``Program.log``.
        """
        return load_collection(self, runtime, programs, log_level)


# --- ELF reading ----------------------------------------------------------------

@dataclass
class _Section:
    index: int
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int
    data: bytes = b""


@dataclass
class _Symbol:
    index: int
    name: str
    type: int
    bind: int
    shndx: int
    value: int
    size: int


@dataclass
class _Reloc:
    offset: int
    type: int
    sym: _Symbol


@dataclass
class _Function:
    name: str
    section: str
    start: int     # slot index in the section
    end: int
    insns: list[isa.Instruction]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sections: list[_Section] = []
        self.by_name: dict[str, _Section] = {}
        self.symbols: list[_Symbol] = []
        self.relocs: dict[int, list[_Reloc]] = {}    # target section index -> relocations

    def parse(self) -> None:
        d = self.data
        if len(d) < _EHDR.size:
            raise ELFError(f"truncated ELF: {len(d)} bytes is shorter than the ELF header")
        if d[:4] != b"\x7fELF":
            raise ELFError("not an ELF object (bad magic)")
        if d[4] != 2:
            raise ELFError(f"wrong ELF class {d[4]}: BPF objects are ELF64 (class 2)")
        if d[5] != 1:
            raise ELFError("wrong ELF data encoding: only little-endian BPF objects "
                           "(-target bpf / bpfel) are supported")
        (_, e_type, e_machine, _, _, _, e_shoff, _, _, _, _, e_shentsize, e_shnum,
         e_shstrndx) = _EHDR.unpack_from(d)
        if e_machine != EM_BPF:
            raise ELFError(f"wrong machine {e_machine}: not a BPF object (EM_BPF is {EM_BPF})")
        if e_type != ET_REL:
            raise ELFError(f"ELF type {e_type} is not a relocatable object (ET_REL)")
        if e_shnum == 0:
            raise ELFError("no section headers")
        if e_shentsize != _SHDR.size:
            raise ELFError(f"section header size {e_shentsize} (expected {_SHDR.size})")
        if e_shoff + e_shnum * _SHDR.size > len(d):
            raise ELFError(f"section headers at {e_shoff} ({e_shnum} x {_SHDR.size}) run past "
                           f"the end of the file ({len(d)} bytes)")
        if e_shstrndx >= e_shnum:
            raise ELFError(f"section name table index {e_shstrndx} out of range "
                           f"({e_shnum} sections)")
        raw = [_SHDR.unpack_from(d, e_shoff + i * _SHDR.size) for i in range(e_shnum)]
        for i, (_, sh_type, flags, _, off, size, link, info, _, entsize) in enumerate(raw):
            if sh_type != SHT_NOBITS and i and off + size > len(d):
                raise ELFError(f"section {i} [{off}, {off + size}) runs past the end of the "
                               f"file ({len(d)} bytes)")
            self.sections.append(_Section(i, "", sh_type, flags, off, size, link, info, entsize,
                                          b"" if sh_type == SHT_NOBITS or not i
                                          else d[off:off + size]))
        names = self.sections[e_shstrndx]
        if names.type != SHT_STRTAB:
            raise ELFError(f"section name table (section {e_shstrndx}) is not a string table")
        for s, r in zip(self.sections, raw, strict=True):
            s.name = self._str(names.data, r[0], f"name of section {s.index}")
            self.by_name.setdefault(s.name, s)
        self._parse_symbols()
        self._parse_relocs()

    @staticmethod
    def _str(table: bytes, off: int, what: str) -> str:
        if off >= len(table) and not (off == 0 and not table):
            raise ELFError(f"{what}: string offset {off} outside the string table "
                           f"({len(table)} bytes)")
        end = table.find(b"\0", off)
        if end < 0:
            raise ELFError(f"{what}: string not NUL-terminated")
        return table[off:end].decode("utf-8", "replace")

    def _parse_symbols(self) -> None:
        symtabs = [s for s in self.sections if s.type == SHT_SYMTAB]
        if not symtabs:
            raise ELFError("no symbol table (.symtab)")
        st = symtabs[0]
        if st.link >= len(self.sections):
            raise ELFError(f"symbol table links to string table {st.link}, which does not exist")
        strtab = self.sections[st.link].data
        if st.size % _SYM.size:
            raise ELFError(f"symbol table size {st.size} is not a multiple of {_SYM.size}")
        for i in range(st.size // _SYM.size):
            name_off, info, _, shndx, value, size = _SYM.unpack_from(st.data, i * _SYM.size)
            if shndx < SHN_LORESERVE and shndx >= len(self.sections):
                raise ELFError(f"symbol {i} refers to section {shndx}, which does not exist")
            name = self._str(strtab, name_off, f"name of symbol {i}")
            stype = info & 0xF
            if stype == STT_SECTION and not name and shndx < len(self.sections):
                name = self.sections[shndx].name
            self.symbols.append(_Symbol(i, name, stype, info >> 4, shndx, value, size))

    def _parse_relocs(self) -> None:
        for s in self.sections:
            if s.type == SHT_RELA:
                raise ELFError(f"section {s.name!r}: RELA relocations are not used by BPF")
            if s.type != SHT_REL:
                continue
            if s.info >= len(self.sections):
                raise ELFError(f"relocation section {s.name!r} applies to section {s.info}, "
                               "which does not exist")
            target = self.sections[s.info]
            if s.size % _REL.size:
                raise ELFError(f"relocation section {s.name!r}: size {s.size} is not a multiple "
                               f"of {_REL.size}")
            out = self.relocs.setdefault(s.info, [])
            for off, info in _REL.iter_unpack(s.data):
                sym_idx, rtype = info >> 32, info & 0xFFFFFFFF
                if sym_idx >= len(self.symbols):
                    raise ELFError(f"relocation in {s.name!r} at offset {off} names symbol "
                                   f"{sym_idx}, but there are {len(self.symbols)} symbols")
                if rtype not in RELOC_NAMES:
                    raise ELFError(f"relocation in {s.name!r} at offset {off} has unknown "
                                   f"type {rtype}")
                if target.type != SHT_NOBITS and off + 4 > target.size:
                    raise ELFError(f"relocation {RELOC_NAMES[rtype]} in {s.name!r} at offset "
                                   f"{off} is outside section {target.name!r} "
                                   f"({target.size} bytes)")
                out.append(_Reloc(off, rtype, self.symbols[sym_idx]))


# --- the loader -----------------------------------------------------------------

def _is_data_section(s: _Section) -> bool:
    return (s.flags & SHF_ALLOC and not s.flags & SHF_EXECINSTR
            and s.type in (SHT_PROGBITS, SHT_NOBITS)
            and any(s.name == p or s.name.startswith(p + ".")
                    for p in (".data", ".rodata", ".bss")))


class _Loader:
    def __init__(self, data: bytes) -> None:
        self.r = _Reader(data)
        self.r.parse()
        self.maps: dict[str, MapSpec] = {}
        self.map_by_sym: dict[tuple[int, int], str] = {}    # (shndx, offset) -> map name
        self.data_maps: dict[int, str] = {}                 # shndx -> map name
        self.btf: BTF | None = None
        self.btf_ext: BTFExt | None = None
        self.functions: dict[tuple[int, int], _Function] = {}   # (shndx, start slot)
        self.license = ""
        self.kern_version = 0
        self._values_offsets: dict[str, int] = {}   # map name -> offset of 'values' in it
        self._rel_index: dict[tuple[int, int], _Reloc] | None = None

    def load(self) -> CollectionSpec:
        r = self.r
        if ".BTF" in r.by_name:
            self.btf = BTF(r.by_name[".BTF"].data)
            if ".BTF.ext" in r.by_name:
                self.btf_ext = BTFExt(r.by_name[".BTF.ext"].data, self.btf)
        if "license" in r.by_name:
            self.license = r.by_name["license"].data.split(b"\0", 1)[0].decode("ascii",
                                                                                "replace")
        if "version" in r.by_name:
            v = r.by_name["version"].data
            if len(v) != 4:
                raise ELFError(f"section 'version' is {len(v)} bytes, expected 4")
            self.kern_version = int.from_bytes(v, "little")
        self._btf_maps()
        self._legacy_maps()
        self._data_maps()
        self._map_initial_values()
        self._functions()
        programs: dict[str, ProgramSpec] = {}
        for fn in self.functions.values():
            sec = r.sections[self._shndx(fn.section)]
            if sec.name == ".text":
                continue
            programs[fn.name] = self._link(fn)
        spec = CollectionSpec(programs=programs, maps=self.maps, license=self.license,
                              kern_version=self.kern_version, btf=self.btf,
                              btf_ext=self.btf_ext)
        self._variables(spec)
        if self.btf is not None:
            sizes = {sec.name: sec.size for sec in r.sections}
            offsets = {sym.name: sym.value for sym in r.symbols
                       if sym.type == STT_OBJECT and sym.name}
            spec.kernel_btf = self.btf.with_datasec_layout(sizes, offsets)
        return spec

    def _shndx(self, name: str) -> int:
        return self.r.by_name[name].index

    # --- maps ---

    def _add_map(self, m: MapSpec, shndx: int, offset: int) -> None:
        if m.type not in _KNOWN_MAP_TYPES:
            raise ELFError(f"map {m.name!r}: unknown map type {m.type}")
        if m.name in self.maps:
            raise ELFError(f"map {m.name!r} defined twice")
        self.maps[m.name] = m
        self.map_by_sym[(shndx, offset)] = m.name

    def _map_symbols(self, shndx: int) -> list[_Symbol]:
        return sorted((s for s in self.r.symbols
                       if s.shndx == shndx and s.type in (STT_OBJECT, STT_NOTYPE) and s.name
                       and s.bind in (STB_GLOBAL, STB_WEAK, STB_LOCAL)),
                      key=lambda s: s.value)

    def _btf_maps(self) -> None:
        sec = self.r.by_name.get(".maps")
        if sec is None:
            return
        if self.btf is None:
            raise ELFError("section '.maps' needs BTF, but the object has no .BTF section "
                           "(compile with -g)")
        datasec = self.btf.find(".maps", KIND_DATASEC)
        if datasec is None:
            raise ELFError("BTF has no DATASEC '.maps' describing the maps")
        syms = {s.name: s for s in self._map_symbols(sec.index)}
        for si in datasec.secinfos:
            var = self.btf[si.type]
            if var.kind != KIND_VAR:
                raise ELFError(f"BTF DATASEC '.maps' entry [{si.type}] is not a variable")
            sym = syms.get(var.name)
            if sym is None:
                raise ELFError(f"map {var.name!r} has BTF but no ELF symbol in '.maps'")
            if sym.value + max(sym.size, 1) > sec.size:
                raise ELFError(f"map {var.name!r} at offset {sym.value} lies outside '.maps'")
            m = self._btf_map_def(var.name, var.ref, inner=False)
            self._add_map(m, sec.index, sym.value)

    def _btf_map_def(self, name: str, type_id: int, inner: bool) -> MapSpec:
        btf = self.btf
        assert btf is not None
        st = btf.resolve(type_id)
        if st.kind != KIND_STRUCT:
            raise ELFError(f"map {name!r}: definition is a {st.kind_name}, not a struct")
        fields: dict[str, int] = {}
        m = MapSpec(name=name, type=0, key_size=0, value_size=0, max_entries=0, btf=btf)
        for mem in st.members:
            mt = btf.resolve(mem.type)
            if mem.name in ("type", "max_entries", "map_flags", "numa_node", "key_size",
                            "value_size", "pinning", "map_extra"):
                if mt.kind == KIND_PTR and btf.resolve(mt.ref).kind == KIND_ARRAY:
                    fields[mem.name] = btf.resolve(mt.ref).nelems
                elif mt.kind in (KIND_ENUM, KIND_ENUM64) and mt.members:
                    fields[mem.name] = mt.members[0].value
                else:
                    raise ELFError(f"map {name!r}: field {mem.name!r} is not a __uint()")
            elif mem.name in ("key", "value"):
                if mt.kind != KIND_PTR:
                    raise ELFError(f"map {name!r}: field {mem.name!r} is not a __type()")
                setattr(m, f"{mem.name}_type_id", mt.ref)
                try:
                    fields[f"{mem.name}_size_btf"] = btf.size_of(mt.ref)
                except BTFError as e:
                    raise ELFError(f"map {name!r}: {mem.name} type has no size ({e})") from None
            elif mem.name == "values":
                if mt.kind != KIND_ARRAY or mt.nelems != 0:
                    raise ELFError(f"map {name!r}: 'values' must be a flexible array")
                elem = btf.resolve(mt.elem_type)
                if elem.kind != KIND_PTR:
                    raise ELFError(f"map {name!r}: 'values' elements must be pointers")
                target = btf.resolve(elem.ref)
                if target.kind == KIND_STRUCT:
                    if inner:
                        raise ELFError(f"map {name!r}: inner maps cannot hold maps")
                    m.inner = self._btf_map_def(f"{name}.inner", elem.ref, inner=True)
                elif target.kind != KIND_FUNC_PROTO:
                    raise ELFError(f"map {name!r}: 'values' must point to a map definition "
                                   "or a function prototype")
                fields["values_offset"] = mem.bit_offset // 8
            else:
                raise ELFError(f"map {name!r}: unknown field {mem.name!r}")
        if "type" not in fields:
            raise ELFError(f"map {name!r}: no map type")
        m.type = fields["type"]
        m.max_entries = fields.get("max_entries", 0)
        m.flags = fields.get("map_flags", 0)
        m.numa_node = fields.get("numa_node", 0)
        m.pinning = fields.get("pinning", 0)
        m.map_extra = fields.get("map_extra", 0)
        for what in ("key", "value"):
            explicit = fields.get(f"{what}_size")
            from_btf = fields.get(f"{what}_size_btf")
            if explicit is not None and from_btf is not None and explicit != from_btf:
                raise ELFError(f"map {name!r}: {what}_size {explicit} disagrees with the "
                               f"size of its __type ({from_btf})")
            setattr(m, f"{what}_size", explicit if explicit is not None else from_btf or 0)
        if m.type in _MAP_IN_MAP:
            if m.inner is None:
                raise ELFError(f"map {name!r}: map-in-map without __array(values, ...)")
            m.value_size = m.value_size or 4
        if m.type == _Mt.BPF_MAP_TYPE_PROG_ARRAY:
            m.value_size = m.value_size or 4
        if m.pinning not in (LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME):
            raise ELFError(f"map {name!r}: unknown pinning {m.pinning}")
        if "values_offset" in fields:
            self._values_offsets[name] = fields["values_offset"]
        return m

    def _legacy_maps(self) -> None:
        sec = self.r.by_name.get("maps")
        if sec is None:
            return
        syms = self._map_symbols(sec.index)
        if not syms:
            return
        size = sec.size // len(syms)
        if size < 20 or sec.size % len(syms):
            raise ELFError(f"legacy 'maps' section: {sec.size} bytes for {len(syms)} maps "
                           "(each needs the 20-byte struct bpf_map_def)")
        for s in syms:
            if s.value + size > sec.size or s.value % size:
                raise ELFError(f"legacy map {s.name!r} at offset {s.value} is not aligned "
                               f"to the {size}-byte definitions in 'maps'")
            raw = sec.data[s.value:s.value + size] if sec.data else bytes(size)
            mtype, ksize, vsize, maxe, flags = struct.unpack_from("<5I", raw)
            if any(raw[20:]):
                raise ELFError(f"legacy map {s.name!r}: unknown non-zero fields after "
                               "struct bpf_map_def")
            self._add_map(MapSpec(s.name, mtype, ksize, vsize, maxe, flags, section="maps"),
                          sec.index, s.value)

    def _data_maps(self) -> None:
        for s in self.r.sections:
            if not _is_data_section(s) or s.size == 0:
                continue
            data = bytearray(s.size) if s.type == SHT_NOBITS else bytearray(s.data)
            readonly = s.name.startswith(".rodata")
            flags = BPF_F_RDONLY_PROG if readonly else 0
            value_type = 0
            if self.btf is not None:
                ds = self.btf.find(s.name, KIND_DATASEC)
                value_type = ds.id if ds is not None else 0
            m = MapSpec(name=s.name, type=int(_Mt.BPF_MAP_TYPE_ARRAY), key_size=4,
                        value_size=s.size, max_entries=1, flags=flags,
                        contents=[(0, data)], section=s.name, freeze=readonly,
                        value_type_id=value_type, btf=self.btf)
            self._add_map(m, s.index, 0)
            self.data_maps[s.index] = s.name

    def _map_initial_values(self) -> None:
        """PROG_ARRAY and map-in-map ``.values = {[i] = &x}``: ABS64 relocations in .maps."""
        sec = self.r.by_name.get(".maps")
        offsets = self._values_offsets
        if sec is None or not offsets:
            return
        starts = {name: off for (shndx, off), name in self.map_by_sym.items()
                  if shndx == sec.index}
        for rel in self.r.relocs.get(sec.index, []):
            owner = max((n for n, o in starts.items() if o <= rel.offset),
                        key=lambda n: starts[n], default=None)
            if owner is None or owner not in offsets:
                raise ELFError(f"relocation at .maps+{rel.offset} is not inside a map's "
                               "'values'")
            base = starts[owner] + offsets[owner]
            if rel.offset < base or (rel.offset - base) % 8:
                raise ELFError(f"map {owner!r}: relocation at .maps+{rel.offset} is not a "
                               "'values' slot")
            index = (rel.offset - base) // 8
            m = self.maps[owner]
            if index >= m.max_entries:
                raise ELFError(f"map {owner!r}: initial value at index {index} is beyond "
                               f"max_entries {m.max_entries}")
            if rel.type != R_BPF_64_ABS64:
                raise ELFError(f"map {owner!r}: initial value uses "
                               f"{RELOC_NAMES[rel.type]}, expected R_BPF_64_ABS64")
            target = rel.sym.name
            if m.type == _Mt.BPF_MAP_TYPE_PROG_ARRAY:
                if rel.sym.type != STT_FUNC:
                    raise ELFError(f"map {owner!r}: initial value {target!r} is not a program")
            elif target not in self.maps:
                raise ELFError(f"map {owner!r}: initial value {target!r} is not a map")
            m.contents.append((index, target))

    # --- code ---

    def _functions(self) -> None:
        r = self.r
        for s in r.sections:
            if s.type != SHT_PROGBITS or not s.flags & SHF_EXECINSTR or s.size == 0:
                continue
            if s.size % isa.INSN_SIZE:
                raise ELFError(f"section {s.name!r}: size {s.size} is not a multiple of 8")
            try:
                insns = isa.decode(s.data)
            except BPFError as e:
                raise ELFError(f"section {s.name!r}: {e.strerror}") from None
            funcs = sorted((sym for sym in r.symbols
                            if sym.shndx == s.index and sym.type == STT_FUNC),
                           key=lambda sym: sym.value)
            if not funcs:
                if s.name != ".text":
                    raise ELFError(f"section {s.name!r} has code but no function symbol")
                continue
            for i, sym in enumerate(funcs):
                if sym.value % 8 or sym.value >= s.size:
                    raise ELFError(f"function {sym.name!r} at offset {sym.value} is outside "
                                   f"section {s.name!r} or misaligned")
                end = sym.value + sym.size if sym.size else (
                    funcs[i + 1].value if i + 1 < len(funcs) else s.size)
                if end > s.size:
                    raise ELFError(f"function {sym.name!r} runs past the end of {s.name!r}")
                start_slot, end_slot = sym.value // 8, end // 8
                body = [ins for ins in insns if start_slot <= ins.pc < end_slot]
                self.functions[(s.index, start_slot)] = _Function(
                    sym.name, s.name, start_slot, end_slot, body)
            self._check_relocs(s, insns)

    def _check_relocs(self, s: _Section, insns: list[isa.Instruction]) -> None:
        by_pc = {i.pc: i for i in insns}
        for rel in self.r.relocs.get(s.index, []):
            what = f"relocation {RELOC_NAMES[rel.type]} at {s.name}+{rel.offset}"
            if rel.offset % 8:
                raise ELFError(f"{what} is not at an instruction boundary")
            ins = by_pc.get(rel.offset // 8)
            if ins is None:
                raise ELFError(f"{what} points into the middle of an LD_IMM64")
            if rel.type == R_BPF_64_64 and ins.code != _LD_IMM64:
                raise ELFError(f"{what} must patch an LD_IMM64, not opcode 0x{ins.code:02x}")
            if rel.type == R_BPF_64_32 and ins.code != _CALL:
                raise ELFError(f"{what} must patch a call, not opcode 0x{ins.code:02x}")
            if rel.type not in (R_BPF_64_64, R_BPF_64_32, R_BPF_NONE):
                raise ELFError(f"{what}: this relocation type cannot patch code")

    def _reloc_at(self, shndx: int, slot: int) -> _Reloc | None:
        rels = self._rel_index
        if rels is None:
            rels = {}
            for idx, lst in self.r.relocs.items():
                for rel in lst:
                    rels[(idx, rel.offset // 8)] = rel
            self._rel_index = rels
        return rels.get((shndx, slot))

    def _func_at(self, shndx: int, slot: int, what: str) -> _Function:
        for (idx, start), fn in self.functions.items():
            if idx == shndx and start <= slot < fn.end:
                if slot != start:
                    raise ELFError(f"{what}: target {fn.section}+{slot * 8} is inside "
                                   f"function {fn.name!r}, not at its start")
                return fn
        sec = self.r.sections[shndx].name if shndx < len(self.r.sections) else str(shndx)
        raise ELFError(f"{what}: no function at {sec}+{slot * 8}")

    def _code_targets(self, fn: _Function) -> Iterator[tuple[isa.Instruction, _Function, str]]:
        """Each call/callback in ``fn`` that leaves it: (insn, target function, kind)."""
        shndx = self._shndx(fn.section)
        for ins in fn.insns:
            rel = self._reloc_at(shndx, ins.pc)
            what = f"{fn.section}+{ins.pc * 8} in {fn.name!r}"
            if ins.code == _CALL and ins.src == isa.BPF_PSEUDO_CALL:
                if rel is not None:
                    sym = rel.sym
                    if sym.shndx == SHN_UNDEF:
                        raise ELFError(f"call to undefined function {sym.name!r} at {what}")
                    target = sym.value // 8 + ins.imm + 1
                    tshndx = sym.shndx
                else:
                    target, tshndx = ins.pc + ins.imm + 1, shndx
                if tshndx == shndx and fn.start <= target < fn.end:
                    continue
                yield ins, self._func_at(tshndx, target, f"call at {what}"), "call"
            elif ins.code == _LD_IMM64 and rel is not None and \
                    rel.sym.shndx < len(self.r.sections) and \
                    self.r.sections[rel.sym.shndx].flags & SHF_EXECINSTR:
                off = rel.sym.value + (ins.imm & 0xFFFFFFFF)
                if off % 8:
                    raise ELFError(f"function pointer at {what} is not instruction-aligned")
                yield ins, self._func_at(rel.sym.shndx, off // 8, f"callback at {what}"), \
                    "func"

    def _link(self, main: _Function) -> ProgramSpec:
        # Order: the program, then every sub-program it reaches, breadth first, each once.
        order = [main]
        base = {id(main): 0}
        size = main.end - main.start
        i = 0
        while i < len(order):
            for _, target, _kind in self._code_targets(order[i]):
                if id(target) not in base:
                    base[id(target)] = size
                    size += target.end - target.start
                    order.append(target)
            i += 1
        map_names: list[str] = list(self.maps)
        map_index = {n: k for k, n in enumerate(map_names)}
        out: list[isa.Instruction] = []
        for fn in order:
            shndx = self._shndx(fn.section)
            fbase = base[id(fn)]
            calls = {id(ins): (t, k) for ins, t, k in self._code_targets(fn)}
            for ins in fn.insns:
                pc = fbase + ins.pc - fn.start
                new = dataclasses.replace(ins, pc=pc)
                hit = calls.get(id(ins))
                if hit is not None:
                    t, kind = hit
                    tpc = base[id(t)]
                    if kind == "call":
                        new = dataclasses.replace(new, imm=tpc - pc - 1)
                    else:
                        new = dataclasses.replace(new, src=isa.BPF_PSEUDO_FUNC,
                                                  imm=(tpc - pc - 1) & 0xFFFFFFFF)
                elif ins.code == _LD_IMM64:
                    rel = self._reloc_at(shndx, ins.pc)
                    if rel is not None:
                        new = self._map_ref(new, rel, map_index, f"{fn.section}+{ins.pc * 8}")
                elif self._reloc_at(shndx, ins.pc) is not None and ins.code == _CALL:
                    raise ELFError(f"relocation on helper call at {fn.section}+{ins.pc * 8}")
                out.append(new)
        prog_type, attach, target = program_type_for_section(main.section)
        spec = ProgramSpec(name=main.name, section=main.section, type=prog_type,
                           expected_attach_type=attach, attach_to=target, instructions=out,
                           license=self.license, kern_version=self.kern_version,
                           map_names=map_names, btf=self.btf,
                           flags=BPF_F_SLEEPABLE if (prog_type == _Pt.BPF_PROG_TYPE_SYSCALL
                                                     or ".s/" in main.section) else 0,
                           subprograms=[(f.name, base[id(f)]) for f in order[1:]])
        if self.btf_ext is not None:
            for fn in order:
                fbase = base[id(fn)] - fn.start
                lo, hi = fn.start * 8, fn.end * 8
                for fi in self.btf_ext.func_info.get(fn.section, []):
                    if lo <= fi.insn_off < hi:
                        spec.func_info.append(FuncInfo(fbase + fi.insn_off // 8, fi.type_id))
                for li in self.btf_ext.line_info.get(fn.section, []):
                    if lo <= li.insn_off < hi:
                        spec.line_info.append(dataclasses.replace(
                            li, insn_off=fbase + li.insn_off // 8))
                for cr in self.btf_ext.core_relos.get(fn.section, []):
                    if lo <= cr.insn_off < hi:
                        spec.core_relos.append(dataclasses.replace(
                            cr, insn_off=fbase + cr.insn_off // 8))
        return spec

    def _map_ref(self, ins: isa.Instruction, rel: _Reloc, map_index: dict[str, int],
                 where: str) -> isa.Instruction:
        sym = rel.sym
        if sym.shndx == SHN_UNDEF:
            raise ELFError(f"LD_IMM64 at {where} refers to extern {sym.name!r}: externs "
                           "(kconfig, ksym) are not supported")
        if sym.shndx >= len(self.r.sections):
            raise ELFError(f"LD_IMM64 at {where} refers to {sym.name!r} in a special section")
        addend = ins.imm & 0xFFFFFFFF
        if sym.shndx in self.data_maps:
            name = self.data_maps[sym.shndx]
            off = sym.value + addend
            if off >= self.maps[name].value_size:
                raise ELFError(f"LD_IMM64 at {where}: offset {off} is outside {name!r} "
                               f"({self.maps[name].value_size} bytes)")
            return dataclasses.replace(ins, src=isa.BPF_PSEUDO_MAP_IDX_VALUE,
                                       imm=map_index[name] | (off << 32))
        key = (sym.shndx, sym.value + (addend if sym.type == STT_SECTION else 0))
        name = self.map_by_sym.get(key)
        if name is None:
            sec = self.r.sections[sym.shndx].name
            raise ELFError(f"LD_IMM64 at {where} refers to {sym.name or sec!r} in section "
                           f"{sec!r}, which is not a map")
        return dataclasses.replace(ins, src=isa.BPF_PSEUDO_MAP_IDX, imm=map_index[name])

    def _variables(self, spec: CollectionSpec) -> None:
        for s in self.r.symbols:
            if s.shndx in self.data_maps and s.type == STT_OBJECT and s.name and s.size:
                type_id = 0
                if self.btf is not None:
                    ds = self.btf.find(self.data_maps[s.shndx], KIND_DATASEC)
                    for si in ds.secinfos if ds else ():
                        var = self.btf[si.type]
                        if var.kind == KIND_VAR and var.name == s.name:
                            type_id = var.ref
                spec.variables[s.name] = VariableSpec(s.name, self.data_maps[s.shndx], s.value,
                                                      s.size, type_id, spec)


def load_elf(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> CollectionSpec:
    """Read a BPF ELF object (a path or its bytes) into a :class:`CollectionSpec`."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise ELFError(f"cannot read {os.fspath(source)!r}: {e.strerror}") from None
    return _Loader(data).load()


# --- loading into a pyebpf runtime --------------------------------------------------


def _typed(btf: BTF | None, type_id: int, raw: bytes) -> object:
    """``raw`` as a Python value of BTF type ``type_id``, or the bytes when untyped."""
    if btf is None or not type_id:
        return bytes(raw)
    try:
        return btf.to_python(type_id, raw)
    except BTFError:
        return bytes(raw)


@dataclass
class MapEntry:
    """One element of a loaded map: the raw bytes and their BTF-typed Python values.

    For per-CPU maps ``value`` is one value per CPU (as the kernel returns them).
    """

    key: bytes
    value: bytes | list[bytes]
    key_typed: object
    value_typed: object


@dataclass
class Collection:
    """A :class:`CollectionSpec` loaded into a pyebpf runtime: live
    :class:`pyebpf.objects.Program` and :class:`pyebpf.objects.Map` objects by name.

    Close it (or use ``with``) to release their fds; an object then lives on
    only while something else (another fd, a pin, a program using a map) holds it.
    """

    programs: dict[str, Program]
    maps: dict[str, Map]
    spec: CollectionSpec = field(repr=False)
    runtime: Runtime = field(repr=False)

    def close(self) -> None:
        for obj in [*self.programs.values(), *self.maps.values()]:
            obj.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def entries(self, name: str) -> list[MapEntry]:
        """The elements of map ``name`` in iteration order, typed through the object's BTF.

        Maps whose elements user space cannot list (ring buffers, queues, stacks,
        bloom filters, prog arrays and map-in-maps hold no readable values) give [].
        """
        m, ms = self.maps[name], self.spec.maps[name]
        if ms.type in _NOT_LISTABLE:
            return []
        out = []
        for key in m:
            try:
                value = m.lookup(key)
            except BPFError:
                continue          # deleted meanwhile, or an empty array slot of fd maps
            if isinstance(value, list):
                typed: object = [_typed(ms.btf, ms.value_type_id, v) for v in value]
            else:
                typed = _typed(ms.btf, ms.value_type_id, value)
            out.append(MapEntry(key, value, _typed(ms.btf, ms.key_type_id, key), typed))
        return out

    def variables(self, map_name: str) -> dict[str, object]:
        """The global variables of a data map (``.data``, ``.bss``, ``.rodata``) as they
        are now in the loaded map, typed through BTF."""
        raw = self.maps[map_name].lookup(0)
        out: dict[str, object] = {}
        for v in self.spec.variables.values():
            if v.map_name == map_name:
                chunk = raw[v.offset:v.offset + v.size]
                out[v.name] = (_typed(self.spec.btf, v.type_id, chunk) if v.type_id
                               else int.from_bytes(chunk, "little") if v.size <= 8 else chunk)
        return out


_NOT_LISTABLE = frozenset(int(t) for t in (
    _Mt.BPF_MAP_TYPE_RINGBUF, _Mt.BPF_MAP_TYPE_USER_RINGBUF, _Mt.BPF_MAP_TYPE_QUEUE,
    _Mt.BPF_MAP_TYPE_STACK, _Mt.BPF_MAP_TYPE_BLOOM_FILTER, _Mt.BPF_MAP_TYPE_PROG_ARRAY,
    _Mt.BPF_MAP_TYPE_ARRAY_OF_MAPS, _Mt.BPF_MAP_TYPE_HASH_OF_MAPS,
    _Mt.BPF_MAP_TYPE_PERF_EVENT_ARRAY))


def load_collection(spec: CollectionSpec, runtime: Runtime | None = None,
                    programs: Iterable[str] | None = None, log_level: int = 0) -> Collection:
    """Load ``spec`` into a pyebpf runtime, in the order libbpf's loader uses.

    1. maps: an inner-map template first for map-in-maps; global data maps
       written with their initial contents, ``.rodata`` frozen afterwards (so the
       verifier may treat its values as constants, as the kernel does);
    2. programs through BPF_PROG_LOAD with ``fd_array`` for the
       ``BPF_PSEUDO_MAP_IDX``/``MAP_IDX_VALUE`` references, the type, expected
       attach type and flags from the section, and the object's license;
    3. PROG_ARRAY and map-in-map initial ``values`` once their targets exist.

    Maps are never pinned (``pinning`` is kept in the spec only).  Each program gets its
    func_info with the object's BTF, as the kernel needs for callbacks; line_info stays in
    the spec.
    """
    from pyebpf.objects import Map, Program
    from pyebpf.runtime import default_runtime

    rt = runtime or default_runtime()
    wanted = None if programs is None else list(programs)
    if wanted is not None:
        unknown = [n for n in wanted if n not in spec.programs]
        if unknown:
            raise ELFError(f"no program {unknown[0]!r} in the object "
                           f"(programs: {', '.join(spec.programs) or 'none'})")
    coll = Collection({}, {}, spec, rt)
    btf_fd = _runtime_btf_load(spec.kernel_btf, rt) if spec.kernel_btf else 0
    try:
        for name, m in spec.maps.items():
            template = None
            if m.inner is not None:
                i = m.inner
                template = Map(i.type, i.key_size, i.value_size, i.max_entries, flags=i.flags,
                               name=kernel_map_name(i.name), map_extra=i.map_extra, runtime=rt)

            def create(with_btf: bool, m: MapSpec = m, name: str = name,
                       template: Map | None = template) -> Map:
                ids = map_btf_ids(m) if with_btf and btf_fd else (0, 0)
                return Map(m.type, m.key_size, m.value_size, m.max_entries, flags=m.flags,
                           name=kernel_map_name(name), inner_map=template,
                           map_extra=m.map_extra, btf_fd=btf_fd if any(ids) else 0,
                           btf_key_type_id=ids[0], btf_value_type_id=ids[1], runtime=rt)
            try:
                live = _with_btf_or_without(create)
            except BPFError as e:
                raise _context(e, f"map {name!r}") from None
            finally:
                if template is not None:
                    template.close()
            coll.maps[name] = live
            if m.is_data:
                live.update(0, bytes(m.data))
                if m.freeze:
                    live.freeze()
        for name, p in spec.programs.items():
            if wanted is not None and name not in wanted:
                continue
            p.check_core_relos()
            p.check_license()
            try:
                # the object's BTF goes with the programs' func_info (callbacks need it)
                coll.programs[name] = Program(
                    p.instructions, p.type, license=p.license, name=kernel_map_name(name),
                    fd_array=[coll.maps[n] for n in p.map_names], prog_flags=p.flags,
                    expected_attach_type=p.expected_attach_type, log_level=log_level,
                    runtime=rt, btf_fd=btf_fd,
                    func_info=[(f.insn_off, f.type_id) for f in p.func_info] if btf_fd else ())
            except BPFError as e:
                raise _context(e, f"program {name!r}") from None
        for name, m in spec.maps.items():
            for key, value in m.contents if not m.is_data else ():
                assert isinstance(key, int) and isinstance(value, str)
                target: Any = (coll.programs.get(value) if m.type == _Mt.BPF_MAP_TYPE_PROG_ARRAY
                               else coll.maps.get(value))
                if target is not None:         # a program not loaded (``programs=``) is skipped
                    coll.maps[name].update(key, target.fd)
    except BaseException:
        coll.close()
        raise
    finally:
        if btf_fd:
            rt.close(btf_fd)    # the maps keep the BTF they use
    return coll


def _context(e: BPFError, what: str) -> BPFError:
    """``e`` with ``what`` in front of its message, same class, errno and log
    (cilium/ebpf's ``%w`` wrapping), so callers still catch VerifierError by type."""
    e.strerror = f"{what}: {e.strerror or os.strerror(e.errno or errno.EINVAL)}"
    if hasattr(e, "reason"):
        e.reason = f"{what}: {e.reason}"
    return e


# --- loading into the live kernel ---------------------------------------------------


@dataclass
class KernelCollection:
    """A :class:`CollectionSpec` loaded into the live kernel (``pyebpf.kernel``):
    the differential tests' oracle.  Close it (or use ``with``) to release the fds."""

    programs: dict[str, object]
    maps: dict[str, object]

    def close(self) -> None:
        for obj in [*self.programs.values(), *self.maps.values()]:
            obj.close()  # type: ignore[attr-defined]

    def __enter__(self) -> KernelCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KernelProgramWithBTF:
    """A program loaded into the live kernel with its BTF func_info and line_info
    (which the kernel requires for callbacks and global functions)."""

    def __init__(self, p: ProgramSpec, fd_array: list[int], btf_fd: int,
                 log_level: int = 1) -> None:
        import ctypes

        from pyebpf import kernel, uapi

        code = p.bytecode
        insns = ctypes.create_string_buffer(code, len(code))
        lic = ctypes.create_string_buffer((p.license or "").encode())
        fds = (ctypes.c_int32 * max(len(fd_array), 1))(*fd_array)
        log = ctypes.create_string_buffer(1 << 20)
        fi = b"".join(struct.pack("<II", f.insn_off, f.type_id) for f in p.func_info)
        li = b"".join(struct.pack("<IIII", x.insn_off, x.file_name_off, x.line_off,
                                  (x.line_num << 10) | x.line_col) for x in p.line_info)
        fi_buf = ctypes.create_string_buffer(fi, max(len(fi), 1))
        li_buf = ctypes.create_string_buffer(li, max(len(li), 1))
        attr = uapi.BpfAttr()
        attr.prog_type, attr.insn_cnt = p.type, len(code) // 8
        attr.insns, attr.license = ctypes.addressof(insns), ctypes.addressof(lic)
        attr.prog_name = p.name.encode()[:15]
        attr.expected_attach_type = p.expected_attach_type
        attr.kern_version = p.kern_version
        attr.fd_array = ctypes.addressof(fds)
        if btf_fd >= 0 and p.func_info:
            attr.prog_btf_fd = btf_fd
            attr.func_info_rec_size, attr.func_info_cnt = 8, len(p.func_info)
            attr.func_info = ctypes.addressof(fi_buf)
            attr.line_info_rec_size, attr.line_info_cnt = 16, len(p.line_info)
            attr.line_info = ctypes.addressof(li_buf) if p.line_info else 0
        if log_level:  # the kernel refuses a log buffer with log_level 0 (EINVAL)
            attr.log_level, attr.log_buf, attr.log_size = log_level, ctypes.addressof(log),\
                len(log)
        attr.prog_flags = p.flags
        self.prog_type = p.type
        self.fd = -1
        try:
            self.fd = kernel.sys_bpf(uapi.BpfCmd.BPF_PROG_LOAD, attr)
        except BPFError as e:
            from pyebpf.errors import VerifierError

            text = log.value.decode(errors="replace")
            lines = [ln for ln in text.splitlines()
                     if ln.strip() and not ln.startswith(("processed ", "verification time"))]
            raise VerifierError(f"kernel refused {p.name!r}: {lines[-1] if lines else e}",
                                log=text, err=e.errno or errno.EINVAL) from None
        self.log = log.value.decode(errors="replace")

    def test_run(self, data_in: bytes | None = None, ctx_in: bytes | None = None,
                 **kwargs: int) -> object:
        from pyebpf import kernel

        return kernel.test_run(self.fd, data_in, ctx_in, **kwargs)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.close()


def _kernel_btf_load(raw: bytes) -> int:
    import ctypes

    from pyebpf import kernel, uapi

    buf = ctypes.create_string_buffer(raw, len(raw))
    log = ctypes.create_string_buffer(1 << 16)
    attr = uapi.BpfAttr()
    attr.btf, attr.btf_size = ctypes.addressof(buf), len(raw)
    attr.btf_log_buf, attr.btf_log_size, attr.btf_log_level = ctypes.addressof(log), len(log), 1
    try:
        return kernel.sys_bpf(uapi.BpfCmd.BPF_BTF_LOAD, attr)
    except BPFError as e:
        raise BTFError(f"kernel refused the object's BTF: "
                       f"{log.value.decode(errors='replace').strip() or e}") from None


def _runtime_btf_load(raw: bytes, rt: Runtime) -> int:
    """BPF_BTF_LOAD of the object's BTF into ``rt`` (the maps' key and value types); 0
    when the runtime refuses it: as libbpf does, the maps are then made without BTF."""
    import ctypes

    from pyebpf import uapi
    from pyebpf.syscall import bpf

    buf = ctypes.create_string_buffer(raw, len(raw))
    attr = uapi.BpfAttr()
    attr.btf, attr.btf_size = ctypes.addressof(buf), len(raw)
    try:
        return bpf(uapi.BpfCmd.BPF_BTF_LOAD, attr, runtime=rt)
    except BPFError:
        return 0


def map_btf_ids(m: MapSpec) -> tuple[int, int]:
    """The (key, value) BTF type ids libbpf gives BPF_MAP_CREATE for ``m``: the
    ``__type``s of a BTF-defined map, the DATASEC of a global data map, none otherwise."""
    if m.is_data:
        return 0, m.value_type_id
    if m.value_type_id and m.inner is None:
        return m.key_type_id, m.value_type_id
    return 0, 0


def _with_btf_or_without(create: Callable[[bool], T]) -> T:
    """Create with BTF, and as libbpf does, once more without it when the BTF is refused
    (bpf_object__create_map's "Retrying without BTF")."""
    try:
        return create(True)
    except BPFError as e:
        if e.errno in (errno.EINVAL, errno.EOPNOTSUPP, errno.EACCES, 524):
            return create(False)
        raise


def kernel_map_name(name: str) -> str:
    """A map name the kernel accepts (alnum, ``_`` and ``.``, at most 15 bytes)."""
    clean = "".join(c if c.isalnum() or c in "_." else "_" for c in name)
    return clean[:15]


def load_into_kernel(spec: CollectionSpec, programs: list[str] | None = None,
                     log_level: int = 1) -> KernelCollection:
    """Create ``spec``'s maps and load its programs (all, or those named) in the live kernel.

    Works as libbpf's loader does: inner map templates first, global data
    written and ``.rodata`` frozen, programs loaded with ``fd_array`` for the
    ``BPF_PSEUDO_MAP_IDX`` references, then PROG_ARRAY and map-in-map initial
    values filled in.  Maps are never pinned.  ``log_level`` is the verifier's (each
    program's log is its ``log``).
    """
    from pyebpf import kernel

    coll = KernelCollection({}, {})
    btf_fd = _kernel_btf_load(spec.kernel_btf) if spec.kernel_btf else -1
    try:
        for name, m in spec.maps.items():
            inner_fd = 0
            template = None
            if m.inner is not None:
                i = m.inner
                template = kernel.KernelMap(i.type, i.key_size, i.value_size, i.max_entries,
                                            map_flags=i.flags, name=kernel_map_name(i.name))
                inner_fd = template.fd
            def create(with_btf: bool, m: MapSpec = m, name: str = name,
                       inner_fd: int = inner_fd) -> kernel.KernelMap:
                ids = map_btf_ids(m) if with_btf and btf_fd >= 0 else (0, 0)
                return kernel.KernelMap(m.type, m.key_size, m.value_size, m.max_entries,
                                        map_flags=m.flags, name=kernel_map_name(name),
                                        inner_map_fd=inner_fd, map_extra=m.map_extra,
                                        btf_fd=btf_fd if any(ids) else 0,
                                        btf_key_type_id=ids[0], btf_value_type_id=ids[1])
            try:
                km = _with_btf_or_without(create)
            finally:
                if template is not None:
                    template.close()
            coll.maps[name] = km
            if m.is_data:
                km.update(b"\0\0\0\0", bytes(m.data))
                if m.freeze:
                    km.freeze()
        fds = {n: km.fd for n, km in coll.maps.items()}  # type: ignore[attr-defined]
        for name, p in spec.programs.items():
            if programs is not None and name not in programs:
                continue
            p.check_core_relos()
            coll.programs[name] = KernelProgramWithBTF(p, p.fd_array(fds), btf_fd, log_level)
        for name, m in spec.maps.items():
            for key, value in m.contents if not m.is_data else ():
                assert isinstance(key, int)
                target = coll.programs.get(value) if m.type == _Mt.BPF_MAP_TYPE_PROG_ARRAY \
                    else coll.maps.get(value)  # type: ignore[arg-type]
                if target is not None:
                    coll.maps[name].update(key.to_bytes(m.key_size, "little"),  # type: ignore
                                           target.fd.to_bytes(4, "little"))  # type: ignore
    except BaseException:
        coll.close()
        raise
    finally:
        if btf_fd >= 0:
            os.close(btf_fd)
    return coll
