"""Program types: context layouts, allowed helpers and BPF_PROG_TEST_RUN per type.

PROG_TEST_RUN follows the kernel's ``net/bpf/test_run.c`` for each type: which
attr fields must be zero, the minimum and maximum data sizes, how the context is
built from ``ctx_in`` and copied to ``ctx_out``, what the packet looks like to
the program (socket filters start at the network header, tc and XDP at the
Ethernet header), ``repeat``/``duration``, and ENOSPC when an output buffer is
too small (reported after everything else was written).  KPROBE, TRACEPOINT and
PERF_EVENT programs have no test_run in the kernel: ENOTSUPP, as there.

The socket-side and cgroup types (SOCK_OPS, CGROUP_SOCK, CGROUP_SOCK_ADDR,
CGROUP_SOCKOPT, CGROUP_SYSCTL, CGROUP_DEVICE, SK_SKB, SK_MSG, SK_REUSEPORT,
LWT_SEG6LOCAL) are verified with the kernel's context rules (pyebpf.verifier.sockctx),
helpers, return ranges and attach types, and, as in the kernel, cannot be test-run
(ENOTSUPP).  FLOW_DISSECTOR, SK_LOOKUP and LWT_IN/OUT/XMIT run as the kernel's
bpf_prog_test_run_flow_dissector, _sk_lookup and _skb run them.  The helper sets of
these types are Linux 6.18's, per expected_attach_type where it matters
(tests/test_ctx_probe.py checks them against the kernel).

Why packets and contexts live in the low 2 GiB: ``__sk_buff.data``,
``data_end``, ``data_meta`` and ``xdp_md``'s fields are u32 in the UAPI, and
clang-compiled programs load them with 32-bit loads and use the result as a
pointer (the kernel's verifier rewrites those loads into 64-bit loads of the real
``sk_buff``/``xdp_buff`` fields).  pyebpf runs the program unmodified, so the
addresses it stores there must fit in 32 bits: buffers come from
``mmap(MAP_32BIT)``, which Linux x86-64 places below 2 GiB.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyebpf import funcproto, sockhelpers, uapi
from pyebpf.errors import BPFError
from pyebpf.helpers import HELPERS, USER_HELPERS, F
from pyebpf.skbmodel import SkbModel

PT = uapi.BpfProgType
ENOTSUPP = 524
assert sockhelpers.SOCKET_HELPERS   # their prototypes are in HELPERS from here on
ETH_HLEN = 14
PAGE_SIZE = 4096
SKB_HEADROOM = 64                   # NET_SKB_PAD + NET_IP_ALIGN on x86-64
SKB_TAILROOM = 320                  # SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
XDP_HEADROOM = uapi.XDP_PACKET_HEADROOM
XDP_FRAME_RESERVE = 40              # sizeof(struct xdp_frame), kept free at the frame start
LOOPBACK_IFINDEX = 1

# --- memory below 2 GiB ---------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
MAP_32BIT = 0x40
_MAP_FAILED = ctypes.c_void_p(-1).value


class LowBuffer:
    """Zeroed memory mapped below 2 GiB, usable as a ctypes array (``.buf``)."""

    def __init__(self, size: int) -> None:
        self.size = (size + PAGE_SIZE - 1) // PAGE_SIZE * PAGE_SIZE
        addr = _libc.mmap(None, self.size, mmap.PROT_READ | mmap.PROT_WRITE,
                          mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_32BIT, -1, 0)
        if addr in (None, _MAP_FAILED):
            raise BPFError(errno.ENOMEM, "no memory below 2 GiB for packet buffers")
        self.addr = addr
        self.buf = (ctypes.c_char * self.size).from_address(addr)

    def view(self, offset: int, size: int) -> ctypes.Array:
        return (ctypes.c_char * size).from_address(self.addr + offset)

    def close(self) -> None:
        if self.addr:
            self.buf = None
            _libc.munmap(self.addr, self.size)
            self.addr = 0

    def __del__(self) -> None:
        self.close()


# --- the state of one run, used by the packet helpers ---------------------------------

@dataclass
class RunState(SkbModel):
    """Where the packet and the context are during one run (read by Python helpers)."""

    prog: Any
    kind: str = "none"                      # "skb", "xdp" or "none"
    frame: LowBuffer | None = None
    ctx_buf: Any = None                     # ctypes structure or array
    hard_start: int = 0                     # offsets in frame
    meta: int = 0
    data: int = 0
    end: int = 0
    frame_limit: int = 0                    # largest ``end`` (XDP: frame size - tailroom)
    redirect_to: tuple[int, int, int | None] | None = None
    socket_cookie: int = 0                  # the run's socket (bpf_get_socket_cookie)
    socket: int = 0                         # its address (__sk_buff.sk), 0: none
    trace: Callable[[str], None] | None = None
    maps_by_address: dict[int, Any] = field(default_factory=dict)
    buffers: list = field(default_factory=list)

    # packet access (offsets relative to the data pointer) -------------------------

    def packet_len(self) -> int:
        return self.end - self.data

    def packet_bytes(self) -> bytes:
        """What packet helpers (bpf_skb_load_bytes...) read through the skb.  A flow
        dissector test run has no skb (the kernel's ctx->skb is NULL there): nothing, so
        they fail with EFAULT as in the kernel; direct access through data/data_end works."""
        assert self.frame is not None
        if self.kind == "flow":
            return b""
        return bytes(self.frame.buf[self.data:self.end])

    def packet_write(self, offset: int, data: bytes) -> None:
        assert self.frame is not None
        self.frame.buf[self.data + offset:self.data + offset + len(data)] = data

    def sync_ctx(self) -> None:
        """Publish data/data_end/data_meta to the context (as u32 addresses)."""
        assert self.frame is not None
        base = self.frame.addr
        c = self.ctx_buf
        if self.kind == "xdp":
            c.data, c.data_end, c.data_meta = base + self.data, base + self.end, base + self.meta
        elif self.kind == "skb":
            c.data, c.data_end, c.data_meta = base + self.data, base + self.end, base + self.data
            c.len = self.end - self.data

    # XDP helpers ---------------------------------------------------------------------

    def xdp_adjust_head(self, delta: int) -> int:
        if self.kind != "xdp":
            return -errno.EINVAL & (2**64 - 1)
        new = self.data + delta
        metalen = self.data - self.meta
        if new < self.hard_start + XDP_FRAME_RESERVE + metalen or new > self.end - ETH_HLEN:
            return -errno.EINVAL & (2**64 - 1)
        if metalen:
            assert self.frame is not None
            buf = self.frame.buf
            buf[self.meta + delta:self.meta + delta + metalen] = bytes(
                buf[self.meta:self.meta + metalen])
        self.meta += delta
        self.data = new
        self.sync_ctx()
        return 0

    def xdp_adjust_tail(self, delta: int) -> int:
        if self.kind != "xdp":
            return -errno.EINVAL & (2**64 - 1)
        new = self.end + delta
        if new > self.frame_limit or new < self.data + ETH_HLEN:
            return -errno.EINVAL & (2**64 - 1)
        if delta > 0:
            assert self.frame is not None
            self.frame.buf[self.end:new] = bytes(delta)
        self.end = new
        self.sync_ctx()
        return 0

    def xdp_adjust_meta(self, delta: int) -> int:
        if self.kind != "xdp":
            return -errno.EINVAL & (2**64 - 1)
        meta = self.meta + delta
        metalen = self.data - meta
        if meta < self.hard_start + XDP_FRAME_RESERVE or meta > self.data:
            return -errno.EINVAL & (2**64 - 1)
        if metalen & 3 or metalen > 32:
            return -errno.EACCES & (2**64 - 1)
        self.meta = meta
        self.sync_ctx()
        return 0

    def redirect(self, target: int, flags: int, map_ptr: int | None) -> int:
        """bpf_redirect / bpf_redirect_map: record the outcome test_run reports."""
        if self.kind == "xdp":
            if map_ptr is not None:
                return self.redirect_map(map_ptr, target, flags)
            if flags:
                return 0                         # XDP_ABORTED
            self.redirect_to = (target, flags, None)
            return 4                             # XDP_REDIRECT
        if flags & ~uapi.BPF_F_INGRESS:
            return 2                             # TC_ACT_SHOT
        self.redirect_to = (target, flags, map_ptr)
        return 7                                 # TC_ACT_REDIRECT

    # callbacks (bpf_loop, bpf_for_each_map_elem) ------------------------------------

    def call_subprog(self, vm: Any, fn: int, *args: int) -> int:
        return self.prog.call_callback(vm, fn, args, self)

    def for_each_map_elem(self, vm: Any, cm: Any, fn: int, ctx: int) -> int:
        bmap = self.maps_by_address.get(cm.address)
        if bmap is None:
            return -errno.EINVAL & (2**64 - 1)
        from pyebpf.maps import ARRAY_TYPES, HASH_TYPES

        if bmap.map_type not in ARRAY_TYPES | HASH_TYPES:
            return -errno.EINVAL & (2**64 - 1)
        n = 0
        keybuf = (ctypes.c_char * max(bmap.key_size, 1))()
        self.buffers.append(keybuf)
        for key in bmap.keys():
            value = cm.value_address(key, vm.cpu)
            if not value:
                continue
            keybuf[:bmap.key_size] = key
            n += 1
            if self.prog.call_callback(vm, fn, (cm.address, ctypes.addressof(keybuf), value,
                                                ctx), self, (keybuf,)):
                break
        return n


# --- program types ---------------------------------------------------------------------

def _ids(*names: str) -> frozenset[int]:
    return frozenset(F["BPF_FUNC_" + n].value for n in names)


# each type's get_func_proto (pyebpf.funcproto), as helper ids
_FP = {t: _ids(*names) for t, names in funcproto.BY_PROG_TYPE.items()}
BASE_HELPERS = _ids(*funcproto.BASE)
SKB_BASE = _FP[PT.BPF_PROG_TYPE_SOCKET_FILTER]
TC_HELPERS = _FP[PT.BPF_PROG_TYPE_SCHED_CLS]
CGROUP_SKB_HELPERS = _FP[PT.BPF_PROG_TYPE_CGROUP_SKB]
XDP_HELPERS = _FP[PT.BPF_PROG_TYPE_XDP]
TRACING_HELPERS = _FP[PT.BPF_PROG_TYPE_RAW_TRACEPOINT]


# bpf_base_func_proto in Linux 6.18 for a loader with CAP_BPF and CAP_PERFMON: what every
# type below offers before its own *_func_proto adds to it
BASE_618 = _ids(
    "map_lookup_elem", "map_update_elem", "map_delete_elem", "map_push_elem", "map_pop_elem",
    "map_peek_elem", "map_lookup_percpu_elem", "get_prandom_u32", "get_smp_processor_id",
    "get_numa_node_id", "tail_call", "ktime_get_ns", "ktime_get_boot_ns", "ktime_get_tai_ns",
    "ringbuf_output", "ringbuf_reserve", "ringbuf_submit", "ringbuf_discard", "ringbuf_query",
    "strncmp", "strtol", "strtoul", "spin_lock", "spin_unlock", "jiffies64", "per_cpu_ptr",
    "this_cpu_ptr", "timer_init", "timer_set_callback", "timer_start", "timer_cancel",
    "for_each_map_elem", "loop", "user_ringbuf_drain", "ringbuf_reserve_dynptr",
    "ringbuf_submit_dynptr", "ringbuf_discard_dynptr", "dynptr_from_mem", "dynptr_read",
    "dynptr_write", "dynptr_data", "kptr_xchg", "cgrp_storage_get", "cgrp_storage_delete",
    "trace_printk", "trace_vprintk", "snprintf", "snprintf_btf", "probe_read_user",
    "probe_read_kernel", "probe_read_user_str", "probe_read_kernel_str", "copy_from_user",
    "copy_from_user_task", "get_current_task", "get_current_task_btf", "task_pt_regs",
    "get_current_pid_tgid", "get_current_uid_gid", "get_current_comm",
    "get_current_cgroup_id", "get_current_ancestor_cgroup_id", "get_ns_current_pid_tgid",
    "get_cgroup_classid", "current_task_under_cgroup", "perf_event_read",
    "perf_event_read_value", "send_signal", "send_signal_thread", "get_task_stack",
    "task_storage_get", "task_storage_delete", "find_vma", "get_branch_snapshot")
# bpf_sk_base_func_proto: the socket casts (and the coarse clock)
SK_BASE_618 = BASE_618 | _ids(
    "ktime_get_coarse_ns", "skc_to_tcp6_sock", "skc_to_tcp_sock", "skc_to_tcp_timewait_sock",
    "skc_to_tcp_request_sock", "skc_to_udp6_sock", "skc_to_unix_sock", "skc_to_mptcp_sock")
_CGROUP_COMMON = _ids("get_local_storage", "get_retval", "set_retval", "perf_event_output")
CGROUP_SOCK_HELPERS = BASE_618 | _CGROUP_COMMON | _ids(
    "get_netns_cookie", "get_socket_cookie", "ktime_get_coarse_ns", "sk_storage_get")
SOCK_ADDR_HELPERS = SK_BASE_618 | _CGROUP_COMMON | _ids(
    "get_netns_cookie", "get_socket_cookie", "getsockopt", "setsockopt", "sk_lookup_tcp",
    "sk_lookup_udp", "sk_release", "skc_lookup_tcp", "sk_storage_get", "sk_storage_delete")
SOCK_OPS_HELPERS = SK_BASE_618 | _ids(
    "get_local_storage", "get_netns_cookie", "get_socket_cookie", "getsockopt", "setsockopt",
    "load_hdr_opt", "store_hdr_opt", "reserve_hdr_opt", "perf_event_output", "sk_storage_get",
    "sk_storage_delete", "sock_hash_update", "sock_map_update", "sock_ops_cb_flags_set",
    "tcp_sock")
SOCKOPT_HELPERS = BASE_618 | _CGROUP_COMMON | _ids(
    "get_netns_cookie", "sk_storage_get", "sk_storage_delete", "tcp_sock")
SYSCTL_HELPERS = BASE_618 | _CGROUP_COMMON | _ids(
    "ktime_get_coarse_ns", "sysctl_get_name", "sysctl_get_current_value",
    "sysctl_get_new_value", "sysctl_set_new_value")
DEVICE_HELPERS = BASE_618 | _CGROUP_COMMON
SK_SKB_HELPERS = SK_BASE_618 | _ids(
    "get_socket_cookie", "get_socket_uid", "perf_event_output", "sk_lookup_tcp",
    "sk_lookup_udp", "skc_lookup_tcp", "sk_release", "sk_redirect_hash", "sk_redirect_map",
    "skb_adjust_room", "skb_change_head", "skb_change_tail", "skb_load_bytes", "skb_pull_data",
    "skb_store_bytes")
SK_MSG_HELPERS = SK_BASE_618 | _ids(
    "get_netns_cookie", "msg_apply_bytes", "msg_cork_bytes", "msg_pop_data", "msg_pull_data",
    "msg_push_data", "msg_redirect_hash", "msg_redirect_map", "perf_event_output",
    "sk_storage_get", "sk_storage_delete")
SK_REUSEPORT_HELPERS = BASE_618 | _ids(
    "get_socket_cookie", "ktime_get_coarse_ns", "sk_select_reuseport", "skb_load_bytes",
    "skb_load_bytes_relative")
SK_LOOKUP_HELPERS = SK_BASE_618 | _ids("perf_event_output", "sk_assign", "sk_release")
FLOW_DISSECTOR_HELPERS = SK_BASE_618 | _ids("skb_load_bytes")
LWT_OUT_HELPERS = SK_BASE_618 | _ids(
    "csum_diff", "get_hash_recalc", "get_route_realm", "perf_event_output", "skb_load_bytes",
    "skb_pull_data", "skb_under_cgroup")
LWT_IN_HELPERS = LWT_OUT_HELPERS | _ids("lwt_push_encap")
LWT_XMIT_HELPERS = LWT_IN_HELPERS | _ids(
    "clone_redirect", "csum_level", "csum_update", "l3_csum_replace", "l4_csum_replace",
    "redirect", "set_hash_invalid", "skb_change_head", "skb_change_tail",
    "skb_get_tunnel_key", "skb_get_tunnel_opt", "skb_set_tunnel_key", "skb_set_tunnel_opt",
    "skb_store_bytes")
# (lwt_seg6local's own helpers need CONFIG_IPV6_SEG6_BPF: the reference kernel has none)


def _attach_helpers() -> dict[tuple[int, int], frozenset[int]]:
    """Where the attach type changes the helpers (cgroup_common_func_proto and
    sock_addr_func_proto/cg_sockopt_func_proto): (prog type, attach type) -> helpers."""
    at = uapi.BpfAttachType
    no_retval = _ids("get_retval", "set_retval")
    out: dict[tuple[int, int], frozenset[int]] = {}
    for a in at:
        n = a.name
        if "RECVMSG" in n or "GETPEERNAME" in n or "GETSOCKNAME" in n:
            out[(PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, a)] = SOCK_ADDR_HELPERS - no_retval
    for a in (at.BPF_CGROUP_INET4_CONNECT, at.BPF_CGROUP_INET6_CONNECT):
        out[(PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, a)] = SOCK_ADDR_HELPERS | _ids("bind")
    out[(PT.BPF_PROG_TYPE_CGROUP_SOCKOPT, at.BPF_CGROUP_SETSOCKOPT)] = SOCKOPT_HELPERS | _ids(
        "getsockopt", "setsockopt")
    return {(int(p), int(a)): h for (p, a), h in out.items()}


ATTACH_HELPERS = _attach_helpers()


@dataclass(frozen=True)
class ProgTypeSpec:
    """What the runtime knows about one program type."""

    type: int
    ctx_type: Any                        # ctypes type of the context, or None
    ctx_size: int                        # bytes a program may read from r1
    helpers: frozenset[int]
    test_run: Callable[..., TestRunOutcome] | None
    packet: bool = False                 # direct packet access

    @property
    def name(self) -> str:
        return PT(self.type).name

    def allowed_helpers(self) -> frozenset[int]:
        return self.helpers | frozenset(USER_HELPERS)

    def helper_allowed(self, hid: int, attach: int = 0) -> bool:
        return hid in self.helpers_for(attach) or hid in USER_HELPERS

    def helpers_for(self, attach: int) -> frozenset[int]:
        """The helpers of this type for one expected_attach_type."""
        return ATTACH_HELPERS.get((self.type, attach), self.helpers)


@dataclass
class TestRunParams:
    """The BPF_PROG_TEST_RUN attributes, already copied in from user memory."""

    data_in: bytes | None = None
    data_size_out: int = 0               # 0: no limit
    want_data_out: bool = False
    ctx_in: bytes | None = None
    ctx_size_out: int = 0
    want_ctx_out: bool = False
    repeat: int = 0
    duration: int = 0
    flags: int = 0
    cpu: int = 0
    batch_size: int = 0


@dataclass
class TestRunOutcome:
    retval: int
    data_out: bytes | None = None        # what is copied to data_out (maybe truncated)
    data_size_out: int = 0               # the full size (what the kernel writes back)
    ctx_out: bytes | None = None
    ctx_size_out: int = 0
    duration: int = 0
    err: int = 0                         # ENOSPC: output truncated, everything else written
    redirect: tuple[int, int, int | None] | None = None
    ctx_in_out: bytes | None = None      # SYSCALL programs write ctx back into ctx_in
    skb_meta: dict | None = None         # VLAN tag, tunnel key, clones (pyebpf.skbmodel)


def _einval(msg: str) -> BPFError:
    return BPFError(errno.EINVAL, msg)


def _ctx_init(p: TestRunParams, max_size: int) -> bytearray | None:
    """bpf_ctx_init: ctx_in up to the struct size, a larger one only with a zero tail."""
    if p.ctx_in is None and not p.want_ctx_out:
        return None
    buf = bytearray(max_size)
    if p.ctx_in is not None:
        src = p.ctx_in
        if len(src) > PAGE_SIZE:
            raise BPFError(errno.E2BIG, "ctx_size_in larger than a page")
        if len(src) > max_size and any(src[max_size:]):
            raise BPFError(errno.E2BIG, "ctx_in has nonzero bytes past the context")
        buf[:min(len(src), max_size)] = src[:max_size]
    return buf


def _ctx_finish(p: TestRunParams, ctx: bytes | None, out: TestRunOutcome) -> None:
    if ctx is None or not p.want_ctx_out:
        return
    out.ctx_size_out = len(ctx)
    if len(ctx) > p.ctx_size_out:
        out.ctx_out = ctx[:p.ctx_size_out]
        out.err = errno.ENOSPC
    else:
        out.ctx_out = ctx


def _finish(p: TestRunParams, data: bytes, retval: int, duration: int) -> TestRunOutcome:
    out = TestRunOutcome(retval=retval & 0xFFFFFFFF, data_size_out=len(data), duration=duration)
    if p.want_data_out:
        if p.data_size_out and len(data) > p.data_size_out:
            out.data_out = data[:p.data_size_out]
            out.err = errno.ENOSPC
        else:
            out.data_out = data
    return out


def _repeat(prog: Any, p: TestRunParams, run_once: Callable[[], int]) -> tuple[int, int]:
    """Run ``repeat`` times (0 means once); duration is the mean in ns (u32)."""
    n = p.repeat or 1
    start = time.perf_counter_ns()
    r0 = 0
    for _ in range(n):
        r0 = run_once()
    total = time.perf_counter_ns() - start
    return r0, min(total // n, 0xFFFFFFFF)


def _range_zero(buf: bytes, start: int, end: int) -> bool:
    return not any(buf[start:end])


_SKB_ALLOWED = ("mark", "priority", "ingress_ifindex", "ifindex", "cb", "tstamp", "wire_len",
                "gso_segs", "gso_size", "hwtstamp")


def _off(name: str) -> tuple[int, int]:
    f = getattr(uapi.SkBuff, name)
    return f.offset, f.offset + f.size


TEST_RUN_SOCK_OFF = PAGE_SIZE + 256    # where in the frame the test run's socket lies
TCP_CLOSE = 7


def _test_run_socket(frame: LowBuffer, c: uapi.SkBuff) -> int:
    """The socket bpf_prog_test_run_skb owns the skb with (``__sk_buff.sk`` is never NULL
    there), as a program reads it through ``struct bpf_sock``: an unbound, closed socket
    (TCP_CLOSE, no rx queue: -1) whose family and addresses the kernel copies from the
    packet's IPv4 or IPv6 header (the source is the socket's own address); the fields
    only a full socket shows (type, protocol, mark, priority) are 0.  ``c`` has its
    family and addresses set already.  Returns its address (in ``frame``)."""
    s = uapi.BpfSock.from_address(frame.addr + TEST_RUN_SOCK_OFF)
    s.family, s.state, s.rx_queue_mapping = c.family, TCP_CLOSE, -1
    s.src_ip4, s.dst_ip4 = c.local_ip4, c.remote_ip4
    s.src_ip6[:], s.dst_ip6[:] = c.local_ip6[:], c.remote_ip6[:]
    return frame.addr + TEST_RUN_SOCK_OFF


def test_run_skb(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_skb: socket filters, tc classifiers and actions."""
    if p.flags or p.cpu or p.batch_size:
        raise _einval("skb test runs take no flags, cpu or batch_size")
    data = p.data_in or b""
    if len(data) < ETH_HLEN or len(data) > PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM:
        raise _einval("data_size_in must be 14..3712 bytes for skb programs")
    ctx_raw = _ctx_init(p, ctypes.sizeof(uapi.SkBuff))
    is_l2 = prog.prog_type in (PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT)
    if ctx_raw is not None:
        # convert___skb_to_skb: only these fields may be set.
        allowed = sorted(_off(n) for n in _SKB_ALLOWED)
        pos = 0
        for start, end in allowed:
            if not _range_zero(ctx_raw, pos, start):
                raise _einval("ctx_in sets a field test_run does not accept")
            pos = end
        if not _range_zero(ctx_raw, pos, len(ctx_raw)):
            raise _einval("ctx_in sets a field test_run does not accept")
    sk = uapi.SkBuff.from_buffer_copy(bytes(ctx_raw)) if ctx_raw is not None else uapi.SkBuff()
    if sk.ifindex > LOOPBACK_IFINDEX:
        raise BPFError(errno.ENODEV, f"no device with ifindex {sk.ifindex}")
    frame = LowBuffer(PAGE_SIZE + PAGE_SIZE)
    c = uapi.SkBuff.from_address(frame.addr + PAGE_SIZE)
    head = SKB_HEADROOM
    frame.buf[head:head + len(data)] = data
    net = head + ETH_HLEN
    state = RunState(prog=prog, kind="skb", frame=frame, ctx_buf=c, hard_start=0,
                     data=head if is_l2 else net, end=head + len(data),
                     frame_limit=PAGE_SIZE - SKB_TAILROOM)
    state.meta = state.data
    # eth_type_trans on the loopback device (address 00:00:00:00:00:00)
    dest = data[:6]
    if dest[0] & 1:
        # PACKET_BROADCAST only for the device's broadcast address, and loopback's is
        # 00:00:00:00:00:00: ff:ff:ff:ff:ff:ff is PACKET_MULTICAST there
        c.pkt_type = 2
    elif dest != bytes(6):
        c.pkt_type = 3
    proto = int.from_bytes(data[12:14], "big")
    # The kernel pulls the network header to fill the socket's addresses and refuses
    # a frame too short to hold it (IPv4: 20 bytes, IPv6: 40 after Ethernet).
    if (proto == 0x0800 and len(data) < ETH_HLEN + 20) or \
            (proto == 0x86DD and len(data) < ETH_HLEN + 40):
        frame.close()
        raise _einval("frame too short for its IPv4/IPv6 header")
    if proto < 0x600:
        proto = 0x0001 if data[14:16] == b"\xff\xff" else 0x0004
    c.protocol = int.from_bytes(proto.to_bytes(2, "big"), "little")
    if proto == 0x0800 and len(data) >= ETH_HLEN + 20:
        c.family = 2
        c.local_ip4 = int.from_bytes(data[26:30], "little")
        c.remote_ip4 = int.from_bytes(data[30:34], "little")
    elif proto == 0x86DD and len(data) >= ETH_HLEN + 40:
        c.family = 10
        for i in range(4):
            c.local_ip6[i] = int.from_bytes(data[22 + 4 * i:26 + 4 * i], "little")
            c.remote_ip6[i] = int.from_bytes(data[38 + 4 * i:42 + 4 * i], "little")
    c.sk = state.socket = _test_run_socket(frame, c)
    c.mark, c.priority = sk.mark, sk.priority
    c.ifindex = sk.ifindex or LOOPBACK_IFINDEX
    c.ingress_ifindex = sk.ingress_ifindex
    c.cb[:] = sk.cb[:]
    c.tstamp, c.hwtstamp, c.gso_segs, c.gso_size = sk.tstamp, sk.hwtstamp, sk.gso_segs, sk.gso_size
    pkt_len = state.end - state.data
    if ctx_raw is None:
        pass            # no context to convert (convert___skb_to_skb): wire_len stays 0
    elif sk.wire_len == 0:
        c.wire_len = pkt_len
    elif sk.wire_len < pkt_len or sk.wire_len > 65536:
        raise _einval("wire_len smaller than the packet or too large")
    else:
        c.wire_len = sk.wire_len
    if sk.gso_segs > 65535:
        raise _einval("gso_segs too large")
    state.sync_ctx()

    def once() -> int:
        packet = frame.view(state.data, state.end - state.data)
        return prog.execute(frame.addr + PAGE_SIZE, state, memory=(frame.buf,), packet=packet,
                            cpu=0)

    r0, duration = _repeat(prog, p, once)
    if not is_l2:
        # The kernel pushes the link-layer header back for the output, zeroed.
        frame.buf[head:head + ETH_HLEN] = bytes(ETH_HLEN)
    out = _finish(p, bytes(frame.buf[state.data if is_l2 else head:state.end]), r0, duration)
    out.redirect = state.redirect_to
    out.skb_meta = state.skb_meta()
    if ctx_raw is not None:
        res = uapi.SkBuff.from_buffer_copy(bytes(ctx_raw))
        res.mark, res.priority, res.ifindex = c.mark, c.priority, c.ifindex
        res.ingress_ifindex = c.ingress_ifindex
        res.tstamp, res.wire_len, res.gso_segs, res.gso_size = (c.tstamp, c.wire_len,
                                                                c.gso_segs, c.gso_size)
        res.hwtstamp = c.hwtstamp
        res.cb[:] = c.cb[:]
        if out.err == 0:
            _ctx_finish(p, bytes(res), out)
    frame.close()
    return out


