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
import time
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
    # kernel objects pyebpf has no pointers to (sockets, BTF-typed kernel structs, ...): a
    # program can pass NULL where the prototype allows it, anything else is refused
    ARG_PTR_TO_BTF_ID_SOCK_COMMON = 16
    ARG_PTR_TO_SOCK_COMMON = 17
    ARG_PTR_TO_SOCKET = 18
    ARG_PTR_TO_BTF_ID = 19
    ARG_PTR_TO_PERCPU_BTF_ID = 20
    # stack or map memory with semantics pyebpf does not model (dynptrs, timers, kptrs)
    ARG_PTR_TO_DYNPTR = 21
    ARG_PTR_TO_TIMER = 22
    ARG_PTR_TO_KPTR = 23
    ARG_PTR_TO_INT = 24
    ARG_PTR_TO_FIXED_SIZE_MEM = 25
    ARG_PTR_TO_CTX_OR_NULL = 26


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
    RET_PTR_TO_MAP_VALUE = 4
    # pointers to kernel objects pyebpf does not model (the verifier refuses such a call)
    RET_PTR_TO_SOCKET_OR_NULL = 5
    RET_PTR_TO_TCP_SOCK_OR_NULL = 6
    RET_PTR_TO_SOCK_COMMON_OR_NULL = 7
    RET_PTR_TO_BTF_ID_OR_NULL = 8
    RET_PTR_TO_BTF_ID = 9
    RET_PTR_TO_MEM_OR_BTF_ID = 10
    RET_PTR_TO_DYNPTR_MEM_OR_NULL = 11
    RET_PTR_TO_BTF_ID_TRUSTED = 12


@dataclass(frozen=True)
class ArgSpec:
    type: Arg
    mods: Mod = Mod.NONE
    size: int = 0               # ARG_PTR_TO_FIXED_SIZE_MEM: the .argN_size

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


def _a(t: Arg, mods: Mod = Mod.NONE, size: int = 0) -> ArgSpec:
    return ArgSpec(t, mods, size)


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

