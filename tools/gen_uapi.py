#!/usr/bin/env python3
"""Generate ``pyebpf/uapi.py`` from the kernel's UAPI header ``<linux/bpf.h>``.

Why a generator: every number in the UAPI (command numbers, map and program types, flags, helper
ids, structure layouts) must be the kernel's own, and retyping ~600 values by hand is how they
drift. This script reads the installed header (``/usr/include/linux/bpf.h`` by default), parses
its enums, ``#define`` constants, the helper list of ``__BPF_FUNC_MAPPER`` and the structures
pyebpf needs, and writes a ctypes mirror. ``tests/test_uapi.py`` then checks the generated sizes
and offsets against the C compiler's view of the same header.

The installed header may be older than the running kernel. The few values added upstream after
it are listed in ``LATER`` below (enum constants only: structure layouts always come from the
header, so they stay checkable); they are appended only when the header lacks them.

Usage: ``python tools/gen_uapi.py [--header /usr/include/linux/bpf.h] [--out pyebpf/uapi.py]``
(``--check`` exits 1 when the committed file differs from what the header gives).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import operator
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Values added to include/uapi/linux/bpf.h after Linux 6.1 (the installed header), up to 6.18.
LATER: dict[str, list[tuple[str, int]]] = {
    "bpf_cmd": [("BPF_TOKEN_CREATE", 36), ("BPF_PROG_STREAM_READ_BY_FD", 37)],
    "bpf_map_type": [("BPF_MAP_TYPE_CGRP_STORAGE", 32), ("BPF_MAP_TYPE_ARENA", 33)],
    "bpf_prog_type": [("BPF_PROG_TYPE_NETFILTER", 32)],
    "bpf_attach_type": [
        ("BPF_STRUCT_OPS", 44), ("BPF_NETFILTER", 45), ("BPF_TCX_INGRESS", 46),
        ("BPF_TCX_EGRESS", 47), ("BPF_TRACE_UPROBE_MULTI", 48), ("BPF_CGROUP_UNIX_CONNECT", 49),
        ("BPF_CGROUP_UNIX_SENDMSG", 50), ("BPF_CGROUP_UNIX_RECVMSG", 51),
        ("BPF_CGROUP_UNIX_GETPEERNAME", 52), ("BPF_CGROUP_UNIX_GETSOCKNAME", 53),
        ("BPF_NETKIT_PRIMARY", 54), ("BPF_NETKIT_PEER", 55), ("BPF_TRACE_KPROBE_SESSION", 56),
        ("BPF_TRACE_UPROBE_SESSION", 57),
    ],
    "bpf_link_type": [
        ("BPF_LINK_TYPE_NETFILTER", 10), ("BPF_LINK_TYPE_TCX", 11),
        ("BPF_LINK_TYPE_UPROBE_MULTI", 12), ("BPF_LINK_TYPE_NETKIT", 13),
        ("BPF_LINK_TYPE_SOCKMAP", 14),
    ],
    "helpers": [("cgrp_storage_get", 210), ("cgrp_storage_delete", 211)],
    "map_flags": [
        ("BPF_F_LINK", 1 << 13), ("BPF_F_PATH_FD", 1 << 14), ("BPF_F_VTYPE_BTF_OBJ_FD", 1 << 15),
        ("BPF_F_TOKEN_FD", 1 << 16), ("BPF_F_SEGV_ON_FAULT", 1 << 17),
        ("BPF_F_NO_USER_CONV", 1 << 18),
    ],
}

# enum name in the header -> (Python class, base, docstring)
ENUMS = {
    "bpf_cmd": ("BpfCmd", "IntEnum", "``enum bpf_cmd``: the first argument of bpf(2)."),
    "bpf_map_type": ("BpfMapType", "IntEnum", "``enum bpf_map_type``."),
    "bpf_prog_type": ("BpfProgType", "IntEnum", "``enum bpf_prog_type``."),
    "bpf_attach_type": ("BpfAttachType", "IntEnum", "``enum bpf_attach_type``."),
    "bpf_link_type": ("BpfLinkType", "IntEnum", "``enum bpf_link_type``."),
    "bpf_stats_type": ("BpfStatsType", "IntEnum", "``enum bpf_stats_type`` (ENABLE_STATS)."),
    "xdp_action": ("XdpAction", "IntEnum", "``enum xdp_action``: what an XDP program returns."),
}
# anonymous enums, identified by their first constant -> (Python class, base, docstring)
ANON_ENUMS = {
    "BPF_ANY": ("BpfUpdateFlags", "IntFlag", "Flags of MAP_UPDATE_ELEM (and the lookup's F_LOCK)."),
    "BPF_F_NO_PREALLOC": ("BpfMapFlags", "IntFlag", "``map_flags`` of BPF_MAP_CREATE."),
}
# defines grouped into IntFlag classes: first constant -> (Python class, prefix-run, docstring)
DEFINE_GROUPS = {
    "BPF_F_STRICT_ALIGNMENT": ("BpfProgLoadFlags", "``prog_flags`` of BPF_PROG_LOAD."),
    "BPF_F_ALLOW_OVERRIDE": ("BpfAttachFlags", "``attach_flags`` of BPF_PROG_ATTACH."),
    "BPF_F_TEST_RUN_ON_CPU": ("BpfTestRunFlags", "``flags`` of BPF_PROG_TEST_RUN."),
}

# struct name in the header -> Python class name
STRUCTS = {
    "bpf_insn": "BpfInsn",
    "bpf_lpm_trie_key": "BpfLpmTrieKey",
    "__sk_buff": "SkBuff",
    "xdp_md": "XdpMd",
    "bpf_sock": "BpfSock",
    "bpf_sock_addr": "BpfSockAddr",
    "bpf_sock_ops": "BpfSockOps",
    "bpf_sockopt": "BpfSockopt",
    "bpf_sysctl": "BpfSysctl",
    "bpf_cgroup_dev_ctx": "BpfCgroupDevCtx",
    "sk_msg_md": "SkMsgMd",
    "sk_reuseport_md": "SkReuseportMd",
    "bpf_sk_lookup": "BpfSkLookup",
    "bpf_flow_keys": "BpfFlowKeys",
    "bpf_prog_info": "BpfProgInfo",
    "bpf_map_info": "BpfMapInfo",
    "bpf_btf_info": "BpfBtfInfo",
    "bpf_link_info": "BpfLinkInfo",
    "bpf_func_info": "BpfFuncInfo",
    "bpf_line_info": "BpfLineInfo",
    "bpf_spin_lock": "BpfSpinLock",
}
# union bpf_attr: anonymous members are named after the command(s) that use them, identified by
# their first field; named members (``batch``, ``test``, ...) are named after the member.
ATTR_ANON = {
    "map_type": "MapCreate",
    "map_fd": "MapElem",
    "prog_type": "ProgLoad",
    "pathname": "Obj",
    "target_fd": "ProgAttach",
    "start_id": "GetId",
    "btf": "BtfLoad",
}

ATTR_NAMED = {"batch": "MapBatch", "test": "TestRun", "info": "InfoByFd", "query": "ProgQuery"}

CTYPES = {
    "__u8": "c_uint8", "__u16": "c_uint16", "__u32": "c_uint32", "__u64": "c_uint64",
    "__s8": "c_int8", "__s16": "c_int16", "__s32": "c_int32", "__s64": "c_int64",
    "__be16": "c_uint16", "__be32": "c_uint32", "__be64": "c_uint64",
    "__le16": "c_uint16", "__le32": "c_uint32", "__le64": "c_uint64",
    "__sum16": "c_uint16", "__wsum": "c_uint32",
    "__aligned_u64": "c_uint64", "char": "c_char", "unsigned char": "c_uint8",
    "int": "c_int32", "unsigned int": "c_uint32",
}

_BINOPS = {
    ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_, ast.Add: operator.add, ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}


def c_eval(expr: str, env: dict[str, int]) -> int | None:
    """Evaluate a C integer constant expression, or None if it is not one we understand."""
    expr = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expr.strip())
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return None

    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in env:
            return env[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return ~ev(node.operand)
        raise ValueError(expr)

    try:
        return ev(tree)
    except (ValueError, KeyError):
        return None


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse_defines(text: str, env: dict[str, int]) -> list[tuple[str, int]]:
    """Object-like ``#define NAME value`` with an integer value, in header order."""
    out = []
    for m in re.finditer(r"^#define\s+(\w+)[ \t]+([^\n\\]+)$", text, flags=re.M):
        value = c_eval(m.group(2), env)
        if value is not None:
            env[m.group(1)] = value
            out.append((m.group(1), value))
    return out


