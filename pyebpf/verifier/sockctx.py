"""Context access rules of the socket-side, cgroup, flow dissector and LWT program types.

The kernel's ``*_is_valid_access`` callbacks for these types (``sock_ops_is_valid_access``,
``sock_addr_is_valid_access``, ``sock_filter_is_valid_access``, ``cg_sockopt_is_valid_access``,
``sysctl_is_valid_access``, ``cgroup_dev_is_valid_access``, ``sk_msg_is_valid_access``,
``sk_reuseport_is_valid_access``, ``sk_lookup_is_valid_access``,
``flow_dissector_is_valid_access``, ``sk_skb_is_valid_access``, ``lwt_is_valid_access``)
written as tables: a field is an offset range, the access sizes allowed in it for reads and
for writes, what a read yields (a scalar or a pointer kind), and whether only the field's
first byte may start an access (the kernel's ``case offsetof(...)`` against
``case bpf_ctx_range(...)``).  An access is valid when it is size-aligned and lies inside
one field that allows its size in its direction: that covers the kernel's narrow loads
(``bpf_ctx_narrow_access_ok``) and wide ones (``bpf_ctx_wide_access_ok``: 8-byte accesses
to u32 arrays such as ``user_ip6``).  The tables are checked against the live kernel by an
exhaustive probe (tests/test_ctx_probe.py: every offset x size x direction, every
expected_attach_type that changes the answer).

Offsets come from pyebpf.uapi (generated from the UAPI header); where Linux 6.18 has fields
the installed header lacks (``bpf_sock_ops.skb_hwtstamp``), they are named here.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from pyebpf import uapi

PT = uapi.BpfProgType
AT = uapi.BpfAttachType

R124 = frozenset((1, 2, 4))
R4 = frozenset((4,))
R8 = frozenset((8,))
R48 = frozenset((4, 8))
R1248 = frozenset((1, 2, 4, 8))
NONE: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Field:
    start: int
    end: int
    read: frozenset[int]
    write: frozenset[int] = NONE
    kind: str = "scalar"
    exact: bool = False          # an access must start at ``start``

    def allows(self, off: int, size: int, write: bool) -> bool:
        if not (self.start <= off and off + size <= self.end):
            return False
        if self.exact and off != self.start:
            return False
        return size in (self.write if write else self.read)


def _f(struct: type[ctypes.Structure], name: str, read: frozenset[int],
       write: frozenset[int] = NONE, kind: str = "scalar", exact: bool = False,
       to: str | None = None) -> Field:
    """A field of ``struct`` (through field ``to`` inclusive, for ranges of fields)."""
    a = getattr(struct, name)
    b = getattr(struct, to) if to else a
    return Field(a.offset, b.offset + b.size, read, write, kind, exact)


def _lookup(fields: tuple[Field, ...], off: int, size: int, write: bool) -> str | None:
    if off < 0 or off % size:
        return None
    for f in fields:
        if f.allows(off, size, write):
            return f.kind
    return None


# --- struct bpf_sock (cgroup sock programs' context, and what sock pointers point to) ---
S = uapi.BpfSock
_SOCK_NARROW = (  # bpf_sock_is_valid_access: narrow loads of these, 4-byte of the rest
    _f(S, "family", R124, R4, exact=True), _f(S, "type", R124, exact=True),
    _f(S, "protocol", R124, exact=True), _f(S, "src_port", R124, exact=True),
    _f(S, "state", R124, exact=True), _f(S, "rx_queue_mapping", R124, exact=True),
    _f(S, "src_ip4", R124), _f(S, "src_ip6", R124), _f(S, "dst_ip4", R124),
    _f(S, "dst_ip6", R124),
    Field(S.dst_port.offset, S.dst_port.offset + 2, frozenset((1, 2))),
    Field(S.dst_port.offset, S.dst_port.offset + 4, R4, exact=True),
)
_SOCK_DEFAULT = (_f(S, "bound_dev_if", R4, R4), _f(S, "mark", R4, R4),
                 _f(S, "priority", R4, R4))
_SOCK_COMMON_REFUSED = (S.type.offset, S.priority.offset + S.priority.size)


def sock_access(off: int, size: int, common: bool = False) -> str | None:
    """A read through a ``sock`` (or ``sock_common``) pointer: bpf_sock_is_valid_access
    (bpf_sock_common_is_valid_access refuses type..priority)."""
    if off < 0 or off >= ctypes.sizeof(S) or off % size:
        return None
    if common and _SOCK_COMMON_REFUSED[0] <= off < _SOCK_COMMON_REFUSED[1]:
        return None
    return _lookup(_SOCK_NARROW + _SOCK_DEFAULT, off, size, False)


# struct bpf_tcp_sock (what bpf_tcp_sock returns): u32 fields snd_cwnd .. icsk_retransmits,
# but bytes_received and bytes_acked are u64 (the installed uapi header has no ctypes of it)
TCP_SOCK_SIZE = 112                   # offsetofend(struct bpf_tcp_sock, icsk_retransmits)
_TCP_SOCK_U64 = (80, 88)              # bytes_received, bytes_acked


def tcp_sock_access(off: int, size: int) -> str | None:
    """bpf_tcp_sock_is_valid_access: aligned reads of whole fields, no narrow loads."""
    if off < 0 or off >= TCP_SOCK_SIZE or off % size:
        return None
    return "scalar" if size == (8 if off in _TCP_SOCK_U64 else 4) else None


def tcp_sock_converts(off: int) -> bool:
    """bpf_tcp_sock_convert_ctx_access has a case for every field's start: a 4-byte read
    of a u64 field's upper half passes the access check but not the conversion."""
    return off not in (o + 4 for o in _TCP_SOCK_U64)