# The other helpers' bpf_func_proto, one per line: name, return, flags (g: gpl_only,
# p: pkt_access), arguments.  Read from the kernel's net/core/filter.c,
# kernel/trace/bpf_trace.c, kernel/bpf/{helpers,stackmap,syscall,...}.c.
_ARG_WORDS: dict[str, ArgSpec] = {
    "ctx": CTX, "ctx0": _a(Arg.ARG_PTR_TO_CTX_OR_NULL, Mod.PTR_MAYBE_NULL), "any": ANY,
    "map": MAP, "key": KEY,
    "val": VALUE, "val0": _a(Arg.ARG_PTR_TO_MAP_VALUE, Mod.PTR_MAYBE_NULL),
    "uval": UNINIT_VALUE, "mem": _a(Arg.ARG_PTR_TO_MEM),
    "mem0": _a(Arg.ARG_PTR_TO_MEM, Mod.PTR_MAYBE_NULL), "rmem": MEM_RO, "rmem0": MEM_RO_NULL,
    "umem": UNINIT_MEM, "umem0": UNINIT_MEM_NULL, "size": SIZE, "size0": SIZE0,
    "asize0": _a(Arg.ARG_CONST_ALLOC_SIZE_OR_ZERO), "func": FUNC, "stack0": STACK_NULL,
    "cstr": CONST_STR, "long": LONG, "int": _a(Arg.ARG_PTR_TO_INT, Mod.MEM_UNINIT),
    "lock": _a(Arg.ARG_PTR_TO_SPIN_LOCK), "rbmem": RB_MEM,
    "sc": _a(Arg.ARG_PTR_TO_BTF_ID_SOCK_COMMON),
    "sc0": _a(Arg.ARG_PTR_TO_BTF_ID_SOCK_COMMON, Mod.PTR_MAYBE_NULL),
    "scr": _a(Arg.ARG_PTR_TO_BTF_ID_SOCK_COMMON, Mod.OBJ_RELEASE),
    "sockc": _a(Arg.ARG_PTR_TO_SOCK_COMMON), "sock": _a(Arg.ARG_PTR_TO_SOCKET),
    "btf": _a(Arg.ARG_PTR_TO_BTF_ID), "btf0": _a(Arg.ARG_PTR_TO_BTF_ID, Mod.PTR_MAYBE_NULL),
    "btfr": _a(Arg.ARG_PTR_TO_BTF_ID, Mod.PTR_MAYBE_NULL | Mod.OBJ_RELEASE),
    "pcpu": _a(Arg.ARG_PTR_TO_PERCPU_BTF_ID), "dynp": _a(Arg.ARG_PTR_TO_DYNPTR, Mod.MEM_RDONLY),
    "udynp": _a(Arg.ARG_PTR_TO_DYNPTR, Mod.MEM_UNINIT),
    "rdynp": _a(Arg.ARG_PTR_TO_DYNPTR, Mod.OBJ_RELEASE), "timer": _a(Arg.ARG_PTR_TO_TIMER),
    "kptr": _a(Arg.ARG_PTR_TO_KPTR), "iph": _a(Arg.ARG_PTR_TO_FIXED_SIZE_MEM, size=20),
    "ip6h": _a(Arg.ARG_PTR_TO_FIXED_SIZE_MEM, size=40),
    "tcph": _a(Arg.ARG_PTR_TO_FIXED_SIZE_MEM, size=20),
}
_RET_WORDS = {
    "I": INT, "V": V, "MV0": Ret.RET_PTR_TO_MAP_VALUE_OR_NULL, "MV": Ret.RET_PTR_TO_MAP_VALUE,
    "RB0": Ret.RET_PTR_TO_RINGBUF_MEM_OR_NULL, "SOCK0": Ret.RET_PTR_TO_SOCKET_OR_NULL,
    "TCP0": Ret.RET_PTR_TO_TCP_SOCK_OR_NULL, "SC0": Ret.RET_PTR_TO_SOCK_COMMON_OR_NULL,
    "BTF0": Ret.RET_PTR_TO_BTF_ID_OR_NULL, "BTF": Ret.RET_PTR_TO_BTF_ID,
    "MEMBTF": Ret.RET_PTR_TO_MEM_OR_BTF_ID, "DYN0": Ret.RET_PTR_TO_DYNPTR_MEM_OR_NULL,
    "TBTF": Ret.RET_PTR_TO_BTF_ID_TRUSTED,
}
_MORE = """
clone_redirect I - ctx any any
get_cgroup_classid I - ctx
skb_vlan_push I - ctx any any
skb_vlan_pop I - ctx
skb_get_tunnel_key I - ctx umem size any
skb_set_tunnel_key I - ctx rmem size any
perf_event_read I g map any
get_route_realm I - ctx
get_stackid I g ctx map any
skb_get_tunnel_opt I - ctx umem size
skb_set_tunnel_opt I - ctx rmem size
skb_change_proto I - ctx any any
skb_change_type I - ctx any
skb_under_cgroup I - ctx map any
get_hash_recalc I - ctx
get_current_task I g
probe_write_user I g any rmem size
current_task_under_cgroup I - map any
skb_change_tail I - ctx any any
skb_pull_data I - ctx any
csum_update I - ctx any
set_hash_invalid V - ctx
skb_change_head I - ctx any any
get_socket_cookie I - ctx
get_socket_uid I - ctx
set_hash I - ctx any
setsockopt I - ctx any any rmem size
skb_adjust_room I - ctx any any any
sk_redirect_map I - ctx map any any
sock_map_update I - ctx map key any
perf_event_read_value I g map any umem size
perf_prog_read_value I g ctx umem size
getsockopt I - ctx any any umem size
override_return I g ctx any
sock_ops_cb_flags_set I - ctx any
msg_redirect_map I - ctx map any any
msg_apply_bytes I - ctx any
msg_cork_bytes I - ctx any
msg_pull_data I - ctx any any any
bind I - ctx rmem size
skb_get_xfrm_state I - ctx any umem size any
get_stack I g ctx umem size0 any
skb_load_bytes_relative I - ctx any umem size any
fib_lookup I - ctx mem size any
sock_hash_update I - ctx map key any
msg_redirect_hash I - ctx map key any
sk_redirect_hash I - ctx map key any
lwt_push_encap I - ctx any rmem size
lwt_seg6_store_bytes I - ctx any rmem size
lwt_seg6_adjust_srh I - ctx any any
lwt_seg6_action I - ctx any rmem size
rc_repeat I g ctx
rc_keydown I g ctx any any any
skb_cgroup_id I - ctx
get_current_cgroup_id I -
get_local_storage MV - map any
sk_select_reuseport I - ctx map key any
skb_ancestor_cgroup_id I - ctx any
sk_lookup_tcp SOCK0 p ctx rmem size any any
sk_lookup_udp SOCK0 p ctx rmem size any any
sk_release I - scr
msg_push_data I - ctx any any any
msg_pop_data I - ctx any any any
rc_pointer_rel I g ctx any any
sk_fullsock SOCK0 - sockc
tcp_sock TCP0 - sockc
skb_ecn_set_ce I - ctx
get_listener_sock SOCK0 - sockc
skc_lookup_tcp SC0 p ctx rmem size any any
tcp_check_syncookie I p sc rmem size rmem size
sysctl_get_name I - ctx umem size any
sysctl_get_current_value I - ctx umem size
sysctl_get_new_value I - ctx umem size
sysctl_set_new_value I - ctx rmem size
sk_storage_get MV0 - map sc val0 any
sk_storage_delete I - map sc
send_signal I - any
tcp_gen_syncookie I p sc rmem size rmem size
skb_output I g btf map any rmem size0
tcp_send_ack I - btf any
send_signal_thread I - any
read_branch_records I g ctx mem0 size0 any
get_ns_current_pid_tgid I - any any umem size
xdp_output I g btf map any rmem size0
get_netns_cookie I - ctx0
get_current_ancestor_cgroup_id I - any
sk_assign I - ctx sc any
seq_printf I g btf rmem size rmem0 size0
seq_write I g btf rmem size
sk_cgroup_id I - sc
sk_ancestor_cgroup_id I - sc any
csum_level I - ctx any
skc_to_tcp6_sock BTF0 - sc
skc_to_tcp_sock BTF0 - sc
skc_to_tcp_timewait_sock BTF0 - sc
skc_to_tcp_request_sock BTF0 - sc
skc_to_udp6_sock BTF0 - sc
get_task_stack I - btf umem size0 any
load_hdr_opt I - ctx mem size any
store_hdr_opt I - ctx rmem size any
reserve_hdr_opt I - ctx any any
inode_storage_get MV0 - map btf0 val0 any
inode_storage_delete I - map btf0
d_path I - btf umem size
copy_from_user I - umem size0 any
snprintf_btf I - umem size rmem size any
seq_printf_btf I - btf rmem size any
skb_cgroup_classid I - ctx
redirect_neigh I - any rmem0 size0 any
per_cpu_ptr MEMBTF - pcpu any
this_cpu_ptr MEMBTF - pcpu
redirect_peer I - any any
task_storage_get MV0 - map btf0 val0 any
task_storage_delete I - map btf0
get_current_task_btf TBTF g
bprm_opts_set I - btf any
ima_inode_hash I - btf umem size
sock_from_file BTF0 - btf
check_mtu I - ctx any int any any
sys_bpf I - any rmem size
btf_find_by_name_kind I - rmem size any any
sys_close I - any
timer_init I - timer map any
timer_set_callback I - timer func
timer_start I - timer any any
timer_cancel I - timer
get_func_ip I - ctx
get_attach_cookie I - ctx
task_pt_regs BTF - btf
get_branch_snapshot I g umem size0 any
trace_vprintk I g rmem size rmem0 size0
skc_to_unix_sock BTF0 - sc
kallsyms_lookup_name I - rmem size any long
find_vma I - btf any func stack0 any
get_func_arg I - ctx any long
get_func_ret I - ctx long
get_func_arg_cnt I - ctx
get_retval I -
set_retval I - any
xdp_get_buff_len I - ctx
xdp_load_bytes I - ctx any umem size
xdp_store_bytes I - ctx any rmem size
copy_from_user_task I g umem size0 any btf any
skb_set_tstamp I - ctx any any
ima_file_hash I - btf umem size
kptr_xchg BTF0 - kptr btfr
skc_to_mptcp_sock BTF0 - sockc
dynptr_from_mem I - umem size0 any udynp
ringbuf_reserve_dynptr I - map any any udynp
ringbuf_submit_dynptr V - rdynp any
ringbuf_discard_dynptr V - rdynp any
dynptr_read I - umem size0 dynp any any
dynptr_write I - dynp any rmem size0 any
dynptr_data DYN0 - dynp any asize0
tcp_raw_gen_syncookie_ipv4 I gp iph mem size
tcp_raw_gen_syncookie_ipv6 I gp ip6h mem size
tcp_raw_check_syncookie_ipv4 I gp iph tcph
tcp_raw_check_syncookie_ipv6 I gp ip6h tcph
ktime_get_tai_ns I -
user_ringbuf_drain I - map func stack0 any
cgrp_storage_get MV0 - map btf0 val0 any
cgrp_storage_delete I - map btf0
"""


