"""What the verifier checks a program against, taken from the rest of pyebpf.

Nothing here is a second copy: helper prototypes come from :mod:`pyebpf.helpers`
(``HELPERS``: the kernel's ``bpf_func_proto`` as data), which helpers a program
type may call and its context size from :mod:`pyebpf.progtypes`, map and program
type numbers and the context structs (``struct __sk_buff``, ``struct xdp_md``) from
:mod:`pyebpf.uapi`.  What stays here are the verifier's own rules, written as the
kernel writes them in its ``*_is_valid_access`` callbacks and in
``check_map_func_compatibility``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pyebpf import helpers, progtypes, uapi
from pyebpf.helpers import Arg, Helper, Mod, Ret
from pyebpf.verifier import sockctx
from pyebpf.verifier.sockctx import FLOW_KEYS_SIZE, sock_access, tcp_sock_access

__all__ = ["Arg", "Helper", "MapInfo", "Mod", "Ret", "ctx_access", "helper_for",
           "map_func_incompatible"]

PT = uapi.BpfProgType
MT = uapi.BpfMapType
F = uapi.BpfFunc
SOCKET_FILTER = int(PT.BPF_PROG_TYPE_SOCKET_FILTER)
SCHED_CLS = int(PT.BPF_PROG_TYPE_SCHED_CLS)
SCHED_ACT = int(PT.BPF_PROG_TYPE_SCHED_ACT)
XDP = int(PT.BPF_PROG_TYPE_XDP)
CGROUP_SKB = int(PT.BPF_PROG_TYPE_CGROUP_SKB)
HELPER_ID_LIMIT = max(int(f) for f in F) + 1  # __BPF_FUNC_MAX_ID: above it "unknown#N"

BPF_F_RDONLY_PROG = uapi.BPF_F_RDONLY_PROG
ARRAY_MAPS = frozenset((int(MT.BPF_MAP_TYPE_ARRAY), int(MT.BPF_MAP_TYPE_PERCPU_ARRAY)))


@dataclass(frozen=True)
class MapInfo:
    """What the verifier knows about a map an LD_IMM64 refers to.

    ``contents`` is the value of a frozen single-element array (``.rodata``) when the
    loader knows it: format strings passed as ARG_PTR_TO_CONST_STR are read there.
    """

    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0
    contents: bytes | None = None
    name: str = ""
    has_btf: bool = False       # created with a BTF value type (bpf_spin_lock needs one)
    fields: tuple = ()          # the value's special fields (pyebpf.btf.Field), by offset
    spin_lock_off: int = -1     # where the bpf_spin_lock programs may take is
    # a map-in-map's inner_map_meta: a non-NULL lookup result is a pointer to such a map
    inner: MapInfo | None = None


# --- helpers ----------------------------------------------------------------------------

def helper_for(prog_type: int, func_id: int, attach: int = 0) -> Helper | None:
    """The helper ``func_id`` if programs of ``prog_type`` (loaded for ``attach``) may
    call it (get_func_proto)."""
    h = helpers.HELPERS.get(func_id)
    if h is None:
        return None
    spec = progtypes.PROG_TYPES.get(prog_type)
    if spec is not None and not spec.helper_allowed(func_id, attach):
        return None
    if prog_type == PT.BPF_PROG_TYPE_SYSCALL and h.name in helpers.TRACING_VARIANTS:
        return dataclasses.replace(h, args=helpers.TRACING_VARIANTS[h.name])
    if h.name == "get_cgroup_classid" and prog_type not in (SCHED_CLS, SCHED_ACT):
        return dataclasses.replace(h, args=())  # bpf_get_cgroup_classid_curr: no skb
    return h


def helper_name(func_id: int) -> str | None:
    """The kernel's name of a helper id (``map_lookup_elem``), for the log."""
    h = helpers.HELPERS.get(func_id)
    if h is not None:
        return h.name
    try:
        return F(func_id).name.removeprefix("BPF_FUNC_")
    except ValueError:
        return None


