"""BTF and BTF.ext: the type information clang emits with ``-g`` for BPF objects.

The ELF loader needs BTF for three things: BTF-defined maps (``.maps`` is a
DATASEC whose variables are anonymous structs describing each map), typed map
keys and values (so the command line can print ``{"src": "10.0.0.1"}``-like
values instead of hex), and source lines (``.BTF.ext`` line_info) for the
disassembly and the verifier log.  The format is the kernel's
(``include/uapi/linux/btf.h``, ``Documentation/bpf/btf.rst``); this module
parses it into plain Python values and never trusts a length or an index it
has not checked, so a corrupt section gives :class:`BTFError`, never a crash.
"""

from __future__ import annotations

import errno
import struct
from dataclasses import dataclass, field

from pyebpf.errors import BPFError

BTF_MAGIC = 0xEB9F

# enum btf_kind (include/uapi/linux/btf.h)
KIND_NAMES = (
    "UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
    "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC",
    "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
)
(KIND_INT, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_FWD, KIND_TYPEDEF,
 KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC,
 KIND_FLOAT, KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64) = range(1, 20)

INT_SIGNED, INT_CHAR, INT_BOOL = 1, 2, 4

# Kinds that only qualify or rename another type: skipped when resolving.
_MODIFIERS = frozenset({KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG})
_MAX_RESOLVE_DEPTH = 32


class BTFError(BPFError):
    """Malformed BTF or BTF.ext (EINVAL, as the kernel's BTF_LOAD answers)."""

    def __init__(self, message: str, err: int = errno.EINVAL) -> None:
        super().__init__(err, f"BTF: {message}")


def _u32(value: int, what: str) -> int:
    """``value`` as a BTF size or offset field, which holds 32 bits."""
    if not 0 <= value <= 0xFFFFFFFF:
        raise BTFError(f"{what}: {value} does not fit a 32-bit BTF size/offset", errno.E2BIG)
    return value


@dataclass
class Member:
    """A struct/union member, an enum value or a function parameter."""

    name: str
    type: int = 0          # type id (struct/union members, params)
    bit_offset: int = 0    # struct/union members
    bitfield_size: int = 0
    value: int = 0         # enum values


@dataclass
class SecInfo:
    """One variable of a DATASEC."""

    type: int
    offset: int
    size: int


@dataclass
class Type:
    """One BTF type.  ``size`` is meaningful for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT,
    ``ref`` for PTR/TYPEDEF/modifiers/FUNC/VAR/FUNC_PROTO (return type)."""

    id: int
    kind: int
    name: str = ""
    size: int = 0
    ref: int = 0
    kind_flag: bool = False
    vlen: int = 0
    encoding: int = 0          # INT
    bits: int = 0              # INT
    int_offset: int = 0        # INT
    elem_type: int = 0         # ARRAY
    index_type: int = 0        # ARRAY
    nelems: int = 0            # ARRAY
    linkage: int = 0           # VAR, FUNC
    component_idx: int = -1    # DECL_TAG
    offset: int = 0            # byte offset of its record in the type section
    members: list[Member] = field(default_factory=list)
    secinfos: list[SecInfo] = field(default_factory=list)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind] if self.kind < len(KIND_NAMES) else str(self.kind)