def _parse_more() -> dict[str, tuple[Ret, tuple[ArgSpec, ...], bool, bool]]:
    out = {}
    for line in _MORE.strip().splitlines():
        name, ret, flags, *args = line.split()
        out[name] = (_RET_WORDS[ret], tuple(_ARG_WORDS[a] for a in args), "g" in flags,
                     "p" in flags)
    return out


_MORE_PROTOS = _parse_more()
for _name, (_ret, _args, _gpl, _pkt) in _MORE_PROTOS.items():
    PROTOTYPES.setdefault(_name, (_ret, _args, _gpl))

# helpers whose proto has .pkt_access = true (the verifier lets them read packet memory)
_PKT_ACCESS = {"map_lookup_elem", "map_update_elem", "map_delete_elem", "map_push_elem",
               "map_pop_elem", "map_peek_elem", "csum_diff"} | {
    n for n, p in _MORE_PROTOS.items() if p[3]}
# bpf_helper_changes_pkt_data(): after these, every packet pointer is invalid
_CHANGES_PKT_DATA = {"skb_store_bytes", "l3_csum_replace", "l4_csum_replace",
                     "xdp_adjust_head", "xdp_adjust_tail", "xdp_adjust_meta", "skb_vlan_push",
                     "skb_vlan_pop", "skb_change_proto", "skb_change_head", "skb_change_tail",
                     "skb_adjust_room", "skb_pull_data", "clone_redirect", "msg_pull_data",
                     "msg_push_data", "msg_pop_data", "lwt_seg6_store_bytes",
                     "lwt_seg6_adjust_srh", "lwt_seg6_action", "store_hdr_opt",
                     "lwt_push_encap"}