# bpf_base_func_proto's first group (no capability needed) and what sk_filter_func_proto
# and bpf_sk_base_func_proto add without CAP_PERFMON: the helpers a program loaded
# without CAP_BPF/CAP_PERFMON may call (by name, as helpers.HELPERS names them).
UNPRIV_HELPERS = frozenset((
    "map_lookup_elem", "map_update_elem", "map_delete_elem", "map_push_elem",
    "map_pop_elem", "map_peek_elem", "map_lookup_percpu_elem", "get_prandom_u32",
    "get_current_uid_gid",
    "get_smp_processor_id", "get_numa_node_id", "tail_call", "ktime_get_ns",
    "ktime_get_boot_ns", "ktime_get_tai_ns", "ringbuf_output", "ringbuf_reserve",
    "ringbuf_submit", "ringbuf_discard", "ringbuf_query", "strncmp", "strtol", "strtoul",
    "get_current_pid_tgid", "get_ns_current_pid_tgid", "ktime_get_coarse_ns",
    "skb_load_bytes", "skb_load_bytes_relative", "get_socket_cookie", "get_socket_uid",
    "perf_event_output"))
# bpf_prog_load: the program types a loader without CAP_BPF may load
UNPRIV_PROG_TYPES = frozenset((SOCKET_FILTER, int(PT.BPF_PROG_TYPE_CGROUP_SKB)))