def _cgroup_sock(off: int, size: int, write: bool, attach: int) -> str | None:
    """sock_filter_is_valid_access: bpf_sock's rules, then what the attach type allows."""
    if off < 0 or off >= ctypes.sizeof(S) or off % size:
        return None
    if _lookup(_SOCK_NARROW + _SOCK_DEFAULT, off, size, False) is None and not (
            write and _lookup(_SOCK_DEFAULT, off, size, True)):
        return None
    if off in (S.bound_dev_if.offset, S.mark.offset, S.priority.offset):
        ok = attach in (AT.BPF_CGROUP_INET_SOCK_CREATE, AT.BPF_CGROUP_INET_SOCK_RELEASE)
        return "scalar" if ok else None
    if S.src_ip4.offset <= off < S.src_ip4.offset + 4:
        ok = attach == AT.BPF_CGROUP_INET4_POST_BIND
    elif S.src_ip6.offset <= off < S.src_ip6.offset + 16:
        ok = attach == AT.BPF_CGROUP_INET6_POST_BIND
    elif S.src_port.offset <= off < S.src_port.offset + 4:
        ok = attach in (AT.BPF_CGROUP_INET4_POST_BIND, AT.BPF_CGROUP_INET6_POST_BIND)
    else:
        ok = True
    return "scalar" if ok and not write else None


# --- struct bpf_sock_addr -------------------------------------------------------------
A = uapi.BpfSockAddr
_V4 = frozenset(int(a) for a in (
    AT.BPF_CGROUP_INET4_BIND, AT.BPF_CGROUP_INET4_CONNECT, AT.BPF_CGROUP_INET4_GETPEERNAME,
    AT.BPF_CGROUP_INET4_GETSOCKNAME, AT.BPF_CGROUP_UDP4_SENDMSG, AT.BPF_CGROUP_UDP4_RECVMSG))
_V6 = frozenset(int(a) for a in (
    AT.BPF_CGROUP_INET6_BIND, AT.BPF_CGROUP_INET6_CONNECT, AT.BPF_CGROUP_INET6_GETPEERNAME,
    AT.BPF_CGROUP_INET6_GETSOCKNAME, AT.BPF_CGROUP_UDP6_SENDMSG, AT.BPF_CGROUP_UDP6_RECVMSG))
