"""BPF helpers: kernel ids, prototypes (as data for the verifier) and implementations.

Each helper is a :class:`Helper`: its kernel id (``pyebpf.uapi.BpfFunc``), its
prototype in the kernel's terms (``struct bpf_func_proto``: return type and up to
five argument types, spelled as the kernel spells them) and an implementation.
The hot helpers (map operations, ring buffer, time, tail calls, ...) are C
functions in :mod:`pyebpf._maps` installed as ``"pyebpf.helper"`` capsules; the
others are Python callables ``fn(vm, r1, ..., r5)``.

Every pointer a helper receives is checked against the regions the program may
touch (``vm.readable``/``vm.writable``, or ``vm_access`` in C): a bad pointer
from an unverified program ends the run with an error, it never reaches host
memory.  Packet helpers work on the run's :class:`pyebpf.progtypes.RunState`
(``vm.user_object.state``), which knows where the packet and the context are.

Users add helpers with :func:`register_helper` (a Python callable or a capsule
plus a prototype); the verifier reads :data:`HELPERS`.
"""

from __future__ import annotations

import enum
import errno
import os
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyebpf import _maps, uapi
from pyebpf.errors import HelperError

F = uapi.BpfFunc


class Arg(enum.Enum):
    """``enum bpf_arg_type`` (base types; modifiers are in :class:`Mod`)."""

    ARG_DONTCARE = 0
    ARG_CONST_MAP_PTR = 1
    ARG_PTR_TO_MAP_KEY = 2
    ARG_PTR_TO_MAP_VALUE = 3
    ARG_PTR_TO_MEM = 4
    ARG_CONST_SIZE = 5
    ARG_CONST_SIZE_OR_ZERO = 6
    ARG_PTR_TO_CTX = 7
    ARG_ANYTHING = 8
    ARG_PTR_TO_SPIN_LOCK = 9
    ARG_PTR_TO_LONG = 10
    ARG_PTR_TO_FUNC = 11
    ARG_PTR_TO_STACK = 12
    ARG_PTR_TO_CONST_STR = 13
    ARG_CONST_ALLOC_SIZE_OR_ZERO = 14
    ARG_PTR_TO_RINGBUF_MEM = 15
    ARG_PTR_TO_SOCK_COMMON = 16


class Mod(enum.IntFlag):
    """Type modifiers (``PTR_MAYBE_NULL``, ``MEM_RDONLY``, ``MEM_UNINIT``, ...)."""

    NONE = 0
    PTR_MAYBE_NULL = 1
    MEM_RDONLY = 2
    MEM_UNINIT = 4
    MEM_WRITE = 8
    OBJ_RELEASE = 16
    MEM_ALIGNED = 32


class Ret(enum.Enum):
    """``enum bpf_return_type``."""

    RET_INTEGER = 0
    RET_VOID = 1
    RET_PTR_TO_MAP_VALUE_OR_NULL = 2
    RET_PTR_TO_RINGBUF_MEM_OR_NULL = 3
    RET_PTR_TO_SOCKET_OR_NULL = 4
    RET_PTR_TO_TCP_SOCK_OR_NULL = 5


@dataclass(frozen=True)
class ArgSpec:
    type: Arg
    mods: Mod = Mod.NONE

    def __repr__(self) -> str:
        return self.type.name + "".join(f"|{m.name}" for m in Mod if m and m in self.mods)


@dataclass(frozen=True)
class Helper:
    """One helper: id, name, prototype and implementation (callable or capsule)."""

    id: int
    name: str
    ret: Ret
    args: tuple[ArgSpec, ...]
    impl: Any = None
    gpl_only: bool = False
    pkt_access: bool = False          # the kernel's .pkt_access: may be given packet pointers
    changes_pkt_data: bool = False    # bpf_helper_changes_pkt_data: packet pointers die


def _a(t: Arg, mods: Mod = Mod.NONE) -> ArgSpec:
    return ArgSpec(t, mods)