# check_map_func_compatibility: maps that only some helpers take, and helpers that only
# take some maps.  Written the kernel's way round, both directions.
_MAP_ONLY = {
    MT.BPF_MAP_TYPE_PROG_ARRAY: ("tail_call",),
    MT.BPF_MAP_TYPE_RINGBUF: ("ringbuf_output", "ringbuf_reserve", "ringbuf_query"),
    MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY: ("perf_event_output", "perf_event_read",
                                       "perf_event_read_value", "skb_output", "xdp_output"),
    MT.BPF_MAP_TYPE_QUEUE: ("map_peek_elem", "map_pop_elem", "map_push_elem"),
    MT.BPF_MAP_TYPE_STACK: ("map_peek_elem", "map_pop_elem", "map_push_elem"),
    MT.BPF_MAP_TYPE_BLOOM_FILTER: ("map_peek_elem", "map_push_elem"),
    MT.BPF_MAP_TYPE_DEVMAP: ("redirect_map", "map_lookup_elem"),
    MT.BPF_MAP_TYPE_DEVMAP_HASH: ("redirect_map", "map_lookup_elem"),
    MT.BPF_MAP_TYPE_CPUMAP: ("redirect_map",),
    MT.BPF_MAP_TYPE_XSKMAP: ("redirect_map", "map_lookup_elem"),
    MT.BPF_MAP_TYPE_ARRAY_OF_MAPS: ("map_lookup_elem",),
    MT.BPF_MAP_TYPE_HASH_OF_MAPS: ("map_lookup_elem",),
    MT.BPF_MAP_TYPE_STACK_TRACE: ("get_stackid",),
    MT.BPF_MAP_TYPE_CGROUP_ARRAY: ("skb_under_cgroup", "current_task_under_cgroup"),
    MT.BPF_MAP_TYPE_SOCKMAP: ("sk_redirect_map", "sock_map_update", "msg_redirect_map",
                              "sk_select_reuseport", "map_lookup_elem", "map_update_elem",
                              "map_delete_elem"),
    MT.BPF_MAP_TYPE_SOCKHASH: ("sk_redirect_hash", "sock_hash_update", "msg_redirect_hash",
                               "sk_select_reuseport", "map_lookup_elem", "map_update_elem",
                               "map_delete_elem"),
    MT.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY: ("sk_select_reuseport",),
    MT.BPF_MAP_TYPE_CGROUP_STORAGE: ("get_local_storage",),
    MT.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: ("get_local_storage",),
    MT.BPF_MAP_TYPE_SK_STORAGE: ("sk_storage_get", "sk_storage_delete"),
    MT.BPF_MAP_TYPE_USER_RINGBUF: ("user_ringbuf_drain",),
}
_FUNC_ONLY = {
    "tail_call": (MT.BPF_MAP_TYPE_PROG_ARRAY,),
    "ringbuf_output": (MT.BPF_MAP_TYPE_RINGBUF,),
    "ringbuf_reserve": (MT.BPF_MAP_TYPE_RINGBUF,),
    "ringbuf_query": (MT.BPF_MAP_TYPE_RINGBUF,),
    "perf_event_output": (MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY,),
    "perf_event_read": (MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY,),
    "perf_event_read_value": (MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY,),
    "skb_output": (MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY,),
    "xdp_output": (MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY,),
    "get_stackid": (MT.BPF_MAP_TYPE_STACK_TRACE,),
    "skb_under_cgroup": (MT.BPF_MAP_TYPE_CGROUP_ARRAY,),
    "current_task_under_cgroup": (MT.BPF_MAP_TYPE_CGROUP_ARRAY,),
    "sk_redirect_map": (MT.BPF_MAP_TYPE_SOCKMAP,),
    "msg_redirect_map": (MT.BPF_MAP_TYPE_SOCKMAP,),
    "sock_map_update": (MT.BPF_MAP_TYPE_SOCKMAP,),
    "sk_redirect_hash": (MT.BPF_MAP_TYPE_SOCKHASH,),
    "msg_redirect_hash": (MT.BPF_MAP_TYPE_SOCKHASH,),
    "sock_hash_update": (MT.BPF_MAP_TYPE_SOCKHASH,),
    "sk_select_reuseport": (MT.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, MT.BPF_MAP_TYPE_SOCKMAP,
                            MT.BPF_MAP_TYPE_SOCKHASH),
    "get_local_storage": (MT.BPF_MAP_TYPE_CGROUP_STORAGE,
                          MT.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE),
    "sk_storage_get": (MT.BPF_MAP_TYPE_SK_STORAGE,),
    "sk_storage_delete": (MT.BPF_MAP_TYPE_SK_STORAGE,),
    "inode_storage_get": (MT.BPF_MAP_TYPE_INODE_STORAGE,),
    "inode_storage_delete": (MT.BPF_MAP_TYPE_INODE_STORAGE,),
    "task_storage_get": (MT.BPF_MAP_TYPE_TASK_STORAGE,),
    "task_storage_delete": (MT.BPF_MAP_TYPE_TASK_STORAGE,),
    "cgrp_storage_get": (MT.BPF_MAP_TYPE_CGRP_STORAGE,),
    "cgrp_storage_delete": (MT.BPF_MAP_TYPE_CGRP_STORAGE,),
    "user_ringbuf_drain": (MT.BPF_MAP_TYPE_USER_RINGBUF,),
    "map_pop_elem": (MT.BPF_MAP_TYPE_QUEUE, MT.BPF_MAP_TYPE_STACK),
    "map_push_elem": (MT.BPF_MAP_TYPE_QUEUE, MT.BPF_MAP_TYPE_STACK,
                      MT.BPF_MAP_TYPE_BLOOM_FILTER),
    "map_peek_elem": (MT.BPF_MAP_TYPE_QUEUE, MT.BPF_MAP_TYPE_STACK,
                      MT.BPF_MAP_TYPE_BLOOM_FILTER),
    "redirect_map": (MT.BPF_MAP_TYPE_DEVMAP, MT.BPF_MAP_TYPE_DEVMAP_HASH,
                     MT.BPF_MAP_TYPE_CPUMAP, MT.BPF_MAP_TYPE_XSKMAP),
    "map_lookup_percpu_elem": (MT.BPF_MAP_TYPE_PERCPU_ARRAY, MT.BPF_MAP_TYPE_PERCPU_HASH,
                               MT.BPF_MAP_TYPE_LRU_PERCPU_HASH),
    "for_each_map_elem": (MT.BPF_MAP_TYPE_HASH, MT.BPF_MAP_TYPE_LRU_HASH,
                          MT.BPF_MAP_TYPE_ARRAY, MT.BPF_MAP_TYPE_PERCPU_HASH,
                          MT.BPF_MAP_TYPE_LRU_PERCPU_HASH, MT.BPF_MAP_TYPE_PERCPU_ARRAY),
}


# may_update_sockmap: the program types that may update a sock map (delete too: and sock_ops)
_SOCKMAP_WRITERS = frozenset(int(t) for t in (
    PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT,
    PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_SK_REUSEPORT, PT.BPF_PROG_TYPE_FLOW_DISSECTOR,
    PT.BPF_PROG_TYPE_SK_LOOKUP))