# tracing_prog_func_proto's own protos of helpers the networking types also have: a socket
# or xdp_buff as a BTF pointer rather than the context (the syscall type reaches them)
TRACING_VARIANTS: dict[str, tuple[ArgSpec, ...]] = {
    "get_socket_cookie": (_ARG_WORDS["sc0"],),
    "xdp_get_buff_len": (_ARG_WORDS["btf"],),
}
# fn->might_sleep: refused in programs that are not sleepable
MIGHT_SLEEP = frozenset({"copy_from_user", "copy_from_user_task"})


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
    index = _perf_index(vm, bmap, flags)
    if index < 0:
        return _neg(-index)
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


def fib_lookup(vm: Any, ctx: int, params: int, plen: int, flags: int, _r5: int) -> int:
    """bpf_xdp_fib_lookup / bpf_skb_fib_lookup against the runtime's Fib (pyebpf.fib)."""
    from pyebpf import fib

    st = _state(vm)
    if _s32(plen) < fib.PARAMS_SIZE or flags & ~fib.FLAGS_MASK & 0xFFFFFFFF:
        return _neg(errno.EINVAL)
    buf = bytearray(vm.read(params, fib.PARAMS_SIZE))
    if buf[0] not in (fib.AF_INET, fib.AF_INET6):
        return _neg(errno.EAFNOSUPPORT)
    table = st.prog.runtime.fib
    # XDP always checks the MTU; tc only when tot_len is given, else the egress device's
    check_mtu = st.kind == "xdp" or struct.unpack_from("<H", buf, 6)[0] != 0
    rc = table.lookup(buf, flags, check_mtu)
    if rc == fib.RET_SUCCESS and not check_mtu:
        dev = table.devices[struct.unpack_from("<I", buf, 8)[0]]
        struct.pack_into("<H", buf, 6, min(dev.mtu, 0xFFFF))
    vm.write(params, bytes(buf))
    return rc & ((1 << 64) - 1)