_SOCK_ADDR_COMMON = (
    _f(A, "user_family", R4), _f(A, "user_port", R124, R4), _f(A, "family", R4),
    _f(A, "type", R4), _f(A, "protocol", R4), _f(A, "sk", R8, kind="sock", exact=True))


def _sock_addr(off: int, size: int, write: bool, attach: int) -> str | None:
    """sock_addr_is_valid_access: the address fields of the attach type's family only."""
    fields = _SOCK_ADDR_COMMON
    if attach in _V4:
        fields += (_f(A, "user_ip4", R124, R4),)
    if attach in _V6:
        fields += (_f(A, "user_ip6", R1248, R48),)
    if attach == AT.BPF_CGROUP_UDP4_SENDMSG:
        fields += (_f(A, "msg_src_ip4", R124, R4),)
    if attach == AT.BPF_CGROUP_UDP6_SENDMSG:
        fields += (_f(A, "msg_src_ip6", R1248, R48),)
    return _lookup(fields, off, size, write)


# --- struct bpf_sock_ops ----------------------------------------------------------------
OPS = uapi.BpfSockOps
SOCK_OPS_SIZE = ctypes.sizeof(OPS) + 8     # 6.18: __u64 skb_hwtstamp after skb_tcp_flags
_SOCK_OPS = (
    Field(0, OPS.bytes_received.offset, R4),          # op .. sk_txhash: 4-byte reads
    Field(OPS._union1.offset, OPS._union1.offset + 4, R4, R4),                   # reply
    _f(OPS, "sk_txhash", R4, R4),
    _f(OPS, "bytes_received", R8), _f(OPS, "bytes_acked", R8),
    _f(OPS, "sk", R8, kind="sock_or_null"), _f(OPS, "skb_data", R8, kind="pkt"),
    _f(OPS, "skb_data_end", R8, kind="pkt_end"), _f(OPS, "skb_len", R4),
    _f(OPS, "skb_tcp_flags", R124, exact=True),
    Field(ctypes.sizeof(OPS), SOCK_OPS_SIZE, R8),     # skb_hwtstamp
)

# --- the smaller contexts -------------------------------------------------------------
P = uapi.BpfSockopt
_SOCKOPT_COMMON = (_f(P, "sk", R8, kind="sock"), _f(P, "optval", R8, kind="pkt"),
                   _f(P, "optval_end", R8, kind="pkt_end"))
_GETSOCKOPT = (*_SOCKOPT_COMMON, _f(P, "level", R4), _f(P, "optname", R4),
               _f(P, "optlen", R4, R4), _f(P, "retval", R4, R4))
_SETSOCKOPT = (*_SOCKOPT_COMMON, _f(P, "level", R4, R4), _f(P, "optname", R4, R4),
               _f(P, "optlen", R4, R4))
Y = uapi.BpfSysctl
_SYSCTL = (_f(Y, "write", R124), _f(Y, "file_pos", R124, R4))
D = uapi.BpfCgroupDevCtx
_DEVICE = (_f(D, "access_type", R124), _f(D, "major", R4), _f(D, "minor", R4))
M = uapi.SkMsgMd
_SK_MSG = (_f(M, "data", R8, kind="pkt"), _f(M, "data_end", R8, kind="pkt_end"),
           Field(M.family.offset, M.size.offset + 4, R4), _f(M, "sk", R8, kind="sock"))
RP = uapi.SkReuseportMd
_SK_REUSEPORT = (
    _f(RP, "data", R8, kind="pkt"), _f(RP, "data_end", R8, kind="pkt_end"),
    _f(RP, "len", R124), _f(RP, "eth_protocol", frozenset((2, 4))),
    _f(RP, "ip_protocol", R124), _f(RP, "bind_inany", R124), _f(RP, "hash", R4),
    _f(RP, "sk", R8, kind="sock"), _f(RP, "migrating_sk", R8, kind="sock_common_or_null"))