class _Reader:
    """Bounds-checked little-endian reads over a buffer."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.what = what

    def unpack(self, fmt: str, off: int) -> tuple[int, ...]:
        size = struct.calcsize(fmt)
        if off < 0 or off + size > len(self.data):
            raise BTFError(f"{self.what} truncated at offset {off} (need {size} bytes, "
                           f"have {len(self.data) - off if off < len(self.data) else 0})")
        return struct.unpack_from(fmt, self.data, off)


def _cstr(strings: bytes, off: int, what: str) -> str:
    if off == 0 and not strings:
        return ""
    if not 0 <= off < len(strings):
        raise BTFError(f"{what}: string offset {off} outside the string section "
                       f"({len(strings)} bytes)")
    end = strings.find(b"\0", off)
    if end < 0:
        raise BTFError(f"{what}: string at offset {off} is not NUL-terminated")
    return strings[off:end].decode("utf-8", "replace")


class BTF:
    """Parsed ``.BTF``: ``types[id]`` (``types[0]`` is void) and the string section."""

    def __init__(self, data: bytes) -> None:
        self.raw = bytes(data)
        rd = _Reader(self.raw, ".BTF")
        magic, version, _flags, hdr_len = rd.unpack("<HBBI", 0)
        if magic != BTF_MAGIC:
            raise BTFError(f"bad magic 0x{magic:04x} (expected 0xeb9f, or a big-endian object)")
        if version != 1:
            raise BTFError(f"unsupported version {version}")
        if hdr_len < 24:
            raise BTFError(f"header length {hdr_len} is shorter than 24")
        type_off, type_len, str_off, str_len = rd.unpack("<IIII", 8)
        base = hdr_len
        for name, off, length in (("type", type_off, type_len), ("string", str_off, str_len)):
            if base + off + length > len(self.raw):
                raise BTFError(f"{name} section [{off}, {off + length}) past the end of "
                               f"{len(self.raw) - base} bytes of data")
        self.strings = self.raw[base + str_off: base + str_off + str_len]
        if self.strings and self.strings[0] != 0:
            raise BTFError("string section does not start with an empty string")
        self._type_base = base + type_off
        self.types: list[Type] = [Type(id=0, kind=0, name="void")]
        self._parse_types(self.raw[base + type_off: base + type_off + type_len])
        self._by_name: dict[str, list[int]] = {}
        for t in self.types[1:]:
            if t.name:
                self._by_name.setdefault(t.name, []).append(t.id)

    def string(self, off: int) -> str:
        """The string at ``off`` in the string section (BTF.ext uses it too)."""
        return _cstr(self.strings, off, "string")

    def _parse_types(self, data: bytes) -> None:
        rd = _Reader(data, ".BTF type section")
        off = 0
        while off < len(data):
            tid = len(self.types)
            name_off, info, size_type = rd.unpack("<III", off)
            off += 12
            kind = (info >> 24) & 0x1F
            vlen = info & 0xFFFF
            if kind == 0 or kind >= len(KIND_NAMES):
                raise BTFError(f"type [{tid}] has unknown kind {kind}")
            t = Type(id=tid, kind=kind, name=_cstr(self.strings, name_off, f"type [{tid}] name"),
                     kind_flag=bool(info >> 31), vlen=vlen, offset=off - 12)
            if kind in (KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64,
                        KIND_DATASEC, KIND_FLOAT):
                t.size = size_type
            else:
                t.ref = size_type
            if kind == KIND_INT:
                (v,) = rd.unpack("<I", off)
                off += 4
                t.encoding, t.int_offset, t.bits = (v >> 24) & 0xF, (v >> 16) & 0xFF, v & 0xFF
            elif kind == KIND_ARRAY:
                t.elem_type, t.index_type, t.nelems = rd.unpack("<III", off)
                off += 12
            elif kind in (KIND_STRUCT, KIND_UNION):
                for _ in range(vlen):
                    m_name, m_type, m_off = rd.unpack("<III", off)
                    off += 12
                    bit_off, bf = (m_off & 0xFFFFFF, m_off >> 24) if t.kind_flag else (m_off, 0)
                    t.members.append(Member(_cstr(self.strings, m_name, f"type [{tid}] member"),
                                            m_type, bit_off, bf))
            elif kind == KIND_ENUM:
                for _ in range(vlen):
                    m_name, val = rd.unpack("<Ii", off)
                    off += 8
                    t.members.append(Member(_cstr(self.strings, m_name, f"type [{tid}] enum"),
                                            value=val))
            elif kind == KIND_ENUM64:
                for _ in range(vlen):
                    m_name, lo, hi = rd.unpack("<III", off)
                    off += 12
                    t.members.append(Member(_cstr(self.strings, m_name, f"type [{tid}] enum"),
                                            value=lo | (hi << 32)))
            elif kind == KIND_FUNC_PROTO:
                for _ in range(vlen):
                    m_name, m_type = rd.unpack("<II", off)
                    off += 8
                    t.members.append(Member(_cstr(self.strings, m_name, f"type [{tid}] param"),
                                            m_type))
            elif kind == KIND_VAR:
                (t.linkage,) = rd.unpack("<I", off)
                off += 4
            elif kind == KIND_DATASEC:
                for _ in range(vlen):
                    s_type, s_off, s_size = rd.unpack("<III", off)
                    off += 12
                    t.secinfos.append(SecInfo(s_type, s_off, s_size))
            elif kind == KIND_DECL_TAG:
                (t.component_idx,) = rd.unpack("<i", off)
                off += 4
            elif kind == KIND_FUNC:
                t.linkage = vlen
            self.types.append(t)
        # Every reference must name an existing type: later walks rely on it.
        n = len(self.types)
        for t in self.types[1:]:
            refs = [t.ref] if t.kind not in (KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM,
                                             KIND_ENUM64, KIND_DATASEC, KIND_FLOAT) else []
            refs += [m.type for m in t.members] + [s.type for s in t.secinfos]
            if t.kind == KIND_ARRAY:
                refs += [t.elem_type, t.index_type]
            for r in refs:
                if r >= n:
                    raise BTFError(f"type [{t.id}] {t.kind_name} refers to type [{r}], "
                                   f"but there are only {n - 1} types")
        self._check_loops()

    def _check_loops(self) -> None:
        """btf_resolve's "Loop detected": a type that reaches itself through modifiers,
        typedefs and array elements (a pointer breaks such a chain) is refused, so that
        the walks that follow those chains end."""
        done = bytearray(len(self.types))     # 1: its chain is known to end
        for start in self.types[1:]:
            chain: list[int] = []
            t = start
            while not done[t.id]:
                if t.kind in _MODIFIERS:
                    nxt = t.ref
                elif t.kind == KIND_ARRAY:
                    nxt = t.elem_type
                else:
                    break
                chain.append(t.id)
                if nxt in chain or len(chain) > len(self.types):
                    # env_stack_push's errno for a type already being resolved
                    raise BTFError(f"type [{start.id}] {start.kind_name}: Loop detected",
                                   errno.EEXIST)
                if nxt == 0:
                    break
                t = self.types[nxt]
            for tid in chain:
                done[tid] = 1

    def with_datasec_layout(self, section_sizes: dict[str, int],
                            var_offsets: dict[str, int]) -> bytes:
        """The raw BTF with DATASEC sizes and variable offsets filled in.

        clang leaves them 0 in an object (the linker decides them); the kernel's
        BTF_LOAD wants the real values, which the ELF section headers and
        symbols give, so the loader patches them as libbpf does before loading.
        """
        raw = bytearray(self.raw)
        for t in self.types[1:]:
            if t.kind != KIND_DATASEC or t.name not in section_sizes:
                continue
            at = self._type_base + t.offset
            struct.pack_into("<I", raw, at + 8, _u32(section_sizes[t.name], t.name))
            for i, si in enumerate(t.secinfos):
                var = self.types[si.type]
                if var.kind == KIND_VAR and var.name in var_offsets:
                    struct.pack_into("<I", raw, at + 12 + 12 * i + 4,
                                     _u32(var_offsets[var.name], var.name))
        return bytes(raw)

    # --- lookups ---------------------------------------------------------

    def __getitem__(self, type_id: int) -> Type:
        if not 0 <= type_id < len(self.types):
            raise BTFError(f"no type [{type_id}]")
        return self.types[type_id]

    def find(self, name: str, kind: int | None = None) -> Type | None:
        """The first type called ``name`` (of ``kind`` if given)."""
        for tid in self._by_name.get(name, ()):
            if kind is None or self.types[tid].kind == kind:
                return self.types[tid]
        return None

    def resolve(self, type_id: int) -> Type:
        """``type_id`` with typedefs and qualifiers stripped."""
        t = self[type_id]
        for _ in range(_MAX_RESOLVE_DEPTH):
            if t.kind not in _MODIFIERS:
                return t
            t = self[t.ref]
        raise BTFError(f"type [{type_id}]: reference chain too deep or cyclic")

    def size_of(self, type_id: int, _depth: int = 0) -> int:
        """Size in bytes, as the kernel's ``btf_type_size`` computes it."""
        if _depth > _MAX_RESOLVE_DEPTH:
            raise BTFError(f"type [{type_id}]: size chain too deep or cyclic")
        t = self.resolve(type_id)
        if t.kind == KIND_PTR:
            return 8
        if t.kind == KIND_ARRAY:
            return t.nelems * self.size_of(t.elem_type, _depth + 1)
        if t.kind == KIND_VAR:
            return self.size_of(t.ref, _depth + 1)
        if t.kind in (KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_DATASEC,
                      KIND_FLOAT):
            return t.size
        raise BTFError(f"type [{type_id}] {t.kind_name} has no size")

    def type_name(self, type_id: int, _depth: int = 0) -> str:
        """A C spelling of the type, e.g. ``struct key``, ``__u32``, ``char[16]``."""
        if _depth > _MAX_RESOLVE_DEPTH:
            return "..."
        t = self[type_id]
        if t.kind == 0:
            return "void"
        if t.kind in (KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_FWD):
            tag = {KIND_STRUCT: "struct", KIND_UNION: "union", KIND_FWD: "struct"}.get(t.kind,
                                                                                     "enum")
            return f"{tag} {t.name}" if t.name else f"{tag} {{...}}"
        if t.kind == KIND_PTR:
            return self.type_name(t.ref, _depth + 1) + " *"
        if t.kind == KIND_ARRAY:
            return f"{self.type_name(t.elem_type, _depth + 1)}[{t.nelems}]"
        if t.kind in (KIND_CONST, KIND_VOLATILE, KIND_RESTRICT):
            return f"{t.kind_name.lower()} {self.type_name(t.ref, _depth + 1)}"
        if t.kind == KIND_TYPE_TAG:
            return self.type_name(t.ref, _depth + 1)
        return t.name or t.kind_name.lower()

    # --- values ----------------------------------------------------------

    def to_python(self, type_id: int, data: bytes, _depth: int = 0) -> object:
        """Decode ``data`` as a value of ``type_id``: ints, floats, bools, ``str`` for
        char arrays, lists for arrays, dicts for structs and unions, enum names."""
        if _depth > _MAX_RESOLVE_DEPTH:
            raise BTFError(f"type [{type_id}]: value nesting too deep")
        t = self.resolve(type_id)
        if t.kind == KIND_INT:
            v = int.from_bytes(data[:t.size], "little", signed=bool(t.encoding & INT_SIGNED))
            return bool(v) if t.encoding & INT_BOOL else v
        if t.kind in (KIND_ENUM, KIND_ENUM64):
            v = int.from_bytes(data[:t.size], "little", signed=not t.kind_flag and t.size <= 4)
            for m in t.members:
                if m.value == v or (m.value & ((1 << (8 * t.size)) - 1)) == v:
                    return m.name
            return v
        if t.kind == KIND_PTR:
            return int.from_bytes(data[:8], "little")
        if t.kind == KIND_FLOAT:
            return struct.unpack("<d" if t.size == 8 else "<f", data[:t.size])[0]
        if t.kind == KIND_ARRAY:
            elem = self.resolve(t.elem_type)
            esize = self.size_of(t.elem_type)
            if elem.kind == KIND_INT and esize == 1 and (elem.encoding & INT_CHAR
                                                          or elem.name == "char"):
                raw = bytes(data[:t.nelems])
                return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            return [self.to_python(t.elem_type, data[i * esize:(i + 1) * esize], _depth + 1)
                    for i in range(t.nelems)]
        if t.kind in (KIND_STRUCT, KIND_UNION):
            out: dict[str, object] = {}
            for i, m in enumerate(t.members):
                name = m.name or f"<anon{i}>"
                if m.bitfield_size:
                    word = int.from_bytes(data[:t.size], "little")
                    out[name] = (word >> m.bit_offset) & ((1 << m.bitfield_size) - 1)
                    continue
                start = m.bit_offset // 8
                msize = self.size_of(m.type)
                value = self.to_python(m.type, data[start:start + msize], _depth + 1)
                if not m.name and isinstance(value, dict):
                    out.update(value)
                else:
                    out[name] = value
            return out
        return bytes(data)

    def from_python(self, type_id: int, value: object, _depth: int = 0) -> bytes:
        """Encode ``value`` as ``type_id`` (the inverse of :meth:`to_python`): ints (either
        sign), bools, enum names, floats, ``str``/``bytes`` for char arrays, lists or tuples
        for arrays and structs (members in order), dicts for structs and unions (members
        left out are zero).  ``bytes`` of the type's exact size pass unchanged.  A value
        that does not fit raises ``ValueError`` saying which member."""
        if _depth > _MAX_RESOLVE_DEPTH:
            raise BTFError(f"type [{type_id}]: value nesting too deep")
        t = self.resolve(type_id)
        size = self.size_of(type_id)
        if isinstance(value, bytes | bytearray | memoryview) and len(value) == size and not (
                t.kind == KIND_ARRAY and self._is_char_array(t)):
            return bytes(value)
        if t.kind == KIND_INT or t.kind == KIND_PTR:
            return _int_bytes(value, size, self.type_name(type_id))
        if t.kind in (KIND_ENUM, KIND_ENUM64):
            if isinstance(value, str):
                for m in t.members:
                    if m.name == value:
                        value = m.value & ((1 << (8 * size)) - 1)
                        break
                else:
                    raise ValueError(f"{value!r} is not a value of {self.type_name(type_id)}")
            return _int_bytes(value, size, self.type_name(type_id))
        if t.kind == KIND_FLOAT:
            if not isinstance(value, int | float):
                raise ValueError(f"{value!r} is not a number ({self.type_name(type_id)})")
            return struct.pack("<d" if size == 8 else "<f", value)
        if t.kind == KIND_ARRAY:
            esize = self.size_of(t.elem_type)
            if self._is_char_array(t) and isinstance(value, str | bytes | bytearray):
                raw = value.encode() if isinstance(value, str) else bytes(value)
                if len(raw) > t.nelems:
                    raise ValueError(f"{value!r} is longer than {self.type_name(type_id)}")
                return raw.ljust(t.nelems, b"\0")
            if not isinstance(value, list | tuple) or len(value) > t.nelems:
                raise ValueError(f"{self.type_name(type_id)} takes a list of at most "
                                 f"{t.nelems} elements, got {value!r}")
            out = b"".join(self.from_python(t.elem_type, v, _depth + 1) for v in value)
            return out + bytes(esize * (t.nelems - len(value)))
        if t.kind in (KIND_STRUCT, KIND_UNION):
            return self._struct_bytes(t, type_id, value, _depth)
        raise ValueError(f"cannot encode a value of {self.type_name(type_id)} "
                         f"({t.kind_name}): give its bytes")

    def _is_char_array(self, t: Type) -> bool:
        elem = self.resolve(t.elem_type)
        return elem.kind == KIND_INT and elem.size == 1 and bool(
            elem.encoding & INT_CHAR or elem.name == "char")

    def _struct_bytes(self, t: Type, type_id: int, value: object, depth: int) -> bytes:
        named = [(m.name or f"<anon{i}>", m) for i, m in enumerate(t.members)]
        if isinstance(value, list | tuple):
            if len(value) > len(named):
                raise ValueError(f"{self.type_name(type_id)} has {len(named)} members, "
                                 f"got {len(value)} values")
            items = dict(zip([n for n, _ in named], value, strict=False))
        elif isinstance(value, dict):
            items = dict(value)
        else:
            raise ValueError(f"{self.type_name(type_id)} takes a dict or a tuple of its "
                             f"members, got {value!r}")
        buf = bytearray(t.size)
        word = 0
        for name, m in named:
            if not m.name and name not in items:
                # an anonymous struct/union member: its own members come from ``items``
                inner = self.resolve(m.type)
                if inner.kind in (KIND_STRUCT, KIND_UNION):
                    sub = {n.name: items.pop(n.name) for n in inner.members if n.name in items}
                    if sub:
                        raw = self.from_python(m.type, sub, depth + 1)
                        start = m.bit_offset // 8
                        buf[start:start + len(raw)] = raw
                continue
            if name not in items:
                continue
            v = items.pop(name)
            if m.bitfield_size:
                if not isinstance(v, int) or not 0 <= v < 1 << m.bitfield_size:
                    raise ValueError(f"member {name!r}: {v!r} does not fit "
                                     f"{m.bitfield_size} bits")
                word |= v << m.bit_offset
                continue
            try:
                raw = self.from_python(m.type, v, depth + 1)
            except ValueError as e:
                raise ValueError(f"member {name!r}: {e}") from None
            start = m.bit_offset // 8
            buf[start:start + len(raw)] = raw
        if items:
            raise ValueError(f"{self.type_name(type_id)} has no member "
                             f"{next(iter(items))!r}")
        if word:
            merged = int.from_bytes(buf, "little") | word
            buf[:] = merged.to_bytes(t.size, "little")
        return bytes(buf)


