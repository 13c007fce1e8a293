"""Helper prototypes, map descriptions and program-type context layouts the verifier checks.

Kept in one place: helper ids and argument kinds follow ``include/uapi/linux/bpf.h``
and the kernel's ``bpf_func_proto`` tables (kernel/bpf/helpers.c, net/core/filter.c);
context field rules follow ``sk_filter_is_valid_access``, ``tc_cls_act_is_valid_access``
and ``xdp_is_valid_access``.
"""

from __future__ import annotations

from dataclasses import dataclass

# program types (enum bpf_prog_type)
SOCKET_FILTER, SCHED_CLS, SCHED_ACT, XDP = 1, 3, 4, 6

# map types (enum bpf_map_type)
MAP_HASH, MAP_ARRAY, MAP_PROG_ARRAY, MAP_PERCPU_HASH, MAP_PERCPU_ARRAY = 1, 2, 3, 5, 6
MAP_LRU_HASH, MAP_RINGBUF = 9, 27
BPF_F_RDONLY_PROG = 1 << 7


@dataclass(frozen=True)
class MapInfo:
    """What the verifier knows about a map an LD_IMM64 refers to."""

    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0


# argument kinds (a subset of enum bpf_arg_type)
ANYTHING = "anything"
CONST_MAP_PTR = "map_ptr"
PTR_TO_MAP_KEY = "map_key"
PTR_TO_MAP_VALUE = "map_value"
PTR_TO_CTX = "ctx"
PTR_TO_MEM_RO = "mem"
CONST_SIZE = "size"
CONST_SIZE_OR_ZERO = "size_or_zero"
CONST_ALLOC_SIZE_OR_ZERO = "alloc_size"
PTR_TO_RINGBUF_MEM_RELEASE = "ringbuf_mem"

# return kinds
RET_INTEGER, RET_VOID = "integer", "void"
RET_MAP_VALUE_OR_NULL, RET_RINGBUF_MEM_OR_NULL = "map_value_or_null", "ringbuf_mem_or_null"


@dataclass(frozen=True)
class HelperProto:
    """A helper's id, name, argument kinds and return kind."""

    func_id: int
    name: str
    args: tuple[str, ...]
    ret: str = RET_INTEGER
    map_types: tuple[int, ...] = ()  # map types the helper accepts (empty: any but special)


HELPERS: dict[int, HelperProto] = {p.func_id: p for p in (
    HelperProto(1, "map_lookup_elem", (CONST_MAP_PTR, PTR_TO_MAP_KEY), RET_MAP_VALUE_OR_NULL),
    HelperProto(2, "map_update_elem", (CONST_MAP_PTR, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE,
                                       ANYTHING)),
    HelperProto(3, "map_delete_elem", (CONST_MAP_PTR, PTR_TO_MAP_KEY)),
    HelperProto(5, "ktime_get_ns", ()),
    HelperProto(6, "trace_printk", (PTR_TO_MEM_RO, CONST_SIZE, ANYTHING, ANYTHING, ANYTHING)),
    HelperProto(7, "get_prandom_u32", ()),
    HelperProto(8, "get_smp_processor_id", ()),
    HelperProto(12, "tail_call", (PTR_TO_CTX, CONST_MAP_PTR, ANYTHING), RET_VOID,
                (MAP_PROG_ARRAY,)),
    HelperProto(42, "get_numa_node_id", ()),
    HelperProto(125, "ktime_get_boot_ns", ()),
    HelperProto(130, "ringbuf_output", (CONST_MAP_PTR, PTR_TO_MEM_RO, CONST_SIZE_OR_ZERO,
                                        ANYTHING), map_types=(MAP_RINGBUF,)),
    HelperProto(131, "ringbuf_reserve", (CONST_MAP_PTR, CONST_ALLOC_SIZE_OR_ZERO, ANYTHING),
                RET_RINGBUF_MEM_OR_NULL, (MAP_RINGBUF,)),
    HelperProto(132, "ringbuf_submit", (PTR_TO_RINGBUF_MEM_RELEASE, ANYTHING), RET_VOID),
    HelperProto(133, "ringbuf_discard", (PTR_TO_RINGBUF_MEM_RELEASE, ANYTHING), RET_VOID),
    HelperProto(134, "ringbuf_query", (CONST_MAP_PTR, ANYTHING), map_types=(MAP_RINGBUF,)),
)}
HELPER_ID_LIMIT = 212  # __BPF_FUNC_MAX_ID on 6.18: ids at or above it are "unknown#N"