MAP, KEY = _a(Arg.ARG_CONST_MAP_PTR), _a(Arg.ARG_PTR_TO_MAP_KEY)
VALUE = _a(Arg.ARG_PTR_TO_MAP_VALUE)
UNINIT_VALUE = _a(Arg.ARG_PTR_TO_MAP_VALUE, Mod.MEM_UNINIT | Mod.MEM_WRITE)
ANY, CTX = _a(Arg.ARG_ANYTHING), _a(Arg.ARG_PTR_TO_CTX)
MEM_RO = _a(Arg.ARG_PTR_TO_MEM, Mod.MEM_RDONLY)
MEM_RO_NULL = _a(Arg.ARG_PTR_TO_MEM, Mod.MEM_RDONLY | Mod.PTR_MAYBE_NULL)
UNINIT_MEM = _a(Arg.ARG_PTR_TO_MEM, Mod.MEM_UNINIT | Mod.MEM_WRITE)
UNINIT_MEM_NULL = _a(Arg.ARG_PTR_TO_MEM, Mod.MEM_UNINIT | Mod.MEM_WRITE | Mod.PTR_MAYBE_NULL)
SIZE, SIZE0 = _a(Arg.ARG_CONST_SIZE), _a(Arg.ARG_CONST_SIZE_OR_ZERO)
FUNC, STACK_NULL = _a(Arg.ARG_PTR_TO_FUNC), _a(Arg.ARG_PTR_TO_STACK, Mod.PTR_MAYBE_NULL)
CONST_STR, LONG = _a(Arg.ARG_PTR_TO_CONST_STR), _a(Arg.ARG_PTR_TO_LONG, Mod.MEM_UNINIT)
RB_MEM = _a(Arg.ARG_PTR_TO_RINGBUF_MEM, Mod.OBJ_RELEASE)
INT, V = Ret.RET_INTEGER, Ret.RET_VOID

# name -> (ret, args, gpl_only): the kernel's bpf_func_proto of each helper.
PROTOTYPES: dict[str, tuple[Ret, tuple[ArgSpec, ...], bool]] = {
    "map_lookup_elem": (Ret.RET_PTR_TO_MAP_VALUE_OR_NULL, (MAP, KEY), False),
    "map_update_elem": (INT, (MAP, KEY, VALUE, ANY), False),
    "map_delete_elem": (INT, (MAP, KEY), False),
    "map_push_elem": (INT, (MAP, VALUE, ANY), False),
    "map_pop_elem": (INT, (MAP, UNINIT_VALUE), False),
    "map_peek_elem": (INT, (MAP, UNINIT_VALUE), False),
    "map_lookup_percpu_elem": (Ret.RET_PTR_TO_MAP_VALUE_OR_NULL, (MAP, KEY, ANY), False),
    "probe_read": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "probe_read_str": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "probe_read_kernel": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "probe_read_user": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "probe_read_kernel_str": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "probe_read_user_str": (INT, (UNINIT_MEM, SIZE0, ANY), True),
    "ktime_get_ns": (INT, (), False),
    "ktime_get_boot_ns": (INT, (), False),
    "ktime_get_coarse_ns": (INT, (), False),
    "jiffies64": (INT, (), False),
    "get_prandom_u32": (INT, (), False),
    "get_smp_processor_id": (INT, (), False),
    "get_numa_node_id": (INT, (), False),
    "tail_call": (V, (CTX, MAP, ANY), False),
    "trace_printk": (INT, (MEM_RO, SIZE), True),
    "snprintf": (INT, (UNINIT_MEM_NULL, SIZE0, CONST_STR, MEM_RO_NULL, SIZE0), False),
    "strtol": (INT, (MEM_RO, SIZE, ANY, LONG), False),
    "strtoul": (INT, (MEM_RO, SIZE, ANY, LONG), False),
    "strncmp": (INT, (MEM_RO, SIZE, CONST_STR), False),
    "get_current_pid_tgid": (INT, (), False),
    "get_current_uid_gid": (INT, (), False),
    "get_current_comm": (INT, (UNINIT_MEM, SIZE), False),
    "ringbuf_output": (INT, (MAP, MEM_RO, SIZE0, ANY), False),
    "ringbuf_reserve": (Ret.RET_PTR_TO_RINGBUF_MEM_OR_NULL,
                        (MAP, _a(Arg.ARG_CONST_ALLOC_SIZE_OR_ZERO), ANY), False),
    "ringbuf_submit": (V, (RB_MEM, ANY), False),
    "ringbuf_discard": (V, (RB_MEM, ANY), False),
    "ringbuf_query": (INT, (MAP, ANY), False),
    "perf_event_output": (INT, (CTX, MAP, ANY, MEM_RO, SIZE0), True),
    "get_stack": (INT, (CTX, UNINIT_MEM, SIZE0, ANY), True),
    "send_signal": (INT, (ANY,), False),
    "get_attach_cookie": (INT, (CTX,), False),
    "loop": (INT, (ANY, FUNC, STACK_NULL, ANY), False),
    "for_each_map_elem": (INT, (MAP, FUNC, STACK_NULL, ANY), False),
    "spin_lock": (V, (_a(Arg.ARG_PTR_TO_SPIN_LOCK),), False),
    "spin_unlock": (V, (_a(Arg.ARG_PTR_TO_SPIN_LOCK),), False),
    "skb_load_bytes": (INT, (CTX, ANY, UNINIT_MEM, SIZE), False),
    "skb_store_bytes": (INT, (CTX, ANY, MEM_RO, SIZE, ANY), False),
    "l3_csum_replace": (INT, (CTX, ANY, ANY, ANY, ANY), False),
    "l4_csum_replace": (INT, (CTX, ANY, ANY, ANY, ANY), False),
    "csum_diff": (INT, (MEM_RO_NULL, SIZE0, MEM_RO_NULL, SIZE0, ANY), False),
    "xdp_adjust_head": (INT, (CTX, ANY), False),
    "xdp_adjust_tail": (INT, (CTX, ANY), False),
    "xdp_adjust_meta": (INT, (CTX, ANY), False),
    "redirect": (INT, (ANY, ANY), False),
    "redirect_map": (INT, (MAP, ANY, ANY), False),
}