def _int_bytes(value: object, size: int, what: str) -> bytes:
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"{value!r} is not an integer ({what})")
    if not -(1 << (8 * size - 1)) <= value < 1 << (8 * size):
        raise ValueError(f"{value} does not fit {what} ({size} bytes)")
    return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


@dataclass
class FuncInfo:
    """``bpf_func_info`` from BTF.ext: the function starting at ``insn_off`` (instruction
    index once normalised by the loader; bytes in the object)."""

    insn_off: int
    type_id: int


@dataclass
class LineInfo:
    """``bpf_line_info`` with its strings resolved."""

    insn_off: int
    file_name: str
    line: str
    line_num: int
    line_col: int
    file_name_off: int = 0
    line_off: int = 0


@dataclass
class CoreRelo:
    """``bpf_core_relo``: a CO-RE relocation to apply against the runtime's types."""

    insn_off: int
    type_id: int
    access: str
    kind: int


CORE_RELO_KINDS = (
    "field_byte_offset", "field_byte_size", "field_exists", "field_signed", "field_lshift_u64",
    "field_rshift_u64", "type_id_local", "type_id_target", "type_exists", "type_size",
    "enumval_exists", "enumval_value", "type_matches",
)


class BTFExt:
    """Parsed ``.BTF.ext``: per-section func_info, line_info and CO-RE relocations."""

    def __init__(self, data: bytes, btf: BTF) -> None:
        rd = _Reader(bytes(data), ".BTF.ext")
        magic, version, _flags, hdr_len = rd.unpack("<HBBI", 0)
        if magic != BTF_MAGIC:
            raise BTFError(f".BTF.ext: bad magic 0x{magic:04x}")
        if version != 1:
            raise BTFError(f".BTF.ext: unsupported version {version}")
        if hdr_len < 24:
            raise BTFError(f".BTF.ext: header length {hdr_len} is shorter than 24")
        fi_off, fi_len, li_off, li_len = rd.unpack("<IIII", 8)
        core_off = core_len = 0
        if hdr_len >= 32:
            core_off, core_len = rd.unpack("<II", 24)
        self.func_info: dict[str, list[FuncInfo]] = {}
        self.line_info: dict[str, list[LineInfo]] = {}
        self.core_relos: dict[str, list[CoreRelo]] = {}
        for what, off, length, min_rec in (("func_info", fi_off, fi_len, 8),
                                           ("line_info", li_off, li_len, 16),
                                           ("core_relo", core_off, core_len, 16)):
            if not length:
                continue
            start = hdr_len + off
            if start + length > len(rd.data):
                raise BTFError(f".BTF.ext {what} [{off}, {off + length}) past the end")
            for sec, recs in self._sections(rd, start, length, min_rec, what, btf):
                for rec in recs:
                    if what == "func_info":
                        insn_off, type_id = struct.unpack_from("<II", rec)
                        if type_id >= len(btf.types) or btf.types[type_id].kind != KIND_FUNC:
                            raise BTFError(f"func_info in {sec!r} names type [{type_id}], "
                                           "which is not a FUNC")
                        self.func_info.setdefault(sec, []).append(FuncInfo(insn_off, type_id))
                    elif what == "line_info":
                        insn_off, fname, line, col = struct.unpack_from("<IIII", rec)
                        self.line_info.setdefault(sec, []).append(LineInfo(
                            insn_off, btf.string(fname), btf.string(line), col >> 10,
                            col & 0x3FF, fname, line))
                    else:
                        insn_off, type_id, acc, kind = struct.unpack_from("<IIII", rec)
                        self.core_relos.setdefault(sec, []).append(
                            CoreRelo(insn_off, type_id, btf.string(acc), kind))

    @staticmethod
    def _sections(rd: _Reader, start: int, length: int, min_rec: int, what: str,
                  btf: BTF) -> list[tuple[str, list[bytes]]]:
        (rec_size,) = rd.unpack("<I", start)
        if rec_size < min_rec or rec_size % 4:
            raise BTFError(f".BTF.ext {what}: record size {rec_size} (minimum {min_rec})")
        off, end = start + 4, start + length
        out = []
        while off < end:
            sec_off, num = rd.unpack("<II", off)
            off += 8
            if num == 0 or off + num * rec_size > end:
                raise BTFError(f".BTF.ext {what}: {num} records of {rec_size} bytes do not "
                               "fit the section")
            recs = [rd.data[off + i * rec_size: off + (i + 1) * rec_size] for i in range(num)]
            off += num * rec_size
            out.append((btf.string(sec_off), recs))
        return out