def get_hash_recalc(vm: Any, skb: int, *_: int) -> int:
    """skb_get_hash: the flow dissector's hash of addresses, ports and protocol, stored in
    skb->hash (never 0; the seed is the runtime's, as the kernel's is per boot)."""
    st = _state(vm)
    return st.flow_hash()


def set_hash_invalid(vm: Any, skb: int, *_: int) -> int:
    _state(vm).ctx_buf.hash = 0
    return 0


def set_hash(vm: Any, skb: int, hash_: int, *_: int) -> int:
    _state(vm).ctx_buf.hash = hash_ & 0xFFFFFFFF
    return 0


def skb_vlan_push(vm: Any, skb: int, proto: int, tci: int, *_: int) -> int:
    return _state(vm).vlan_push(int.from_bytes((proto & 0xFFFF).to_bytes(2, "little"), "big"),
                                tci & 0xFFFF)


def skb_vlan_pop(vm: Any, skb: int, *_: int) -> int:
    return _state(vm).vlan_pop()


def skb_change_proto(vm: Any, skb: int, proto: int, flags: int, *_: int) -> int:
    proto = int.from_bytes((proto & 0xFFFF).to_bytes(2, "little"), "big")
    return _state(vm).change_proto(proto, flags)


def clone_redirect(vm: Any, skb: int, ifindex: int, flags: int, *_: int) -> int:
    return _state(vm).clone_redirect(ifindex & 0xFFFFFFFF, flags)


def skb_get_tunnel_key(vm: Any, skb: int, to: int, size: int, flags: int, _r5: int) -> int:
    st = _state(vm)
    out, rc = st.get_tunnel_key(size & 0xFFFFFFFF, flags)
    vm.write(to, out)
    return rc


def skb_set_tunnel_key(vm: Any, skb: int, frm: int, size: int, flags: int, _r5: int) -> int:
    return _state(vm).set_tunnel_key(vm.read(frm, size & 0xFFFFFFFF), flags)


def perf_event_read(vm: Any, map_ptr: int, flags: int, *_: int) -> int:
    """No perf events exist in pyebpf: every slot of a perf event array is empty, which
    the kernel answers with -ENOENT (an index past the array: -E2BIG)."""
    return _perf_slot(vm, map_ptr, flags)


def perf_event_read_value(vm: Any, map_ptr: int, flags: int, buf: int, size: int,
                          _r5: int) -> int:
    rc = _perf_slot(vm, map_ptr, flags) if size == 24 else _neg(errno.EINVAL)
    vm.write(buf, bytes(size))       # the kernel clears the buffer on failure
    return rc


def _perf_slot(vm: Any, map_ptr: int, flags: int) -> int:
    st = _state(vm)
    bmap = st.maps_by_address.get(map_ptr)
    if flags & ~uapi.BPF_F_INDEX_MASK or bmap is None:
        return _neg(errno.EINVAL)
    index = _perf_index(vm, bmap, flags)
    return _neg(errno.E2BIG if index < 0 else errno.ENOENT)


def _perf_index(vm: Any, bmap: Any, flags: int) -> int:
    """The perf event array slot ``flags`` names (BPF_F_CURRENT_CPU: this CPU's), or
    -E2BIG past the array."""
    index = flags & uapi.BPF_F_INDEX_MASK
    if index == uapi.BPF_F_CURRENT_CPU:
        index = vm.cpu
    return index if index < bmap.max_entries else -errno.E2BIG