L = uapi.BpfSkLookup
_SK_LOOKUP = (Field(0, 8, R8, kind="sock_or_null"),
              Field(L.family.offset, L.ingress_ifindex.offset + 4, R124))
FLOW_KEYS_SIZE = ctypes.sizeof(uapi.BpfFlowKeys)

# --- struct __sk_buff for sk_skb, flow dissector and LWT programs ------------------------
K = uapi.SkBuff
_DATA = (_f(K, "data", R4, kind="pkt"), _f(K, "data_end", R4, kind="pkt_end"))
_FLOW_DISSECTOR = (*_DATA, _f(K, "flow_keys", R8, kind="flow_keys"),)
_SKB_SK = _f(K, "sk", R8, kind="sock_common_or_null")
_LWT = (*_DATA,
    _f(K, "len", R124, to="tc_index"),
    _f(K, "mark", R124, R4), _f(K, "priority", R124, R4),
    _f(K, "cb", R1248, R1248), _f(K, "hash", R124), _f(K, "napi_id", R124),
    _f(K, "gso_segs", R124), _SKB_SK, _f(K, "gso_size", R124))
_SK_SKB = (*_DATA,
    _f(K, "len", R124, to="pkt_type"), _f(K, "queue_mapping", R124, to="ingress_ifindex"),
    _f(K, "ifindex", R124), _f(K, "priority", R124, R4), _f(K, "tc_index", R124, R4),
    _f(K, "cb", R1248), _f(K, "hash", R124), _f(K, "napi_id", R124), _f(K, "family", R124),
    _f(K, "remote_ip4", R4, to="local_ip6"), _f(K, "remote_port", R124),
    _f(K, "local_port", R124), _f(K, "gso_segs", R124), _SKB_SK, _f(K, "gso_size", R124))

_TABLES: dict[int, tuple[Field, ...]] = {
    int(PT.BPF_PROG_TYPE_SOCK_OPS): _SOCK_OPS,
    int(PT.BPF_PROG_TYPE_CGROUP_SYSCTL): _SYSCTL,
    int(PT.BPF_PROG_TYPE_CGROUP_DEVICE): _DEVICE,
    int(PT.BPF_PROG_TYPE_SK_MSG): _SK_MSG,
    int(PT.BPF_PROG_TYPE_SK_REUSEPORT): _SK_REUSEPORT,
    int(PT.BPF_PROG_TYPE_SK_LOOKUP): _SK_LOOKUP,
    int(PT.BPF_PROG_TYPE_FLOW_DISSECTOR): _FLOW_DISSECTOR,
    int(PT.BPF_PROG_TYPE_SK_SKB): _SK_SKB,
    int(PT.BPF_PROG_TYPE_LWT_IN): _LWT,
    int(PT.BPF_PROG_TYPE_LWT_OUT): _LWT,
    int(PT.BPF_PROG_TYPE_LWT_XMIT): _LWT,
    int(PT.BPF_PROG_TYPE_LWT_SEG6LOCAL): _LWT,
}
CGROUP_SOCK = int(PT.BPF_PROG_TYPE_CGROUP_SOCK)
CGROUP_SOCK_ADDR = int(PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
CGROUP_SOCKOPT = int(PT.BPF_PROG_TYPE_CGROUP_SOCKOPT)
TYPES = frozenset(_TABLES) | {CGROUP_SOCK, CGROUP_SOCK_ADDR, CGROUP_SOCKOPT}


def ctx_access(prog_type: int, off: int, size: int, write: bool, attach: int) -> str | None:
    """What a context access of these program types yields (None: refused)."""
    if prog_type == CGROUP_SOCK:
        return _cgroup_sock(off, size, write, attach)
    if prog_type == CGROUP_SOCK_ADDR:
        return _sock_addr(off, size, write, attach)
    if prog_type == CGROUP_SOCKOPT:
        table = _GETSOCKOPT if attach == AT.BPF_CGROUP_GETSOCKOPT else _SETSOCKOPT
        return _lookup(table, off, size, write)
    return _lookup(_TABLES[prog_type], off, size, write)