# helpers whose proto has .pkt_access = true (the verifier lets them read packet memory)
_PKT_ACCESS = {"map_lookup_elem", "map_update_elem", "map_delete_elem", "map_push_elem",
               "map_pop_elem", "map_peek_elem", "csum_diff"}
# bpf_helper_changes_pkt_data(): after these, every packet pointer is invalid
_CHANGES_PKT_DATA = {"skb_store_bytes", "l3_csum_replace", "l4_csum_replace",
                     "xdp_adjust_head", "xdp_adjust_tail", "xdp_adjust_meta"}


# --- Python implementations ----------------------------------------------------------

def _s64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def _neg(e: int) -> int:
    return (-e) & ((1 << 64) - 1)


def _state(vm: Any) -> Any:
    ctx = getattr(vm, "user_object", None)
    state = getattr(ctx, "state", None)
    if state is None:
        raise HelperError("this helper needs a program run started by the runtime", -1)
    return state


def _cstr(vm: Any, addr: int, limit: int) -> bytes:
    """A NUL-terminated string at ``addr`` (at most ``limit`` bytes), checked byte by byte."""
    out = bytearray()
    for i in range(limit):
        b = vm.read(addr + i, 1)
        if b == b"\0":
            return bytes(out)
        out += b
    raise HelperError(f"string at {addr:#x} is not NUL-terminated within {limit} bytes", -1)


_FMT = re.compile(rb"%([-+ #0]*)(\d*)(?:\.(\d+))?(ll|l|h|hh|z)?([diuxXpsc%])")