def parse_enums(text: str, env: dict[str, int]) -> list[tuple[str | None, list[tuple[str, int]]]]:
    """Every ``enum [name] { ... };`` of the header, values resolved, in header order."""
    out = []
    for m in re.finditer(r"\benum\s+(\w+)?\s*\{(.*?)\}", text, flags=re.S):
        value = -1
        members = []
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            if expr:
                resolved = c_eval(expr, env)
                if resolved is None:
                    raise SystemExit(f"cannot evaluate {item!r} in enum {m.group(1)}")
                value = resolved
            else:
                value += 1
            env[name] = value
            members.append((name, value))
        out.append((m.group(1), members))
    return out


def parse_helpers(text: str) -> list[tuple[str, int]]:
    """The helper list of ``__BPF_FUNC_MAPPER``: numbered by position, or by FN(name, id)."""
    m = re.search(r"#define __BPF_FUNC_MAPPER\(FN\)(.*?)\n\s*\n", text, flags=re.S)
    if m is None:  # newer headers: ___BPF_FUNC_MAPPER(FN, ctx...)
        m = re.search(r"#define ___BPF_FUNC_MAPPER\(FN, ctx\.\.\.\)(.*?)\n\s*\n", text, re.S)
    assert m is not None, "helper list not found"
    out = []
    for i, fm in enumerate(re.finditer(r"FN\((\w+)(?:,\s*(\d+))?", m.group(1))):
        out.append((fm.group(1), int(fm.group(2)) if fm.group(2) else i))
    return out