# --- special fields of map values (the kernel's btf_parse_fields) ----------------------
#
# A map value (or a struct allocated by a program) may contain objects the kernel manages
# itself: a lock, a timer, a kptr, ...  They are recognised by the name and size of the
# struct a member has (``struct bpf_spin_lock`` of 4 bytes, ...), or by a type tag on a
# pointer for kptrs, and programs may touch them only through the helpers made for them.

@dataclass(frozen=True)
class FieldKind:
    """One kind of special field: its btf_field_type_name, size and alignment."""

    name: str
    size: int
    align: int
    unique: bool        # at most one per struct (btf_get_field_type's ``seen`` check)


BTF_FIELDS_MAX = 11     # the kernel's limit of special fields in one value

SPIN_LOCK = FieldKind("bpf_spin_lock", 4, 4, True)
RES_SPIN_LOCK = FieldKind("bpf_res_spin_lock", 8, 4, True)
TIMER = FieldKind("bpf_timer", 16, 8, True)
WORKQUEUE = FieldKind("bpf_wq", 16, 8, True)
TASK_WORK = FieldKind("bpf_task_work", 8, 8, True)
LIST_HEAD = FieldKind("bpf_list_head", 16, 8, False)
LIST_NODE = FieldKind("bpf_list_node", 24, 8, False)
RB_ROOT = FieldKind("bpf_rb_root", 16, 8, False)
RB_NODE = FieldKind("bpf_rb_node", 32, 8, False)
REFCOUNT = FieldKind("bpf_refcount", 4, 4, False)
KPTR = FieldKind("kptr", 8, 8, False)
PERCPU_KPTR = FieldKind("percpu_kptr", 8, 8, False)
UPTR = FieldKind("uptr", 8, 8, False)