def _format(vm: Any, fmt: bytes, args: list[int], max_args: int) -> bytes:
    """The kernel's bstr_printf subset used by trace_printk and snprintf."""
    out = bytearray()
    pos = 0
    used = 0
    for m in _FMT.finditer(fmt):
        out += fmt[pos:m.start()]
        pos = m.end()
        flags, width, prec, length, conv = m.groups()
        if conv == b"%":
            out += b"%"
            continue
        if used >= max_args or used >= len(args):
            raise HelperError("more format specifiers than arguments", -1)
        v = args[used]
        used += 1
        bits = 64 if length in (b"l", b"ll", b"z") else 32
        if conv in b"di":
            v &= (1 << bits) - 1
            v = v - (1 << bits) if v >> (bits - 1) else v
            s = str(v).encode()
        elif conv == b"u":
            s = str(v & ((1 << bits) - 1)).encode()
        elif conv in b"xX":
            s = format(v & ((1 << bits) - 1), "x" if conv == b"x" else "X").encode()
        elif conv == b"p":
            s = b"0x" + format(v & ((1 << 64) - 1), "x").encode()
        elif conv == b"c":
            s = bytes([v & 0xFF])
        else:  # %s
            s = _cstr(vm, v, 4096) if v else b"(null)"
            if prec:
                s = s[:int(prec)]
        w = int(width or 0)
        if len(s) < w:
            pad = b"0" if b"0" in flags and conv not in b"sc" else b" "
            s = s + b" " * (w - len(s)) if b"-" in flags else pad * (w - len(s)) + s
        out += s
    out += fmt[pos:]
    return bytes(out)


def trace_printk(vm: Any, fmt: int, size: int, a1: int, a2: int, a3: int) -> int:
    """Append one line to the runtime's trace pipe (read it with ``Runtime.trace_pipe``)."""
    raw = vm.read(fmt, size)
    if b"\0" not in raw:
        return _neg(errno.EINVAL)
    text = _format(vm, raw.split(b"\0", 1)[0], [a1, a2, a3], 3)
    state = getattr(getattr(vm, "user_object", None), "state", None)
    sink = getattr(state, "trace", None)
    if sink is not None:
        sink(text.decode("latin-1").rstrip("\n"))
    return len(text)


def snprintf(vm: Any, out: int, out_size: int, fmt: int, data: int, data_len: int) -> int:
    if data_len % 8 or data_len > 12 * 8:
        return _neg(errno.EINVAL)
    args = list(struct.unpack(f"<{data_len // 8}Q", vm.read(data, data_len))) if data_len else []
    text = _format(vm, _cstr(vm, fmt, 65536), args, 12)
    if out_size:
        n = min(len(text), out_size - 1)
        vm.write(out, text[:n] + b"\0")
    return len(text) + 1


def _strto(vm: Any, buf: int, buf_len: int, flags: int, res: int, signed: bool) -> int:
    if flags & ~0x1F or buf_len == 0:
        return _neg(errno.EINVAL)
    raw = vm.read(buf, buf_len).split(b"\0", 1)[0]
    base = flags & 0x1F
    if base not in (0, 8, 10, 16):
        return _neg(errno.EINVAL)
    i = 0
    while i < len(raw) and raw[i:i + 1].isspace():
        i += 1
    neg = False
    if i < len(raw) and raw[i:i + 1] == b"-":
        if not signed:
            return _neg(errno.EINVAL)
        neg, i = True, i + 1
    if base in (0, 16) and raw[i:i + 2].lower() == b"0x" and raw[i + 2:i + 3] and \
            raw[i + 2:i + 3] in b"0123456789abcdefABCDEF":
        base, i = 16, i + 2
    elif base == 0:
        base = 8 if raw[i:i + 1] == b"0" else 10
    digits = "0123456789abcdef"[:base]
    start = i
    while i < len(raw) and chr(raw[i]).lower() in digits:
        i += 1
    if i == start:
        return _neg(errno.EINVAL)
    value = int(raw[start:i], base)
    if value >> 64 or (signed and (value > (1 << 63) if neg else value >= (1 << 63))):
        return _neg(errno.ERANGE)
    value = -value if neg else value
    vm.write(res, struct.pack("<Q", value & ((1 << 64) - 1)))
    return i


def strtol(vm: Any, buf: int, buf_len: int, flags: int, res: int, _r5: int) -> int:
    return _strto(vm, buf, buf_len, flags, res, True)


def strtoul(vm: Any, buf: int, buf_len: int, flags: int, res: int, _r5: int) -> int:
    return _strto(vm, buf, buf_len, flags, res, False)


def _comm() -> bytes:
    try:
        with open("/proc/self/comm", "rb") as f:
            return f.read().strip()[:15]
    except OSError:
        return b"python"