def test_run_xdp(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_xdp (linear buffers; no live frames)."""
    if p.flags & ~uapi.BPF_F_TEST_XDP_LIVE_FRAMES:
        raise _einval("unknown XDP test_run flags")
    if p.flags & uapi.BPF_F_TEST_XDP_LIVE_FRAMES:
        raise BPFError(errno.EOPNOTSUPP, "pyebpf has no network devices for live frames")
    if p.batch_size:
        raise _einval("batch_size needs BPF_F_TEST_XDP_LIVE_FRAMES")
    if prog.expected_attach_type in (uapi.BpfAttachType.BPF_XDP_DEVMAP,
                                     uapi.BpfAttachType.BPF_XDP_CPUMAP):
        raise _einval("devmap/cpumap XDP programs cannot be test-run")
    data = p.data_in or b""
    ctx_raw = _ctx_init(p, ctypes.sizeof(uapi.XdpMd))
    md = uapi.XdpMd.from_buffer_copy(bytes(ctx_raw)) if ctx_raw is not None else uapi.XdpMd()
    headroom = XDP_HEADROOM
    if ctx_raw is not None:
        if (md.data_meta or md.data_end != len(data) or md.data > md.data_end
                or md.data & 3 or md.data > 32):
            raise _einval("xdp_md in ctx_in: data is the metadata length (<= 32, x4), "
                          "data_end the data size, data_meta 0")
        if md.egress_ifindex:
            raise _einval("egress_ifindex must be 0")
        if md.ingress_ifindex and md.ingress_ifindex != LOOPBACK_IFINDEX:
            raise BPFError(errno.ENODEV, f"no device with ifindex {md.ingress_ifindex}")
        if md.ingress_ifindex and md.rx_queue_index:
            raise _einval("rx_queue_index beyond the device's queues")
        headroom -= md.data
    max_data = PAGE_SIZE - headroom - SKB_TAILROOM
    if len(data) < ETH_HLEN:
        raise _einval("XDP needs at least 14 bytes of data")
    if len(data) > max_data:
        raise BPFError(errno.EOPNOTSUPP, "multi-buffer (frags) XDP frames are not supported")
    frame = LowBuffer(2 * PAGE_SIZE)
    c = uapi.XdpMd.from_address(frame.addr + PAGE_SIZE)
    frame.buf[headroom:headroom + len(data)] = data
    state = RunState(prog=prog, kind="xdp", frame=frame, ctx_buf=c, hard_start=0,
                     meta=headroom, data=headroom + md.data, end=headroom + len(data),
                     frame_limit=PAGE_SIZE - SKB_TAILROOM)
    c.ingress_ifindex = LOOPBACK_IFINDEX
    c.rx_queue_index = md.rx_queue_index
    state.sync_ctx()

    def once() -> int:
        return prog.execute(frame.addr + PAGE_SIZE, state, memory=(frame.buf,), cpu=0)

    r0, duration = _repeat(prog, p, once)
    out = _finish(p, bytes(frame.buf[state.meta:state.end]), r0, duration)
    out.redirect = state.redirect_to
    if ctx_raw is not None:
        md.data = state.data - state.meta
        md.data_end = state.end - state.meta
        if out.err == 0:
            _ctx_finish(p, bytes(md), out)
    frame.close()
    return out


def test_run_raw_tp(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_raw_tp: ctx_in is the u64 argument array; runs once."""
    if p.flags & ~uapi.BPF_F_TEST_RUN_ON_CPU:
        raise _einval("unknown raw_tp test_run flags")
    if (p.data_in is not None or p.want_data_out or p.want_ctx_out or p.duration or p.repeat
            or p.batch_size):
        raise _einval("raw_tp test runs take only ctx_in, flags and cpu")
    ctx = p.ctx_in or b""
    if len(ctx) > 12 * 8:
        raise _einval("at most 12 u64 arguments")
    if not p.flags & uapi.BPF_F_TEST_RUN_ON_CPU and p.cpu:
        raise _einval("cpu needs BPF_F_TEST_RUN_ON_CPU")
    if p.cpu >= prog.runtime.ncpus:
        raise BPFError(errno.ENXIO, f"no CPU {p.cpu}")
    buf = LowBuffer(PAGE_SIZE)
    buf.buf[:len(ctx)] = ctx
    state = RunState(prog=prog)
    r0 = prog.execute(buf.addr, state, memory=(buf.buf,), cpu=p.cpu)
    buf.close()
    return TestRunOutcome(retval=r0 & 0xFFFFFFFF)


def test_run_syscall(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_syscall: runs once on ctx_in and writes the context back into it."""
    if (p.data_in is not None or p.want_data_out or p.want_ctx_out or p.duration or p.repeat
            or p.flags or p.batch_size):
        raise _einval("syscall test runs take only ctx_in")
    ctx = p.ctx_in or b""
    if len(ctx) > 0xFFFF:
        raise _einval("ctx_size_in larger than 64 KiB")
    # the verifier let the program access the context up to max_ctx_offset: a shorter one
    # is refused rather than read past
    need = getattr(prog, "max_ctx_offset", 0)
    if len(ctx) < need:
        raise _einval(f"ctx_size_in {len(ctx)} is shorter than the program's furthest "
                      f"context access ({need} bytes)")
    buf = LowBuffer(max(len(ctx), 1))
    buf.buf[:len(ctx)] = ctx
    state = RunState(prog=prog)
    r0 = prog.execute(buf.addr if ctx else 0, state,
                      memory=(buf.view(0, len(ctx)),) if ctx else (), cpu=0)
    out = TestRunOutcome(retval=r0 & 0xFFFFFFFF)
    if ctx:
        out.ctx_in_out = bytes(buf.buf[:len(ctx)])
    buf.close()
    return out


def test_run_flow_dissector(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_flow_dissector: the frame from its Ethernet header, the flow keys
    (``struct bpf_flow_keys``) are the output data; ctx_in may only set ``flags``."""
    if p.flags or p.cpu or p.batch_size:
        raise _einval("flow dissector test runs take no flags, cpu or batch_size")
    data = p.data_in or b""
    if len(data) < ETH_HLEN or len(data) > PAGE_SIZE:
        raise _einval("data_size_in must be 14..4096 bytes for flow dissector programs")
    keys_size = ctypes.sizeof(uapi.BpfFlowKeys)
    ctx_raw = _ctx_init(p, keys_size)
    flags = 0
    if ctx_raw is not None:
        flags_off = uapi.BpfFlowKeys.flags.offset
        if not _range_zero(ctx_raw, 0, flags_off) or not _range_zero(ctx_raw, flags_off + 4,
                                                                     keys_size):
            raise _einval("ctx_in may set only bpf_flow_keys.flags")
        flags = int.from_bytes(ctx_raw[flags_off:flags_off + 4], "little")
    frame = LowBuffer(2 * PAGE_SIZE)
    frame.buf[:len(data)] = data
    skb_at = PAGE_SIZE
    keys_at = skb_at + ctypes.sizeof(uapi.SkBuff)
    c = uapi.SkBuff.from_address(frame.addr + skb_at)
    keys = uapi.BpfFlowKeys.from_address(frame.addr + keys_at)
    state = RunState(prog=prog, kind="flow", frame=frame, ctx_buf=c, data=0, end=len(data),
                     frame_limit=len(data))
    c.data, c.data_end = frame.addr, frame.addr + len(data)
    c.flow_keys = frame.addr + keys_at
    proto = int.from_bytes(data[12:14], "little")   # eth->h_proto, as stored (big endian)

    def once() -> int:
        ctypes.memset(frame.addr + keys_at, 0, keys_size)
        keys.n_proto, keys.nhoff, keys.thoff, keys.flags = proto, ETH_HLEN, ETH_HLEN, flags
        r0 = prog.execute(frame.addr + skb_at, state, memory=(frame.buf,), cpu=0)
        keys.nhoff = min(max(keys.nhoff, ETH_HLEN), len(data))
        keys.thoff = min(max(keys.thoff, keys.nhoff), len(data))
        return r0

    r0, duration = _repeat(prog, p, once)
    out = _finish(p, bytes(frame.buf[keys_at:keys_at + keys_size]), r0, duration)
    if ctx_raw is not None and out.err == 0:
        _ctx_finish(p, bytes(ctx_raw), out)
    frame.close()
    return out


def test_run_sk_lookup(prog: Any, p: TestRunParams) -> TestRunOutcome:
    """bpf_prog_test_run_sk_lookup: ctx_in is the lookup (``struct bpf_sk_lookup``, sk and
    ingress_ifindex zero); no data.  pyebpf has no sockets, so ``cookie`` comes back 0,
    as from a program that assigned none."""
    if p.flags or p.cpu or p.batch_size:
        raise _einval("sk_lookup test runs take no flags, cpu or batch_size")
    if p.data_in is not None or p.want_data_out:
        raise _einval("sk_lookup test runs take no data")
    size = ctypes.sizeof(uapi.BpfSkLookup)
    ctx_raw = _ctx_init(p, size)
    if ctx_raw is None:
        raise _einval("sk_lookup test runs need ctx_in")
    lk = uapi.BpfSkLookup.from_buffer_copy(bytes(ctx_raw))
    if any(ctx_raw[:8]) or not _range_zero(ctx_raw, uapi.BpfSkLookup.local_port.offset + 4,
                                           size):
        raise _einval("ctx_in sets sk or a field past local_port")
    if lk.local_port > 0xFFFF:
        raise BPFError(errno.ERANGE, "local_port above 65535")
    if lk.family not in (2, 10):
        raise BPFError(errno.EAFNOSUPPORT, f"family {lk.family} is neither AF_INET nor "
                       "AF_INET6")
    buf = LowBuffer(PAGE_SIZE)
    c = uapi.BpfSkLookup.from_address(buf.addr)
    c.family, c.protocol = lk.family & 0xFFFF, lk.protocol & 0xFFFF
    c.remote_port, c.local_port = lk.remote_port, lk.local_port & 0xFFFF
    if lk.family == 2:
        c.remote_ip4, c.local_ip4 = lk.remote_ip4, lk.local_ip4
    else:
        c.remote_ip6[:], c.local_ip6[:] = lk.remote_ip6[:], lk.local_ip6[:]
    state = RunState(prog=prog)
    r0, duration = _repeat(prog, p, lambda: prog.execute(buf.addr, state,
                                                         memory=(buf.view(0, size),), cpu=0))
    buf.close()
    out = TestRunOutcome(retval=r0 & 0xFFFFFFFF, duration=duration)
    lk_out = bytearray(ctx_raw)
    lk_out[:8] = bytes(8)                   # the cookie of the selected socket: none
    _ctx_finish(p, bytes(lk_out), out)
    return out


PROG_TYPES: dict[int, ProgTypeSpec] = {
    s.type: s for s in (
        ProgTypeSpec(PT.BPF_PROG_TYPE_SOCKET_FILTER, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     SKB_BASE, test_run_skb),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SCHED_CLS, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     TC_HELPERS, test_run_skb, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SCHED_ACT, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     TC_HELPERS, test_run_skb, packet=True),
        # test runs as socket filters' (no link-layer header), with data/data_end set
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_SKB, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     CGROUP_SKB_HELPERS, test_run_skb, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_XDP, uapi.XdpMd, ctypes.sizeof(uapi.XdpMd),
                     XDP_HELPERS, test_run_xdp, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_KPROBE, None, 168, _FP[PT.BPF_PROG_TYPE_KPROBE],
                     None),  # pt_regs
        ProgTypeSpec(PT.BPF_PROG_TYPE_TRACEPOINT, None, 0xFFFF,
                     _FP[PT.BPF_PROG_TYPE_TRACEPOINT], None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_RAW_TRACEPOINT, None, 12 * 8, TRACING_HELPERS,
                     test_run_raw_tp),
        # struct bpf_perf_event_data (184 bytes): pt_regs, sample_period, addr
        ProgTypeSpec(PT.BPF_PROG_TYPE_PERF_EVENT, None, 184, _FP[PT.BPF_PROG_TYPE_PERF_EVENT],
                     None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SYSCALL, None, 0xFFFF, _FP[PT.BPF_PROG_TYPE_SYSCALL],
                     test_run_syscall),
        # verify only: the kernel has no test_run for these (ENOTSUPP)
        ProgTypeSpec(PT.BPF_PROG_TYPE_SOCK_OPS, uapi.BpfSockOps, ctypes.sizeof(uapi.BpfSockOps)
                     + 8, SOCK_OPS_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_SOCK, uapi.BpfSock, ctypes.sizeof(uapi.BpfSock),
                     CGROUP_SOCK_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, uapi.BpfSockAddr,
                     ctypes.sizeof(uapi.BpfSockAddr), SOCK_ADDR_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_SOCKOPT, uapi.BpfSockopt,
                     ctypes.sizeof(uapi.BpfSockopt), SOCKOPT_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_SYSCTL, uapi.BpfSysctl,
                     ctypes.sizeof(uapi.BpfSysctl), SYSCTL_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_CGROUP_DEVICE, uapi.BpfCgroupDevCtx,
                     ctypes.sizeof(uapi.BpfCgroupDevCtx), DEVICE_HELPERS, None),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SK_SKB, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     SK_SKB_HELPERS, None, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SK_MSG, uapi.SkMsgMd, ctypes.sizeof(uapi.SkMsgMd),
                     SK_MSG_HELPERS, None, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_SK_REUSEPORT, uapi.SkReuseportMd,
                     ctypes.sizeof(uapi.SkReuseportMd), SK_REUSEPORT_HELPERS, None,
                     packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_LWT_SEG6LOCAL, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     LWT_OUT_HELPERS, None, packet=True),
        # the kernel test-runs these (EINVAL for SK_LOOKUP without a ctx_in, which
        # pyebpf answers with EOPNOTSUPP: it has no sockets to select)
        ProgTypeSpec(PT.BPF_PROG_TYPE_SK_LOOKUP, uapi.BpfSkLookup,
                     ctypes.sizeof(uapi.BpfSkLookup), SK_LOOKUP_HELPERS, test_run_sk_lookup),
        ProgTypeSpec(PT.BPF_PROG_TYPE_FLOW_DISSECTOR, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     FLOW_DISSECTOR_HELPERS, test_run_flow_dissector, packet=True),
        # LWT test runs are bpf_prog_test_run_skb's, from the network header as socket filters
        ProgTypeSpec(PT.BPF_PROG_TYPE_LWT_IN, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     LWT_IN_HELPERS, test_run_skb, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_LWT_OUT, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     LWT_OUT_HELPERS, test_run_skb, packet=True),
        ProgTypeSpec(PT.BPF_PROG_TYPE_LWT_XMIT, uapi.SkBuff, ctypes.sizeof(uapi.SkBuff),
                     LWT_XMIT_HELPERS, test_run_skb, packet=True),
    )
}
"""The program types pyebpf runs, by ``enum bpf_prog_type`` value."""


def spec_for(prog_type: int) -> ProgTypeSpec:
    try:
        return PROG_TYPES[prog_type]
    except KeyError:
        raise BPFError(errno.EINVAL, f"program type {prog_type} is unknown or not "
                       "supported by pyebpf") from None


def test_run(prog: Any, params: TestRunParams) -> TestRunOutcome:
    """PROG_TEST_RUN for ``prog`` as the kernel does it for its type."""
    spec = spec_for(prog.prog_type)
    if spec.test_run is None:
        raise BPFError(ENOTSUPP, f"{spec.name} programs cannot be test-run (as in the kernel)")
    out = spec.test_run(prog, params)
    # what bpf() cannot report (redirect target, VLAN tag, tunnel key, clones) stays here
    prog.last_run = out
    return out


__all__ = ["HELPERS", "PROG_TYPES", "LowBuffer", "ProgTypeSpec", "RunState", "TestRunOutcome",
           "TestRunParams", "spec_for", "test_run"]