_SOCK_MAPS = (MT.BPF_MAP_TYPE_SOCKMAP, MT.BPF_MAP_TYPE_SOCKHASH)


def map_func_incompatible(map_type: int, func: str, prog_type: int = -1) -> bool:
    """check_map_func_compatibility: True when ``func`` may not be given this map."""
    only = _MAP_ONLY.get(map_type)  # type: ignore[call-overload]
    if only is not None and func not in only:
        return True
    if map_type in _SOCK_MAPS and func in ("map_update_elem", "map_delete_elem") and \
            prog_type not in _SOCKMAP_WRITERS and not (
                func == "map_delete_elem" and prog_type == PT.BPF_PROG_TYPE_SOCK_OPS):
        return True
    allowed = _FUNC_ONLY.get(func)
    return allowed is not None and map_type not in allowed


# --- context access (the kernel's per-type is_valid_access callbacks) -------------------

def _skb(name: str) -> tuple[int, int]:
    """Offset and end of a ``struct __sk_buff`` field (uapi.SkBuff)."""
    f = getattr(uapi.SkBuff, name)
    return f.offset, f.offset + f.size


SKB_SIZE = uapi.ctypes.sizeof(uapi.SkBuff)
_CB = _skb("cb")
_DATA, _DATA_END, _DATA_META = _skb("data")[0], _skb("data_end")[0], _skb("data_meta")[0]
_TC_CLASSID = _skb("tc_classid")[0]
_FAMILY_TO_LOCAL_PORT = (_skb("family")[0], _skb("local_port")[1])
_REMOTE_IP4_TO_IP6 = (_skb("remote_ip4")[0], _skb("local_ip6")[1])
_FLOW_KEYS, _TSTAMP, _WIRE_LEN = _skb("flow_keys"), _skb("tstamp"), _skb("wire_len")[0]
_SK, _TSTAMP_TYPE, _HWTSTAMP = _skb("sk"), _skb("tstamp_type")[0], _skb("hwtstamp")
_TC_WRITABLE = tuple(_skb(n)[0] for n in ("mark", "tc_index", "priority", "tc_classid",
                                          "queue_mapping"))
_XDP = {f[0]: getattr(uapi.XdpMd, f[0]).offset for f in uapi.XdpMd._fields_}
XDP_SIZE = uapi.ctypes.sizeof(uapi.XdpMd)
PERF_MAX_TRACE_SIZE = 8192  # tracepoint contexts: tp_prog_is_valid_access (6.18)


def _in(off: int, rng: tuple[int, int]) -> bool:
    return rng[0] <= off < rng[1]


_CG_SKB_WRITABLE = tuple(_skb(n)[0] for n in ("mark", "priority"))


def skb_access(prog_type: int, off: int, size: int, write: bool,
               priv: bool = True) -> str | None:
    """sk_filter/tc_cls_act/cg_skb_is_valid_access: the loaded value's kind, or None.

    ``priv`` False is a loader without CAP_BPF: a cgroup skb program may then neither
    read data/data_end nor write tstamp.
    """
    if off < 0 or off >= SKB_SIZE or off % size:
        return None
    f = off - off % 4  # the u32 field the access starts in
    if prog_type == CGROUP_SKB:
        if f in (_TC_CLASSID, _DATA_META, _WIRE_LEN):
            return None
        if f in (_DATA, _DATA_END) and not priv:
            return None
        if write and not (f in _CG_SKB_WRITABLE or _in(f, _CB) or (_in(f, _TSTAMP) and priv)):
            return None
    elif prog_type == SOCKET_FILTER:
        if f in (_TC_CLASSID, _DATA, _DATA_META, _DATA_END, _WIRE_LEN) or \
                _in(f, _FAMILY_TO_LOCAL_PORT) or _in(f, _TSTAMP) or f >= _HWTSTAMP[0]:
            return None
        if write and not _in(f, _CB):
            return None
    else:
        if write and not (f in _TC_WRITABLE or _in(f, _CB) or _in(f, _TSTAMP)):
            return None
        if _in(f, _FAMILY_TO_LOCAL_PORT):
            return None
    kind = "scalar"
    if _in(f, _CB):
        if off + size > _CB[1]:
            return None
    elif _in(f, _REMOTE_IP4_TO_IP6) or f in (_DATA, _DATA_META, _DATA_END):
        if size != 4:
            return None
        if prog_type != SOCKET_FILTER:
            kind = {_DATA: "pkt", _DATA_META: "pkt_meta", _DATA_END: "pkt_end"}.get(f, kind)
    elif f == _TSTAMP_TYPE and prog_type in (SCHED_CLS, SCHED_ACT) and off == _TSTAMP_TYPE:
        # tc_cls_act_is_valid_access: a u8 read of tstamp_type (its writes need BTF)
        if write or size != 1:
            return None
    elif off == _SK[0] and size == 8 and not write:
        # bpf_skb_is_valid_access: an 8-byte read of sk, typed PTR_TO_SOCK_COMMON_OR_NULL
        kind = "sock_common_or_null"
    elif _in(f, _FLOW_KEYS) or _in(f, _SK) or _TSTAMP_TYPE <= f < _HWTSTAMP[0]:
        return None  # flow_keys, any other access to sk, padding
    elif _in(f, _HWTSTAMP):
        if write or size != 8:
            return None
    elif _in(f, _TSTAMP):
        if size != 8:
            return None
    elif write:
        if size != 4:
            return None
    elif size > 4:
        return None
    return kind