def get_stackid(vm: Any, ctx: int, map_ptr: int, flags: int, *_: int) -> int:
    """pyebpf runs no kernel or user code to walk: get_perf_callchain finds no stack, which
    the kernel answers with -EFAULT."""
    if flags & ~(0xFF | 0x100 | 0x200 | 0x400):
        return _neg(errno.EINVAL)
    return _neg(errno.EFAULT)


# test_run's skb has no route; its socket is a dummy one (sock_init_data without a
# socket: uid 0, the root cgroup): what these helpers answer for it
_cookies = iter(range(1, 1 << 62))


def _zero(vm: Any, *_: int) -> int:
    _state(vm)
    return 0


def _one(vm: Any, *_: int) -> int:
    _state(vm)
    return 1                    # the root cgroup's id


def get_socket_cookie(vm: Any, *_: int) -> int:
    """__sock_gen_cookie: the dummy socket of this run gets the next cookie once."""
    st = _state(vm)
    if getattr(st, "sock_cookie", 0) == 0:
        st.sock_cookie = next(_cookies)
    return st.sock_cookie


def skb_load_bytes_relative(vm: Any, skb: int, offset: int, to: int, length: int,
                            start: int) -> int:
    """Relative to the link-layer (0) or network (1) header, within the packet (a socket
    filter's packet starts at the network header, its Ethernet header just before)."""
    st = _state(vm)
    mac_start = st.data - (14 if st._mac_len() == 0 else 0)
    base = {0: mac_start, 1: mac_start + 14}.get(start & 0xFFFFFFFF)
    offset = _s32(offset)
    if base is None or offset < 0 or length == 0 or length > 0xFFFF or \
            base + offset + length > st.end:
        vm.write(to, bytes(length))
        return _neg(errno.EFAULT)
    vm.write(to, bytes(st.frame.buf[base + offset:base + offset + length]))
    return 0


def xdp_get_buff_len(vm: Any, ctx: int, *_: int) -> int:
    return _state(vm).packet_len()      # linear buffers: no fragments


def skb_change_type(vm: Any, skb: int, pkt_type: int, *_: int) -> int:
    st = _state(vm)
    # only between the host's packet types (PACKET_HOST .. PACKET_OTHERHOST)
    if st.ctx_buf.pkt_type > 3 or pkt_type & 0xFFFFFFFF > 3:
        return _neg(errno.EINVAL)
    st.ctx_buf.pkt_type = pkt_type & 0xFFFFFFFF
    return 0


def skb_pull_data(vm: Any, skb: int, length: int, *_: int) -> int:
    """test_run's skb is linear: everything up to its length is already pulled."""
    st = _state(vm)
    return 0 if length & 0xFFFFFFFF <= st.packet_len() else _neg(errno.ENOMEM)


def _xdp_range(st: Any, offset: int, length: int) -> int:
    """bpf_xdp_pointer's checks: 0 when [offset, offset+length) is in the frame."""
    if offset > 0xFFFF or length > 0xFFFF:
        return -errno.EFAULT
    if offset + length > st.packet_len():
        return -errno.EINVAL
    return 0


def xdp_load_bytes(vm: Any, ctx: int, offset: int, buf: int, length: int, _r5: int) -> int:
    st = _state(vm)
    offset, length = offset & 0xFFFFFFFF, length & 0xFFFFFFFF
    rc = _xdp_range(st, offset, length)
    if rc:
        return _neg(-rc)
    vm.write(buf, st.packet_bytes()[offset:offset + length])
    return 0


def xdp_store_bytes(vm: Any, ctx: int, offset: int, buf: int, length: int, _r5: int) -> int:
    st = _state(vm)
    offset, length = offset & 0xFFFFFFFF, length & 0xFFFFFFFF
    rc = _xdp_range(st, offset, length)
    if rc:
        return _neg(-rc)
    st.packet_write(offset, vm.read(buf, length))
    return 0