# ---------------------------------------------------------------------------- structures

@dataclass
class Member:
    """One member of a C aggregate: a scalar/array/bitfield, or a nested aggregate."""

    name: str | None
    ctype: str | None = None          # ctypes name for scalars
    dims: list[int] = field(default_factory=list)
    bits: int | None = None
    agg: Aggregate | None = None      # nested aggregate (anonymous or not)
    ref: str | None = None            # named struct referenced by type


@dataclass
class Aggregate:
    kind: str                          # "struct" | "union"
    members: list[Member] = field(default_factory=list)


TOKEN = re.compile(r"\w+|[{}\[\]();:,*]|\S")


class StructParser:
    """A recursive-descent parser for the aggregate declarations of the UAPI header."""

    def __init__(self, body: str, env: dict[str, int]) -> None:
        self.toks = TOKEN.findall(body)
        self.i = 0
        self.env = env

    def peek(self, k: int = 0) -> str:
        return self.toks[self.i + k]

    def take(self, expect: str | None = None) -> str:
        tok = self.toks[self.i]
        if expect is not None and tok != expect:
            raise SystemExit(f"parse error: expected {expect!r}, got {tok!r} near "
                             f"{' '.join(self.toks[max(0, self.i - 8):self.i + 8])}")
        self.i += 1
        return tok

    def skip_attribute(self) -> None:
        while self.i < len(self.toks) and self.peek() == "__attribute__":
            self.take()
            depth = 0
            while True:
                tok = self.take()
                depth += tok == "("
                depth -= tok == ")"
                if depth == 0:
                    break

    def aggregate(self, kind: str) -> Aggregate:
        agg = Aggregate(kind)
        self.take("{")
        while self.peek() != "}":
            agg.members.extend(self.member())
        self.take("}")
        self.skip_attribute()
        return agg

    def member(self) -> list[Member]:
        tok = self.peek()
        if tok == "__bpf_md_ptr":     # union { T name; __u64 :64; } aligned(8): a u64 slot
            self.take()
            self.take("(")
            while self.peek() != ",":
                self.take()
            self.take(",")
            name = self.take()
            self.take(")")
            self.take(";")
            return [Member(name, "c_uint64")]
        if tok in ("struct", "union") and self.peek(1) == "{":
            self.take()
            agg = self.aggregate(tok)
            name = None if self.peek() == ";" else self.take()
            self.take(";")
            return [Member(name, agg=agg)]
        if tok in ("struct", "union"):
            self.take()
            ref = self.take()
            name = self.take()
            self.take(";")
            return [Member(name, ref=ref)]
        words = []
        while self.peek() not in (";", ":", "[") and not (
                self.peek(1) in (";", ":", "[", ",") and words):
            words.append(self.take())
        base = " ".join(words)
        if base not in CTYPES:
            raise SystemExit(f"unknown C type {base!r}")
        out = []
        while True:
            name = None if self.peek() == ":" else self.take()
            dims = []
            while self.peek() == "[":
                self.take()
                expr = []
                while self.peek() != "]":
                    expr.append(self.take())
                self.take("]")
                value = c_eval(" ".join(expr), self.env)
                if value is None:
                    raise SystemExit(f"cannot evaluate array size {' '.join(expr)!r}")
                dims.append(value)
            bits = None
            if self.peek() == ":":
                self.take()
                bits = int(self.take())
            out.append(Member(name, CTYPES[base], dims, bits))
            if self.take() == ";":
                return out