def xdp_access(off: int, size: int, write: bool) -> str | None:
    """xdp_is_valid_access: no writes, 4-byte reads, egress_ifindex refused."""
    if write or off == _XDP["egress_ifindex"] or off < 0 or off >= XDP_SIZE or off % size \
            or size != 4:
        return None
    return {_XDP["data"]: "pkt", _XDP["data_meta"]: "pkt_meta",
            _XDP["data_end"]: "pkt_end"}.get(off, "scalar")


PT_REGS_SIZE = 168                      # struct pt_regs (x86-64)
PERF_EVENT_DATA_SIZE = PT_REGS_SIZE + 16  # struct bpf_perf_event_data: regs, sample_period, addr


def perf_event_access(off: int, size: int, write: bool) -> str | None:
    """pe_prog_is_valid_access: the registers in whole u64s, sample_period and addr also
    in narrower aligned reads."""
    if write or off < 0 or off >= PERF_EVENT_DATA_SIZE or off % size:
        return None
    if off < PT_REGS_SIZE and size != 8:
        return None
    return "scalar"


def tracepoint_access(off: int, size: int, write: bool) -> str | None:
    """tp_prog_is_valid_access: reads past the common header's first 8 bytes.

    The kernel compares ``off < sizeof(void *)`` unsigned, so a negative offset passes
    that check and the signed ``off >= PERF_MAX_TRACE_SIZE`` one: aligned negative
    offsets are accepted, as there.
    """
    if write or off >= PERF_MAX_TRACE_SIZE or 0 <= off < 8 or off % size:
        return None
    return "scalar"


def ctx_access(prog_type: int, off: int, size: int, write: bool,
               priv: bool = True, attach: int = 0) -> str | None:
    """The kind of value a context access yields (None: the kernel refuses it).

    ``attach`` is the program's expected_attach_type: cgroup sock, sock_addr and sockopt
    programs see different fields for different ones."""
    if prog_type in sockctx.TYPES:
        return sockctx.ctx_access(prog_type, off, size, write, fixup_attach_type(prog_type,
                                                                                 attach))
    if prog_type == XDP:
        return xdp_access(off, size, write)
    if prog_type in (SOCKET_FILTER, SCHED_CLS, SCHED_ACT, CGROUP_SKB):
        return skb_access(prog_type, off, size, write, priv)
    if prog_type == PT.BPF_PROG_TYPE_PERF_EVENT:
        return perf_event_access(off, size, write)
    if prog_type == PT.BPF_PROG_TYPE_TRACEPOINT:
        return tracepoint_access(off, size, write)
    if off < 0 or off % size:
        return None
    spec = progtypes.PROG_TYPES.get(prog_type)
    limit = spec.ctx_size if spec is not None else 0
    if prog_type == PT.BPF_PROG_TYPE_SYSCALL:
        return "scalar" if off + size <= limit else None
    if write or off + size > limit:
        return None
    return "scalar"