_REPEATABLE = frozenset({KPTR, PERCPU_KPTR, UPTR, LIST_HEAD, RB_ROOT})
STRUCT_FIELDS = {k.name: k for k in (SPIN_LOCK, RES_SPIN_LOCK, TIMER, WORKQUEUE, TASK_WORK,
                                     LIST_HEAD, LIST_NODE, RB_ROOT, RB_NODE, REFCOUNT)}
KPTR_TAGS = {"kptr_untrusted": KPTR, "kptr": KPTR, "percpu_kptr": PERCPU_KPTR, "uptr": UPTR}
# the fields a map value may hold (map_check_btf's mask) and a program-allocated object's
# (btf_parse_struct_metas' mask, checked at BTF_LOAD)
MAP_VALUE_KINDS = frozenset({SPIN_LOCK, RES_SPIN_LOCK, TIMER, KPTR, PERCPU_KPTR, UPTR,
                             LIST_HEAD, RB_ROOT, REFCOUNT, WORKQUEUE, TASK_WORK})
ALLOC_OBJ_KINDS = frozenset({SPIN_LOCK, RES_SPIN_LOCK, LIST_HEAD, LIST_NODE, RB_ROOT, RB_NODE,
                             REFCOUNT, KPTR, PERCPU_KPTR})