def check_mtu(vm: Any, ctx: int, ifindex: int, mtu_len: int, len_diff: int,
              flags: int) -> int:
    """bpf_skb_check_mtu / bpf_xdp_check_mtu against the runtime's devices (pyebpf.fib):
    the frame, or ``*mtu_len`` plus the link-layer header, against MTU + 14."""
    st = _state(vm)
    chk_segs = 1
    if (flags & ~chk_segs if st.kind == "skb" else flags) & 0xFFFFFFFF:
        return _neg(errno.EINVAL)
    want = struct.unpack("<I", vm.read(mtu_len, 4))[0]
    if flags & chk_segs and (len_diff or want):
        return _neg(errno.EINVAL)
    ifindex &= 0xFFFFFFFF
    dev = st.prog.runtime.fib.devices.get(ifindex or int(st.ctx_buf.ifindex if st.kind ==
                                                         "skb" else st.ctx_buf.ingress_ifindex))
    if dev is None:
        return _neg(errno.ENODEV)
    length = (want + 14 if want else st.packet_len()) + _s32(len_diff)
    vm.write(mtu_len, struct.pack("<I", dev.mtu))
    return 0 if length <= dev.mtu + 14 else 1     # BPF_MTU_CHK_RET_FRAG_NEEDED


def _cgroup2_path() -> list[str] | None:
    """This thread's cgroup v2 directory, as path components from the cgroup2 mount."""
    try:
        with open("/proc/self/cgroup") as f:
            rel = next((ln.split(":", 2)[2].strip() for ln in f if ln.startswith("0::")), None)
        with open("/proc/mounts") as f:
            mount = next((ln.split()[1] for ln in f if ln.split()[2] == "cgroup2"), None)
    except (OSError, IndexError):
        return None
    if rel is None or mount is None:
        return None
    return [mount, *[p for p in rel.split("/") if p]]


def _cgroup_ino(parts: list[str]) -> int:
    try:
        return os.stat(os.path.join(*parts)).st_ino
    except OSError:
        return 0


def get_current_cgroup_id(vm: Any, *_: int) -> int:
    """The calling thread's cgroup v2 id (its directory's inode), as the kernel's for the
    task that runs the program: the one calling BPF_PROG_TEST_RUN."""
    parts = _cgroup2_path()
    return _cgroup_ino(parts) if parts else 0


def get_current_ancestor_cgroup_id(vm: Any, level: int, *_: int) -> int:
    parts = _cgroup2_path()
    level = _s32(level)
    if not parts or level < 0 or level > len(parts) - 1:
        return 0
    return _cgroup_ino(parts[:level + 1])


def get_ns_current_pid_tgid(vm: Any, dev: int, ino: int, nsdata: int, size: int,
                            _r5: int) -> int:
    """bpf_get_ns_current_pid_tgid: the thread's pid and tgid in the pid namespace named
    by the nsfs (dev, ino) of /proc/self/ns/pid, when it is the thread's own."""
    size &= 0xFFFFFFFF
    err = 0
    if size != 8 or dev >> 32:
        err = errno.EINVAL
    else:
        st = os.stat("/proc/self/ns/pid")
        if (st.st_dev, st.st_ino) != (dev, ino):
            err = errno.ENOENT
    if err:
        vm.write(nsdata, bytes(size))
        return _neg(err)
    vm.write(nsdata, struct.pack("<II", threading.get_native_id(), os.getpid()))
    return 0


def csum_update(vm: Any, skb: int, csum: int, *_: int) -> int:
    """Only a CHECKSUM_COMPLETE skb carries a checksum to update; test_run's is
    CHECKSUM_NONE: -ENOTSUPP."""
    _state(vm)
    return _neg(524)


def csum_level(vm: Any, skb: int, level: int, *_: int) -> int:
    """BPF_CSUM_LEVEL_QUERY of a CHECKSUM_NONE skb: -EACCES; INC/DEC/RESET change nothing
    there and succeed; other levels -EINVAL."""
    _state(vm)
    level &= 0xFFFFFFFFFFFFFFFF
    if level == 0:
        return _neg(errno.EACCES)
    return 0 if level in (1, 2, 3) else _neg(errno.EINVAL)