# bpf_convert_ctx_access: the __sk_buff u32 fields loaded from a narrower sk_buff (or
# sock) field, and its size (the conversion's target_size).
_SKB_TARGET_SIZE = {_skb(n)[0]: size for n, size in (
    ("pkt_type", 1), ("queue_mapping", 2), ("protocol", 2), ("vlan_tci", 2),
    ("vlan_proto", 2), ("tc_index", 2), ("tc_classid", 2), ("family", 2),
    ("remote_port", 2), ("local_port", 2), ("gso_segs", 2), ("gso_size", 2))}


def ctx_load_conversion(prog_type: int, off: int, size: int) -> int | None:
    """convert_ctx_accesses for a narrow context load the verifier accepted.

    A narrow load of a u32 ``__sk_buff`` field becomes a load of the whole converted
    field, then a shift and mask to the bytes asked for; but the kernel skips the shift
    and mask when the access is not narrower than the sk_buff field the conversion
    loads (``size < target_size`` is false), so such a load returns the whole value
    (``pkt_type`` at +1, the upper half of ``protocol``).  Returns the offset of the u32
    load that gives the kernel's result, or None where the plain load already does.
    """
    if prog_type not in (SOCKET_FILTER, SCHED_CLS, SCHED_ACT, CGROUP_SKB) or size >= 4:
        return None
    f = off - off % 4
    target = _SKB_TARGET_SIZE.get(f)
    if target is None or size < target:
        return None
    return f


BPF_CGROUP_INET_INGRESS = int(uapi.BpfAttachType.BPF_CGROUP_INET_INGRESS)
BPF_CGROUP_INET_EGRESS = int(uapi.BpfAttachType.BPF_CGROUP_INET_EGRESS)


AT = uapi.BpfAttachType
# cgroup types answering allow (1) or deny (0) at exit (check_return_code)
_CGROUP_VERDICT = frozenset(int(t) for t in (
    PT.BPF_PROG_TYPE_SOCK_OPS, PT.BPF_PROG_TYPE_CGROUP_SOCK, PT.BPF_PROG_TYPE_CGROUP_SOCKOPT,
    PT.BPF_PROG_TYPE_CGROUP_SYSCTL, PT.BPF_PROG_TYPE_CGROUP_DEVICE,
    PT.BPF_PROG_TYPE_SK_LOOKUP))
# sock_addr hooks that cannot refuse: recvmsg and getpeername/getsockname return 1
_SOCK_ADDR_RET1 = frozenset(int(a) for a in (
    AT.BPF_CGROUP_UDP4_RECVMSG, AT.BPF_CGROUP_UDP6_RECVMSG, AT.BPF_CGROUP_UNIX_RECVMSG,
    AT.BPF_CGROUP_INET4_GETPEERNAME, AT.BPF_CGROUP_INET6_GETPEERNAME,
    AT.BPF_CGROUP_UNIX_GETPEERNAME, AT.BPF_CGROUP_INET4_GETSOCKNAME,
    AT.BPF_CGROUP_INET6_GETSOCKNAME, AT.BPF_CGROUP_UNIX_GETSOCKNAME))
_SOCK_ADDR_BIND = frozenset((int(AT.BPF_CGROUP_INET4_BIND), int(AT.BPF_CGROUP_INET6_BIND)))
# bpf_prog_load_check_attach: the attach types each checked program type takes
_ATTACH_TYPES: dict[int, frozenset[int]] = {
    CGROUP_SKB: frozenset((BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS)),
    int(PT.BPF_PROG_TYPE_CGROUP_SOCK): frozenset(int(a) for a in (
        AT.BPF_CGROUP_INET_SOCK_CREATE, AT.BPF_CGROUP_INET_SOCK_RELEASE,
        AT.BPF_CGROUP_INET4_POST_BIND, AT.BPF_CGROUP_INET6_POST_BIND)),
    int(PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR): _SOCK_ADDR_RET1 | _SOCK_ADDR_BIND | frozenset(
        int(a) for a in (AT.BPF_CGROUP_INET4_CONNECT, AT.BPF_CGROUP_INET6_CONNECT,
                         AT.BPF_CGROUP_UNIX_CONNECT, AT.BPF_CGROUP_UDP4_SENDMSG,
                         AT.BPF_CGROUP_UDP6_SENDMSG, AT.BPF_CGROUP_UNIX_SENDMSG)),
    int(PT.BPF_PROG_TYPE_CGROUP_SOCKOPT): frozenset((int(AT.BPF_CGROUP_GETSOCKOPT),
                                                     int(AT.BPF_CGROUP_SETSOCKOPT))),
    int(PT.BPF_PROG_TYPE_SK_LOOKUP): frozenset((int(AT.BPF_SK_LOOKUP),)),
    int(PT.BPF_PROG_TYPE_SK_REUSEPORT): frozenset((int(AT.BPF_SK_REUSEPORT_SELECT),
                                                   int(AT.BPF_SK_REUSEPORT_SELECT_OR_MIGRATE))),
}
# bpf_prog_load_fixup_attach_type: what an expected_attach_type of 0 becomes
_ATTACH_FIXUP = {int(PT.BPF_PROG_TYPE_CGROUP_SOCK): int(AT.BPF_CGROUP_INET_SOCK_CREATE),
                 int(PT.BPF_PROG_TYPE_SK_REUSEPORT): int(AT.BPF_SK_REUSEPORT_SELECT)}