@dataclass(frozen=True)
class Field:
    """One special field at ``offset`` bytes in the value."""

    kind: FieldKind
    offset: int

    @property
    def size(self) -> int:
        return self.kind.size


@dataclass(frozen=True)
class FieldRecord:
    """The kernel's ``struct btf_record``: the special fields of a value, by offset."""

    fields: tuple[Field, ...]
    # the kernel caches the lock's offset from its walk: with locks at two nesting levels
    # the last one found is the one programs may take
    spin_lock_off: int = -1

    def find(self, kind: FieldKind) -> Field | None:
        for f in self.fields:
            if f.kind is kind:
                return f
        return None


def _field_error(code: int, message: str) -> BPFError:
    return BPFError(code, f"BTF: {message}")


class _FieldFinder:
    """btf_find_field: walks a struct (and the structs nested in it) or a DATASEC."""

    def __init__(self, btf: BTF, kinds: frozenset[FieldKind]) -> None:
        self.btf = btf
        self.kinds = kinds
        self._structs: dict[int, tuple[Field, ...]] = {}

    def kind_of(self, t: Type, seen: set[FieldKind]) -> FieldKind | None:
        """btf_get_field_type: which special field a member of type ``t`` is, if any."""
        if t.kind == KIND_PTR:
            tag = self.btf[t.ref]
            if tag.kind == KIND_TYPE_TAG and tag.name in KPTR_TAGS:
                kind = KPTR_TAGS[tag.name]
                return kind if kind in self.kinds else None
            return None
        if t.kind != KIND_STRUCT or t.name not in STRUCT_FIELDS:
            return None
        kind = STRUCT_FIELDS[t.name]
        if kind not in self.kinds:
            return None
        if kind.unique:
            if kind in seen:
                raise _field_error(errno.E2BIG, f"more than one {kind.name} in a struct")
            seen.add(kind)
        return kind

    def member(self, type_id: int, off: int, seen: set[FieldKind], depth: int
               ) -> list[Field]:
        """btf_find_field_one: the fields of one member (or variable) at ``off``."""
        t = self.btf.resolve(type_id)
        nelems = 1
        while t.kind == KIND_ARRAY:
            nelems *= t.nelems
            t = self.btf.resolve(t.elem_type)
        if nelems == 0:
            return []
        kind = self.kind_of(t, seen)
        if kind is None:
            if t.kind != KIND_STRUCT or depth >= _MAX_RESOLVE_DEPTH:
                return []
            # btf_find_nested_struct: fields of a struct member count as the value's
            inner = self.struct(t, depth + 1)
            if inner and nelems > 1 and any(f.kind not in _REPEATABLE for f in inner):
                raise _field_error(errno.EINVAL, f"an array of structs holding "
                                   f"{inner[0].kind.name}")
            if inner and nelems * len(inner) > BTF_FIELDS_MAX:
                raise _field_error(errno.E2BIG, f"more than {BTF_FIELDS_MAX} special fields")
            return [Field(f.kind, off + i * t.size + f.offset)
                    for i in range(nelems if inner else 0) for f in inner]
        if t.kind == KIND_STRUCT and t.size != kind.size:
            return []   # btf_find_struct: a struct of that name but another size is data
        if nelems > 1 and kind not in _REPEATABLE:
            # btf_repeat_fields: only kptrs (and list/rbtree roots) may come in arrays
            raise _field_error(errno.EINVAL, f"an array of {kind.name}")
        if nelems > BTF_FIELDS_MAX:
            raise _field_error(errno.E2BIG, f"more than {BTF_FIELDS_MAX} special fields")
        return [Field(kind, off + i * kind.size) for i in range(nelems)]

    def struct(self, t: Type, depth: int) -> tuple[Field, ...]:
        """The fields of a struct, at offsets from its start (computed once per type, so
        arrays of nested structs cost one walk)."""
        done = self._structs.get(t.id)
        if done is not None:
            return done
        seen: set[FieldKind] = set()
        out: list[Field] = []
        for m in t.members:
            if m.bitfield_size or m.bit_offset % 8:
                continue
            out += self.member(m.type, m.bit_offset // 8, seen, depth)
            if len(out) > BTF_FIELDS_MAX:
                raise _field_error(errno.E2BIG, f"more than {BTF_FIELDS_MAX} special fields")
        self._structs[t.id] = tuple(out)
        return self._structs[t.id]

    def datasec(self, t: Type) -> list[Field]:
        seen: set[FieldKind] = set()
        out: list[Field] = []
        for si in t.secinfos:
            var = self.btf[si.type]
            if var.kind == KIND_VAR:
                out += self.member(var.ref, si.offset, seen, 0)
            if len(out) > BTF_FIELDS_MAX:
                raise _field_error(errno.E2BIG, f"more than {BTF_FIELDS_MAX} special fields")
        return out


def parse_fields(btf: BTF, type_id: int, value_size: int,
                 kinds: frozenset[FieldKind] = MAP_VALUE_KINDS,
                 aligned: bool = False) -> FieldRecord | None:
    """btf_parse_fields: the special fields of ``type_id`` (None when it has none).

    Raises :class:`~pyebpf.errors.BPFError` with the kernel's errno: E2BIG for a second
    lock/timer in one struct or more than 11 fields, EINVAL for an array of locks or
    timers, a misaligned field (``aligned``: objects programs allocate) or a list/rbtree
    root without a lock beside it, EEXIST for overlapping fields.
    """
    t = btf.resolve(type_id)
    finder = _FieldFinder(btf, kinds)
    found: list[Field] | tuple[Field, ...] = []
    if t.kind == KIND_STRUCT:
        found = finder.struct(t, 0)
    elif t.kind == KIND_DATASEC:
        found = finder.datasec(t)
    if not found:
        return None
    fields = tuple(sorted(found, key=lambda f: f.offset))
    end = 0
    for f in fields:
        if aligned and f.offset % f.kind.align:
            raise _field_error(errno.EINVAL, f"{f.kind.name} at offset {f.offset} is "
                               "misaligned")
        if f.offset < end:
            raise _field_error(errno.EEXIST, f"{f.kind.name} at {f.offset} overlaps a field")
        if f.offset + f.size > value_size:
            raise _field_error(errno.EFAULT, f"{f.kind.name} at {f.offset} past the value")
        end = f.offset + f.size
    locks = [f.offset for f in found if f.kind is SPIN_LOCK]
    rec = FieldRecord(fields, locks[-1] if locks else -1)
    has = {f.kind for f in fields}
    if SPIN_LOCK in has and RES_SPIN_LOCK in has:
        raise _field_error(errno.EINVAL, "bpf_spin_lock and bpf_res_spin_lock together")
    if (LIST_HEAD in has or RB_ROOT in has) and not (SPIN_LOCK in has or RES_SPIN_LOCK in has):
        raise _field_error(errno.EINVAL, "bpf_list_head/bpf_rb_root need a bpf_spin_lock")
    return rec


def check_struct_metas(btf: BTF) -> None:
    """btf_parse_struct_metas (BTF_LOAD): a struct with a direct member of one of the
    special struct types must have valid fields, since programs may allocate it."""
    special: set[int] = set()
    for name in ("bpf_spin_lock", "bpf_res_spin_lock", "bpf_list_head", "bpf_list_node",
                 "bpf_rb_root", "bpf_rb_node", "bpf_refcount"):
        t = btf.find(name, KIND_STRUCT)
        if t is not None:
            special.add(t.id)
    if not special:
        return
    for t in btf.types[1:]:
        if t.kind == KIND_STRUCT and any(m.type in special for m in t.members):
            try:
                parse_fields(btf, t.id, t.size, ALLOC_OBJ_KINDS, aligned=True)
            except BPFError as e:
                # the kernel's btf_parse_fields WARNs and answers EFAULT for a field it
                # cannot place; the same misplacement in an object is that error here
                if e.errno == errno.EINVAL and "misaligned" in str(e):
                    raise _field_error(errno.EFAULT, str(e).removeprefix("BTF: ")) from None
                raise


def type_id_size(btf: BTF, type_id: int) -> tuple[Type, int] | None:
    """btf_type_id_size: the type (modifiers stripped) and its size, None when it has no
    size (void, a function, a forward declaration) or does not exist."""
    if not 0 < type_id < len(btf.types):
        return None
    try:
        t = btf.resolve(type_id)
        if t.kind == KIND_VAR:
            t = btf.resolve(t.ref)
        if t.kind in (0, KIND_FUNC, KIND_FUNC_PROTO, KIND_FWD, KIND_DECL_TAG, KIND_VAR):
            return None
        return t, btf.size_of(t.id)
    except BTFError:
        return None


# --- writing BTF -----------------------------------------------------------------------

class BTFBuilder:
    """Builds a ``.BTF`` blob, as clang would emit it for the types described.

    For maps made from Python: a map whose value holds a ``struct bpf_spin_lock`` needs
    BTF describing the value (BPF_MAP_CREATE's ``btf_value_type_id``), which
    :meth:`add_ctypes` derives from the ctypes types the value is written with.
    """

    def __init__(self) -> None:
        self.strings = b"\0"
        self.records: list[bytes] = []
        self._names: dict[str, int] = {"": 0}
        self._ctypes: dict[object, int] = {}

    def _name(self, name: str) -> int:
        off = self._names.get(name)
        if off is None:
            off = self._names[name] = len(self.strings)
            self.strings += name.encode() + b"\0"
        return off

    def _add(self, record: bytes) -> int:
        self.records.append(record)
        return len(self.records)

    def int_(self, name: str, size: int, signed: bool = True) -> int:
        """An INT of ``size`` bytes; returns its type id."""
        return self._add(struct.pack("<IIII", self._name(name), KIND_INT << 24, size,
                                     (INT_SIGNED if signed else 0) << 24 | size * 8))

    def struct_(self, name: str, size: int, members: list[tuple[str, int, int]]) -> int:
        """A STRUCT; ``members`` are (name, type id, byte offset)."""
        rec = struct.pack("<III", self._name(name), KIND_STRUCT << 24 | len(members), size)
        for mname, mtype, off in members:
            rec += struct.pack("<III", self._name(mname), mtype, off * 8)
        return self._add(rec)

    def array(self, elem: int, index: int, nelems: int) -> int:
        return self._add(struct.pack("<IIIIII", 0, KIND_ARRAY << 24, 0, elem, index, nelems))

    def typedef(self, name: str, ref: int) -> int:
        return self._add(struct.pack("<III", self._name(name), KIND_TYPEDEF << 24, ref))

    def ptr(self, ref: int) -> int:
        return self._add(struct.pack("<III", 0, KIND_PTR << 24, ref))

    def type_tag(self, name: str, ref: int) -> int:
        """``__attribute__((btf_type_tag(name)))`` on ``ref`` (``__kptr`` is one)."""
        return self._add(struct.pack("<III", self._name(name), KIND_TYPE_TAG << 24, ref))

    def fwd(self, name: str) -> int:
        """A forward-declared struct."""
        return self._add(struct.pack("<III", self._name(name), KIND_FWD << 24, 0))

    def blob(self) -> bytes:
        """The ``.BTF`` section: header, types, strings."""
        types = b"".join(self.records)
        return struct.pack("<HBBIIIII", BTF_MAGIC, 1, 0, 24, 0, len(types), len(types),
                           len(self.strings)) + types + self.strings

    def add_ctypes(self, ctype: object) -> int:
        """The type id describing a ctypes type: integers, arrays, structures (a
        structure's BTF name is its C name for the ``pyebpf.uapi`` mirrors, so
        ``uapi.BpfSpinLock`` is ``struct bpf_spin_lock``, else ``_btf_name_`` or the
        class name)."""
        import ctypes

        from pyebpf import uapi

        known = self._ctypes.get(ctype)
        if known is not None:
            return known
        if isinstance(ctype, type) and issubclass(ctype, ctypes.Array):
            elem = self.add_ctypes(ctype._type_)
            tid = self.array(elem, self.add_ctypes(ctypes.c_uint32), ctype._length_)
        elif isinstance(ctype, type) and issubclass(ctype, ctypes.Structure):
            c_names = {v: k.split(" ", 1)[1] for k, v in uapi.C_TYPES.items()
                       if k.startswith("struct ")}
            name = c_names.get(ctype) or getattr(ctype, "_btf_name_", ctype.__name__)
            members = []
            for fname, ftype, *bits in ctype._fields_:
                if bits:
                    raise BTFError(f"{ctype.__name__}.{fname}: bit fields are not described")
                members.append((fname, self.add_ctypes(ftype), getattr(ctype, fname).offset))
            tid = self.struct_(name, ctypes.sizeof(ctype), members)
        elif isinstance(ctype, type) and issubclass(ctype, ctypes._SimpleCData) and \
                ctype._type_ in "bBhHiIlLqQ?c":
            size = ctypes.sizeof(ctype)
            signed = ctype._type_ in "bhilqc"
            name = {1: "char", 2: "short", 4: "int", 8: "long long"}[size]
            tid = self.int_(name if signed else f"unsigned {name}", size, signed)
        else:
            raise BTFError(f"no BTF description for {ctype!r}")
        self._ctypes[ctype] = tid
        return tid


def has_special_fields(ctype: object) -> bool:
    """Whether a ctypes value type holds a field the kernel manages (bpf_spin_lock, ...)."""
    try:
        b = BTFBuilder()
        tid = b.add_ctypes(ctype)
        import ctypes

        return parse_fields(BTF(b.blob()), tid, ctypes.sizeof(ctype)) is not None
    except BPFError:
        return False