def get_current_comm(vm: Any, buf: int, size: int, *_: int) -> int:
    if size == 0:
        return _neg(errno.EINVAL)
    name = _comm()[:size - 1]
    vm.write(buf, name + b"\0" * (size - len(name)))
    return 0


def perf_event_output(vm: Any, ctx: int, map_ptr: int, flags: int, data: int, size: int) -> int:
    run = vm.user_object
    cm = run.map_at(map_ptr)
    if cm is None:
        raise HelperError(f"bpf_perf_event_output: {map_ptr:#x} is not a map this program "
                          "may use", -1)
    bmap = run.state.maps_by_address.get(map_ptr)
    if flags & ~(uapi.BPF_F_INDEX_MASK | uapi.BPF_F_CTXLEN_MASK):
        return _neg(errno.EINVAL)
    if bmap is None or bmap.map_type != uapi.BpfMapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY:
        return _neg(errno.EINVAL)
    index = flags & uapi.BPF_F_INDEX_MASK
    if index == uapi.BPF_F_CURRENT_CPU:
        index = vm.cpu
    if index >= bmap.max_entries:
        return _neg(errno.E2BIG)
    reader = bmap.perf_readers.get(index)
    if reader is None:
        return _neg(errno.ENOENT)
    offer = getattr(reader, "offer", None)      # a bounded perf buffer (pyebpf.events)
    if offer is None:
        reader.append(vm.read(data, size))
    elif not offer(vm.read(data, size)):
        return _neg(errno.ENOSPC)
    return 0