def find_aggregate(text: str, kind: str, name: str, env: dict[str, int]) -> Aggregate:
    m = re.search(rf"^{kind}\s+{re.escape(name)}\s*\{{", text, flags=re.M)
    if m is None:
        raise SystemExit(f"{kind} {name} not found in the header")
    parser = StructParser(text[m.end() - 1:], env)
    return parser.aggregate(kind)


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.strip("_").split("_"))


def first_leaf(agg: Aggregate) -> str:
    m = agg.members[0]
    return first_leaf(m.agg) if m.agg is not None and m.name is None else str(m.name)


class Emitter:
    """Turns parsed aggregates into ctypes class definitions (nested classes first)."""

    def __init__(self, known: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.known = known

    def emit(self, cls: str, agg: Aggregate, doc: str,
             names: dict[int, tuple[str, str]] | None = None) -> None:
        fields = []
        anonymous = []
        pad = 0
        prev_bits_type = None
        for idx, m in enumerate(agg.members):
            if m.agg is not None:
                if names and idx in names:
                    sub_cls, member_name = names[idx]
                    sub_doc = f"Member of ``union bpf_attr`` for {sub_cls[len('BpfAttr'):]}."
                    sub_anon = m.name is None
                else:
                    suffix = camel(m.name) if m.name else f"{m.agg.kind.capitalize()}{idx}"
                    sub_cls = f"_{cls.lstrip('_')}{suffix}"
                    member_name = m.name or f"_{m.agg.kind}{idx}"
                    sub_doc = f"Nested {m.agg.kind} of {cls}."
                    sub_anon = m.name is None
                self.emit(sub_cls, m.agg, sub_doc)
                fields.append(f"(\"{member_name}\", {sub_cls})")
                if sub_anon:
                    anonymous.append(member_name)
                prev_bits_type = None
                continue
            if m.ref is not None:
                fields.append(f"(\"{m.name}\", {self.known[m.ref]})")
                prev_bits_type = None
                continue
            ctype = f"ctypes.{m.ctype}"
            for dim in reversed(m.dims):
                ctype = f"{ctype} * {dim}"
            if m.bits is None:
                fields.append(f"(\"{m.name}\", {ctype})")
                prev_bits_type = None
            elif m.name is not None:
                fields.append(f"(\"{m.name}\", {ctype}, {m.bits})")
                prev_bits_type = m.ctype
            elif prev_bits_type == m.ctype:   # padding inside a run of bitfields
                fields.append(f"(\"_pad{pad}\", {ctype}, {m.bits})")
                pad += 1
            else:                              # a padding bitfield after a plain member
                assert m.bits % 8 == 0, m
                fields.append(f"(\"_pad{pad}\", ctypes.c_uint8 * {m.bits // 8})")
                pad += 1
                prev_bits_type = None
        base = "ctypes.Structure" if agg.kind == "struct" else "ctypes.Union"
        self.lines.append("")
        self.lines.append("")
        self.lines.append(f"class {cls}({base}):")
        self.lines.append(f"    \"\"\"{doc}\"\"\"")
        self.lines.append("")
        if anonymous:
            self.lines.append("    _anonymous_ = (")
            self.lines += [f"        {a!r}," for a in anonymous]
            self.lines.append("    )")
        self.lines.append("    _fields_ = [")
        for f in fields:
            self.lines.append(f"        {f},")
        self.lines.append("    ]")


# ---------------------------------------------------------------------------- output

def enum_class(cls: str, base: str, doc: str, members: list[tuple[str, int]]) -> list[str]:
    lines = ["", "", f"class {cls}(enum.{base}):", f"    \"\"\"{doc}\"\"\"", ""]
    lines += [f"    {name} = {value}" for name, value in members]
    return lines


def generate(header: Path) -> str:
    raw = header.read_text()
    text = strip_comments(raw)
    env: dict[str, int] = {}
    # the UAPI proper starts at enum bpf_cmd: before it are the instruction encoding constants,
    # which pyebpf.isa owns.
    start = text.index("enum bpf_cmd {")
    head_env: dict[str, int] = {}
    parse_defines(text[:start], head_env)
    parse_enums(text[:start], head_env)
    env.update(head_env)
    defines = parse_defines(text[start:], env)
    enums = parse_enums(text[start:], env)
    # enums must be resolved after defines and vice versa in header order; a second pass settles
    # defines that refer to enum constants.
    defines = parse_defines(text[start:], env)
    helpers = parse_helpers(raw)
    helper_names = {n for n, _ in helpers}
    helpers += [(n, v) for n, v in LATER["helpers"] if n not in helper_names]

    import pyebpf.isa as isa  # generation-time only: isa owns the encoding constants

    src = f"{header} (sha256 {header_digest(header)})"

    out = [
        "# Generated by tools/gen_uapi.py: do not edit.",
        "# Source: " + src,
        "# Rebuild: python tools/gen_uapi.py  (tests/test_uapi.py checks it is current and that",
        "# every size and offset matches the C compiler's view of the header).",
        '"""The kernel UAPI of ``include/uapi/linux/bpf.h`` as Python.',
        "",
        "Enums (``BpfCmd``, ``BpfMapType``, ``BpfProgType``, ``BpfAttachType``, ``BpfFunc``",
        "...) keep the kernel's names and numbers; flags are ``IntFlag`` classes and module",
        "constants; the structures are ctypes mirrors laid out exactly as the kernel's, so a",
        "``BpfAttr`` can be passed to the real ``bpf(2)`` or to pyebpf's ``bpf()`` unchanged.",
        "Constants newer than the installed header (listed in tools/gen_uapi.py ``LATER``) are",
        "included for completeness; structure layouts are the header's.",
        '"""',
        "",
        "import ctypes",
        "import enum",
    ]
    by_name = {name: members for name, members in enums if name}
    for cname, (cls, base, doc) in ENUMS.items():
        members = [(n, v) for n, v in by_name[cname] if not n.startswith(("__", "MAX_"))]
        have = {n for n, _ in members}
        members += [(n, v) for n, v in LATER.get(cname, []) if n not in have]
        out += enum_class(cls, base, doc, members)
    anon_consts: list[tuple[str, int]] = []
    for name, members in enums:
        if name is None:
            anon_consts += members
            if members and members[0][0] in ANON_ENUMS:
                cls, base, doc = ANON_ENUMS[members[0][0]]
                extra = LATER["map_flags"] if cls == "BpfMapFlags" else []
                have = {n for n, _ in members}
                out += enum_class(cls, base, doc,
                                  members + [(n, v) for n, v in extra if n not in have])
    # IntFlag groups of consecutive BPF_F_* defines
    names = [n for n, _ in defines]
    for first, (cls, doc) in DEFINE_GROUPS.items():
        i = names.index(first)
        group = [defines[i]]
        for n, v in defines[i + 1:]:
            if not n.startswith("BPF_F_") or v <= group[-1][1]:
                break
            group.append((n, v))
        out += enum_class(cls, "IntFlag", doc, group)
    out += ["", "", "# The helper ids of __BPF_FUNC_MAPPER (kernel numbering).",
            "BpfFunc = enum.IntEnum(\"BpfFunc\", ["]
    out += [f"    (\"BPF_FUNC_{n}\", {v})," for n, v in helpers]
    out += ["])", "BpfFunc.__doc__ = \"``enum bpf_func_id``: helper ids, as ``BPF_FUNC_<name>``.\""]

    # module constants: every integer define and anonymous enum constant of the UAPI part
    consts: dict[str, int] = {}
    for n, v in defines + anon_consts + LATER["map_flags"]:
        if n.startswith("__") or hasattr(isa, n):
            continue
        consts.setdefault(n, v)
    tc_env: dict[str, int] = {}
    pkt_cls = header.parent / "pkt_cls.h"
    tc = [(n, v) for n, v in parse_defines(strip_comments(pkt_cls.read_text()), tc_env)
          if n.startswith("TC_ACT_") and n != "TC_ACT_VALUE_MAX"
          and not n.startswith("TC_ACT_EXT")]
    out += enum_class("TcAct", "IntEnum",
                      "``TC_ACT_*`` of <linux/pkt_cls.h>: what a tc program returns.", tc)
    out += ["", "", "# Integer constants of the UAPI (defines and anonymous enums), by name."]
    out += [f"{n} = {v:#x}" if v > 9 else f"{n} = {v}" for n, v in consts.items()]
    out += [f"{n} = {v}" for n, v in tc]

    # structures
    known: dict[str, str] = {}
    em = Emitter(known)
    for sname, cls in STRUCTS.items():
        agg = find_aggregate(text, "struct", sname, env)
        em.emit(cls, agg, f"``struct {sname}``.")
        known[sname] = cls
    attr = find_aggregate(text, "union", "bpf_attr", env)
    attr_names: dict[int, tuple[str, str]] = {}
    for idx, m in enumerate(attr.members):
        assert m.agg is not None
        if m.name is None:
            key = first_leaf(m.agg)
            if key not in ATTR_ANON:
                raise SystemExit(f"union bpf_attr: unknown anonymous member starting {key!r}")
            suffix = ATTR_ANON[key]
            member = "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", suffix).lower()
        else:
            suffix, member = ATTR_NAMED.get(m.name, camel(m.name)), m.name
        attr_names[idx] = (f"BpfAttr{suffix}", member)
    em.emit("BpfAttr", attr, "``union bpf_attr``: the second argument of bpf(2).", attr_names)
    out += em.lines
    out += ["", "", "# C type name -> ctypes mirror (the layout test walks this).", "C_TYPES = {"]
    out += [f"    \"struct {n}\": {c}," for n, c in STRUCTS.items()]
    out += ["    \"union bpf_attr\": BpfAttr,", "}"]
    out += ["", "", "# Sizes the kernel checks against (bpf_check_uarg_tail_zero and friends).",
            "BPF_ATTR_SIZE = ctypes.sizeof(BpfAttr)",
            "BPF_INSN_SIZE = ctypes.sizeof(BpfInsn)", ""]
    return "\n".join(out)


def header_digest(header: Path) -> str:
    """Identifies the header a generated file came from (the currency test compares it)."""
    return hashlib.sha256(header.read_bytes()).hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", type=Path, default=Path("/usr/include/linux/bpf.h"))
    ap.add_argument("--out", type=Path, default=ROOT / "pyebpf" / "uapi.py")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = generate(args.header)
    if args.check:
        return 0 if args.out.read_text() == text else 1
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