# --- context layouts ---------------------------------------------------------------

SKB_SIZE = 192  # sizeof(struct __sk_buff)
SKB_CB = (48, 68)
SKB_DATA, SKB_DATA_END, SKB_DATA_META = 76, 80, 140
SKB_TC_CLASSID, SKB_FAMILY, SKB_LOCAL_PORT_END = 72, 88, 140  # family..local_port
SKB_REMOTE_IP4, SKB_IP6_END = 92, 132
SKB_FLOW_KEYS, SKB_TSTAMP, SKB_WIRE_LEN, SKB_SK, SKB_TSTAMP_TYPE, SKB_HWTSTAMP = (
    144, 152, 160, 168, 180, 184)
SKB_MARK, SKB_QUEUE_MAPPING, SKB_PRIORITY, SKB_TC_INDEX = 8, 12, 32, 44
XDP_SIZE = 24
XDP_DATA, XDP_DATA_END, XDP_DATA_META, XDP_EGRESS_IFINDEX = 0, 4, 8, 20

# what a ctx load yields: "scalar", "pkt", "pkt_end", "pkt_meta" or None (not allowed)


def _field4(off: int, lo: int, hi: int) -> bool:
    return lo <= off < hi


def skb_access(prog_type: int, off: int, size: int, write: bool) -> str | None:
    """Kernel's per-type __sk_buff access rules; the loaded value's kind, or None."""
    if off < 0 or off >= SKB_SIZE or off % size:
        return None
    f = off - off % 4  # the u32 field the access starts in
    if prog_type == SOCKET_FILTER:
        if f in (SKB_TC_CLASSID, SKB_DATA, SKB_DATA_META, SKB_DATA_END, SKB_WIRE_LEN) or \
                _field4(f, SKB_FAMILY, SKB_LOCAL_PORT_END) or \
                _field4(f, SKB_TSTAMP, SKB_TSTAMP + 8) or _field4(f, SKB_HWTSTAMP, 192):
            return None
        if write and not _field4(f, *SKB_CB):
            return None
    else:
        if write and not (f in (SKB_MARK, SKB_TC_INDEX, SKB_PRIORITY, SKB_TC_CLASSID,
                                SKB_QUEUE_MAPPING) or _field4(f, *SKB_CB)
                          or _field4(f, SKB_TSTAMP, SKB_TSTAMP + 8)):
            return None
        if _field4(f, SKB_FAMILY, SKB_LOCAL_PORT_END):
            return None
    kind = "scalar"
    if _field4(f, *SKB_CB):
        if off + size > SKB_CB[1]:
            return None
    elif _field4(f, SKB_REMOTE_IP4, SKB_IP6_END) or f in (SKB_DATA, SKB_DATA_META, SKB_DATA_END):
        if size != 4:
            return None
        kind = {SKB_DATA: "pkt", SKB_DATA_META: "pkt_meta", SKB_DATA_END: "pkt_end"}.get(
            f, "scalar") if prog_type != SOCKET_FILTER else "scalar"
    elif _field4(f, SKB_FLOW_KEYS, SKB_FLOW_KEYS + 8):
        return None
    elif _field4(f, SKB_HWTSTAMP, 192):
        if write or size != 8:
            return None
    elif _field4(f, SKB_TSTAMP, SKB_TSTAMP + 8):
        if size != 8:
            return None
    elif _field4(f, SKB_SK, SKB_SK + 8):
        return None  # PTR_TO_SOCK_COMMON_OR_NULL: not modelled, refused
    elif _field4(f, SKB_TSTAMP_TYPE, SKB_HWTSTAMP):
        return None
    elif write:
        if size != 4:
            return None
    elif size > 4:
        return None
    return kind


def xdp_access(off: int, size: int, write: bool) -> str | None:
    """Kernel's xdp_md access rules (no writes, 4-byte reads only)."""
    if off == XDP_EGRESS_IFINDEX or write:
        return None
    if off < 0 or off >= XDP_SIZE or off % size or size != 4:
        return None
    return {XDP_DATA: "pkt", XDP_DATA_META: "pkt_meta", XDP_DATA_END: "pkt_end"}.get(off, "scalar")


def ctx_access(prog_type: int, off: int, size: int, write: bool) -> str | None:
    if prog_type == XDP:
        return xdp_access(off, size, write)
    return skb_access(prog_type, off, size, write)


def ctx_size(prog_type: int) -> int:
    return XDP_SIZE if prog_type == XDP else SKB_SIZE