def get_stack(vm: Any, ctx: int, buf: int, size: int, flags: int, _r5: int) -> int:
    """bpf_get_stack: the user stack is the Python stack (pyebpf.probes.python_stack: one
    u64 per frame, innermost first); there is no kernel stack (0 bytes)."""
    if flags & ~(uapi.BPF_F_SKIP_FIELD_MASK | uapi.BPF_F_USER_STACK | uapi.BPF_F_USER_BUILD_ID):
        vm.write(buf, bytes(size))
        return _neg(errno.EINVAL)
    user = bool(flags & uapi.BPF_F_USER_STACK)
    elem = 32 if flags & uapi.BPF_F_USER_BUILD_ID else 8
    if (not user and flags & uapi.BPF_F_USER_BUILD_ID) or size % elem:
        vm.write(buf, bytes(size))
        return _neg(errno.EINVAL)
    from pyebpf.probes import python_stack

    state = getattr(getattr(vm, "user_object", None), "state", None)
    ips = python_stack(frame=getattr(state, "sample_frame", None)) if user else []
    ips = ips[flags & uapi.BPF_F_SKIP_FIELD_MASK:][:size // elem]
    if elem == 8:
        data = b"".join(ip.to_bytes(8, "little") for ip in ips)
    else:   # struct bpf_stack_build_id: status BPF_STACK_BUILD_ID_IP (2), then the ip
        data = b"".join(struct.pack("<i20x", 2) + ip.to_bytes(8, "little") for ip in ips)
    vm.write(buf, data + bytes(size - len(data)))
    return len(data)


def get_attach_cookie(vm: Any, ctx: int, *_: int) -> int:
    """bpf_get_attach_cookie: the cookie of the link (or perf event) the program runs
    from (LINK_CREATE's perf_event.bpf_cookie, RAW_TRACEPOINT_OPEN's cookie)."""
    return getattr(_state(vm), "cookie", 0) & ((1 << 64) - 1)


def send_signal(vm: Any, sig: int, *_: int) -> int:
    """bpf_send_signal: ``sig`` to this process (it runs where the event happened)."""
    sig &= 0xFFFFFFFF
    if sig > 64:
        return _neg(errno.EINVAL)
    if sig:
        os.kill(os.getpid(), sig)
    return 0


# packet helpers: the run state knows the packet (see pyebpf.progtypes)

def skb_load_bytes(vm: Any, skb: int, offset: int, to: int, length: int, _r5: int) -> int:
    st = _state(vm)
    data = st.packet_bytes()
    offset = _s64(offset)
    if offset < 0 or offset + length > len(data) or length == 0:
        vm.write(to, bytes(length))
        return _neg(errno.EFAULT)
    vm.write(to, data[offset:offset + length])
    return 0


def skb_store_bytes(vm: Any, skb: int, offset: int, frm: int, length: int, flags: int) -> int:
    st = _state(vm)
    if flags & ~(uapi.BPF_F_RECOMPUTE_CSUM | uapi.BPF_F_INVALIDATE_HASH) or offset > 0xFFFF:
        return _neg(errno.EFAULT if offset > 0xFFFF else errno.EINVAL)
    if offset + length > st.packet_len():
        return _neg(errno.EFAULT)
    st.packet_write(offset, vm.read(frm, length))
    return 0


def _csum_fold_update(old_csum: int, old: int, new: int, size: int) -> int:
    """RFC 1624 incremental update of a 16-bit one's complement checksum."""
    s = (~old_csum) & 0xFFFF
    if size == 4:
        s += ((~old >> 16) & 0xFFFF) + ((~old) & 0xFFFF) + ((new >> 16) & 0xFFFF) + (new & 0xFFFF)
    elif size == 2:
        s += ((~old) & 0xFFFF) + (new & 0xFFFF)
    else:       # size 0: ``new`` is a 32-bit checksum difference (csum_diff result)
        s += (new >> 16) + (new & 0xFFFF)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _bswap(v: int, size: int) -> int:
    # from/to are given as the program loaded them from the (big-endian) packet.
    if size == 2:
        return int.from_bytes((v & 0xFFFF).to_bytes(2, "little"), "big")
    if size == 4:
        return int.from_bytes((v & 0xFFFFFFFF).to_bytes(4, "little"), "big")
    return int.from_bytes((v & 0xFFFFFFFF).to_bytes(4, "little"), "big")


def l3_csum_replace(vm: Any, skb: int, offset: int, frm: int, to: int, flags: int) -> int:
    st = _state(vm)
    size = flags & uapi.BPF_F_HDR_FIELD_MASK
    if flags & ~uapi.BPF_F_HDR_FIELD_MASK or size not in (0, 2, 4) or (size == 0 and frm):
        return _neg(errno.EINVAL)
    if offset > 0xFFFF or offset + 2 > st.packet_len():
        return _neg(errno.EFAULT)
    old = int.from_bytes(st.packet_bytes()[offset:offset + 2], "big")
    new = _csum_fold_update(old, _bswap(frm, size), _bswap(to, size), size)
    st.packet_write(offset, new.to_bytes(2, "big"))
    return 0


def l4_csum_replace(vm: Any, skb: int, offset: int, frm: int, to: int, flags: int) -> int:
    st = _state(vm)
    mangled0 = flags & 0x20        # BPF_F_MARK_MANGLED_0
    size = flags & uapi.BPF_F_HDR_FIELD_MASK
    if flags & ~(0x20 | uapi.BPF_F_MARK_ENFORCE | uapi.BPF_F_PSEUDO_HDR
                 | uapi.BPF_F_HDR_FIELD_MASK) or size not in (0, 2, 4):
        return _neg(errno.EINVAL)
    if offset > 0xFFFF or offset + 2 > st.packet_len():
        return _neg(errno.EFAULT)
    old = int.from_bytes(st.packet_bytes()[offset:offset + 2], "big")
    if mangled0 and old == 0:
        return 0
    new = _csum_fold_update(old, _bswap(frm, size), _bswap(to, size), size)
    if mangled0 and new == 0:
        new = 0xFFFF
    st.packet_write(offset, new.to_bytes(2, "big"))
    return 0


def xdp_adjust_head(vm: Any, ctx: int, delta: int, *_: int) -> int:
    return _state(vm).xdp_adjust_head(_s32(delta))


def xdp_adjust_tail(vm: Any, ctx: int, delta: int, *_: int) -> int:
    return _state(vm).xdp_adjust_tail(_s32(delta))


def xdp_adjust_meta(vm: Any, ctx: int, delta: int, *_: int) -> int:
    return _state(vm).xdp_adjust_meta(_s32(delta))


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def redirect(vm: Any, ifindex: int, flags: int, *_: int) -> int:
    return _state(vm).redirect(ifindex & 0xFFFFFFFF, flags, None)


def redirect_map(vm: Any, map_ptr: int, key: int, flags: int, *_: int) -> int:
    run = vm.user_object
    if run.map_at(map_ptr) is None:
        raise HelperError(f"bpf_redirect_map: {map_ptr:#x} is not a map this program may use", -1)
    return _state(vm).redirect(key & 0xFFFFFFFF, flags, map_ptr)


def loop(vm: Any, nr: int, fn: int, ctx: int, flags: int, _r5: int) -> int:
    if flags:
        return _neg(errno.EINVAL)
    if nr > 1 << 23:
        return _neg(errno.E2BIG)
    st = _state(vm)
    for i in range(nr):
        if st.call_subprog(vm, fn, i, ctx):
            return i + 1
    return nr


def for_each_map_elem(vm: Any, map_ptr: int, fn: int, ctx: int, flags: int, _r5: int) -> int:
    if flags:
        return _neg(errno.EINVAL)
    run = vm.user_object
    cm = run.map_at(map_ptr)
    if cm is None:
        raise HelperError(f"bpf_for_each_map_elem: {map_ptr:#x} is not a map this program "
                          "may use", -1)
    return _state(vm).for_each_map_elem(vm, cm, fn, ctx)


_PY_IMPLS: dict[str, Callable[..., Any]] = {
    "trace_printk": trace_printk, "snprintf": snprintf, "strtol": strtol, "strtoul": strtoul,
    "get_current_comm": get_current_comm, "perf_event_output": perf_event_output,
    "get_stack": get_stack, "send_signal": send_signal,
    "get_attach_cookie": get_attach_cookie,
    "skb_load_bytes": skb_load_bytes, "skb_store_bytes": skb_store_bytes,
    "l3_csum_replace": l3_csum_replace, "l4_csum_replace": l4_csum_replace,
    "xdp_adjust_head": xdp_adjust_head, "xdp_adjust_tail": xdp_adjust_tail,
    "xdp_adjust_meta": xdp_adjust_meta, "redirect": redirect, "redirect_map": redirect_map,
    "loop": loop, "for_each_map_elem": for_each_map_elem,
}


def _build() -> dict[int, Helper]:
    c_impls = _maps.c_helpers()
    out = {}
    for name, (ret, args, gpl) in PROTOTYPES.items():
        hid = F["BPF_FUNC_" + name].value
        impl = c_impls.get(hid) or _PY_IMPLS.get(name)
        if impl is None:
            raise RuntimeError(f"helper {name} has a prototype and no implementation")
        out[hid] = Helper(hid, name, ret, args, impl, gpl, name in _PKT_ACCESS,
                          name in _CHANGES_PKT_DATA)
    return out


HELPERS: dict[int, Helper] = _build()
"""Kernel helper id -> :class:`Helper`, built-in and user-registered."""


def register_helper(hid: int, name: str, impl: Any, ret: Ret = Ret.RET_INTEGER,
                    args: tuple[ArgSpec, ...] = (), *, gpl_only: bool = False,
                    replace: bool = False) -> Helper:
    """Add a helper: ``impl`` is ``fn(vm, r1..r5) -> int`` or a "pyebpf.helper" capsule.

    Its prototype is what the verifier checks calls against; programs of every
    type may call a user helper.  An existing id is only replaced on request.
    """
    if not 0 < hid < 1024:
        raise ValueError("helper ids are 1..1023")
    if hid in HELPERS and not replace:
        raise ValueError(f"helper {hid} ({HELPERS[hid].name}) already exists")
    if len(args) > 5:
        raise ValueError("helpers take at most five arguments")
    h = Helper(hid, name, ret, tuple(args), impl, gpl_only)
    HELPERS[hid] = h
    USER_HELPERS.add(hid)
    return h


USER_HELPERS: set[int] = set()


def identity() -> tuple[int, int]:
    """(pid_tgid, uid_gid) of the calling thread as the kernel helpers report them."""
    return (os.getpid() << 32) | threading.get_native_id(), (os.getgid() << 32) | os.getuid()


def by_name(name: str) -> Helper:
    return HELPERS[F["BPF_FUNC_" + name].value]