def fixup_attach_type(prog_type: int, expected_attach_type: int) -> int:
    """bpf_prog_load_fixup_attach_type: cgroup sock and reuseport programs loaded with
    expected_attach_type 0 (old loaders) get their type's default."""
    if expected_attach_type == 0:
        return _ATTACH_FIXUP.get(prog_type, 0)
    return expected_attach_type


def return_range(prog_type: int, expected_attach_type: int = 0) -> tuple[int, int] | None:
    """check_return_code: the range R0 must be in at exit, None where any value goes.

    cgroup skb programs answer allow (1) or drop (0); on egress bit 1 may also ask for
    congestion notification (cn), so 0..3 there.  cgroup bind hooks may also set bit 1
    (bypass the CAP_NET_BIND_SERVICE check); recvmsg and getpeername/getsockname hooks
    cannot refuse.
    """
    if prog_type == CGROUP_SKB:
        return (0, 3) if expected_attach_type == BPF_CGROUP_INET_EGRESS else (0, 1)
    if prog_type in _CGROUP_VERDICT:
        return (0, 1)
    if prog_type == PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
        if expected_attach_type in _SOCK_ADDR_BIND:
            return (0, 3)
        return (1, 1) if expected_attach_type in _SOCK_ADDR_RET1 else (0, 1)
    return None


def check_attach_type(prog_type: int, expected_attach_type: int) -> bool:
    """bpf_prog_load_check_attach: whether ``expected_attach_type`` suits ``prog_type``
    (the types whose attach type it checks; the others take any)."""
    allowed = _ATTACH_TYPES.get(prog_type)
    if allowed is None:
        return True
    return fixup_attach_type(prog_type, expected_attach_type) in allowed


# may_access_direct_pkt_data: the program types that may write the packet directly
_PKT_WRITERS = frozenset(int(t) for t in (
    PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT, PT.BPF_PROG_TYPE_XDP,
    PT.BPF_PROG_TYPE_LWT_XMIT, PT.BPF_PROG_TYPE_SK_SKB, PT.BPF_PROG_TYPE_SK_MSG,
    PT.BPF_PROG_TYPE_CGROUP_SOCKOPT))


def pkt_write_ok(prog_type: int) -> bool:
    """Whether stores through a packet pointer are allowed ("cannot write into packet")."""
    return prog_type in _PKT_WRITERS


def ctx_size(prog_type: int) -> int:
    spec = progtypes.PROG_TYPES.get(prog_type)
    return spec.ctx_size if spec is not None else 0


def arg_is(spec: helpers.ArgSpec, t: Arg, mods: Mod = Mod.NONE) -> bool:
    return spec.type is t and (spec.mods & mods) == mods


__all__ += ["FLOW_KEYS_SIZE", "fixup_attach_type", "pkt_write_ok", "sock_access",
            "tcp_sock_access"]
__all__ += ["UNPRIV_HELPERS", "UNPRIV_PROG_TYPES", "Ret", "arg_is", "check_attach_type",
            "ctx_load_conversion", "ctx_size", "helper_name", "return_range"]