def _under_cgroup(vm: Any, map_ptr: int, idx: int, path: list[str] | None) -> int:
    """task_under_cgroup_hierarchy / cgroup_is_descendant against a CGROUP_ARRAY slot."""
    bmap = _state(vm).maps_by_address.get(map_ptr)
    idx &= 0xFFFFFFFF
    if bmap is None or idx >= bmap.max_entries:
        return _neg(errno.E2BIG)
    slot = bmap.cgroup_paths.get(idx)
    if slot is None or bmap._present(idx.to_bytes(4, "little")) is None:
        return _neg(errno.EAGAIN)
    if path is None:
        return 0
    here = os.path.join(*path)
    return int(here == slot or here.startswith(slot.rstrip("/") + "/"))


def current_task_under_cgroup(vm: Any, map_ptr: int, idx: int, *_: int) -> int:
    return _under_cgroup(vm, map_ptr, idx, _cgroup2_path())


def skb_under_cgroup(vm: Any, skb: int, map_ptr: int, idx: int, *_: int) -> int:
    """test_run's dummy socket belongs to the root cgroup."""
    root = _cgroup2_path()
    return _under_cgroup(vm, map_ptr, idx, root[:1] if root else None)


def ktime_get_tai_ns(vm: Any, *_: int) -> int:
    return time.clock_gettime_ns(time.CLOCK_TAI)


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
    "loop": loop, "for_each_map_elem": for_each_map_elem, "fib_lookup": fib_lookup,
    "get_hash_recalc": get_hash_recalc, "set_hash_invalid": set_hash_invalid,
    "set_hash": set_hash, "skb_vlan_push": skb_vlan_push, "skb_vlan_pop": skb_vlan_pop,
    "skb_change_proto": skb_change_proto, "clone_redirect": clone_redirect,
    "skb_get_tunnel_key": skb_get_tunnel_key, "skb_set_tunnel_key": skb_set_tunnel_key,
    "perf_event_read": perf_event_read, "perf_event_read_value": perf_event_read_value,
    "get_stackid": get_stackid, "get_route_realm": _zero,
    "get_socket_cookie": get_socket_cookie, "get_socket_uid": _zero, "skb_cgroup_id": _one,
    "get_cgroup_classid": _zero, "skb_load_bytes_relative": skb_load_bytes_relative,
    "xdp_get_buff_len": xdp_get_buff_len, "skb_change_type": skb_change_type,
    "skb_pull_data": skb_pull_data, "ktime_get_tai_ns": ktime_get_tai_ns,
    "xdp_load_bytes": xdp_load_bytes, "xdp_store_bytes": xdp_store_bytes,
    "check_mtu": check_mtu, "get_current_cgroup_id": get_current_cgroup_id,
    "get_current_ancestor_cgroup_id": get_current_ancestor_cgroup_id,
    "get_ns_current_pid_tgid": get_ns_current_pid_tgid, "csum_update": csum_update,
    "csum_level": csum_level, "current_task_under_cgroup": current_task_under_cgroup,
    "skb_under_cgroup": skb_under_cgroup,
}


def _not_in_pyebpf(name: str) -> Callable[..., int]:
    """The run-time side of a helper pyebpf verifies but cannot perform (it acts on kernel
    objects pyebpf does not have: sockets, tasks, cgroups, ...): reaching it ends the run
    with an error saying so, never a made-up result."""
    def impl(vm: Any, *_: int) -> int:
        raise HelperError(f"bpf_{name} acts on kernel objects pyebpf does not model; "
                          "programs calling it verify but cannot run here", -1)
    impl.__name__ = f"bpf_{name}_not_in_pyebpf"
    return impl


def _build() -> dict[int, Helper]:
    c_impls = _maps.c_helpers()
    out = {}
    for name, (ret, args, gpl) in PROTOTYPES.items():
        hid = F["BPF_FUNC_" + name].value
        impl = c_impls.get(hid) or _PY_IMPLS.get(name) or _not_in_pyebpf(name)
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
