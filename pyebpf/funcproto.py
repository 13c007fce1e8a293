"""Which helpers each program type may call: the kernel's ``get_func_proto`` callbacks.

Each set below is one of the kernel's ``*_func_proto`` switch statements (net/core/filter.c,
kernel/trace/bpf_trace.c, kernel/bpf/helpers.c, kernel/bpf/syscall.c), written as the union
of its own cases and the function it falls back to.  Names are the helpers' names without
``bpf_`` (``pyebpf.uapi.BpfFunc``).  :mod:`pyebpf.progtypes` turns them into helper ids.

Where a case depends on the loader's capabilities (``bpf_base_func_proto``'s CAP_BPF and
CAP_PERFMON groups), the privileged answer is given here; the verifier narrows it for an
unprivileged load (``pyebpf.verifier.env.UNPRIV_HELPERS``).
"""

from __future__ import annotations

from pyebpf import uapi

PT = uapi.BpfProgType


def _s(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The reference kernel's configuration where it decides what is offered: no
# CONFIG_BPF_KPROBE_OVERRIDE (bpf_override_return), and lockdown at "integrity", which
# refuses bpf_probe_write_user (LOCKDOWN_BPF_WRITE_USER) but not the kernel reads.
KPROBE_OVERRIDE = False
LOCKDOWN_WRITE_USER = True

# bpf_base_func_proto (Linux 6.18: the tracing helpers that need only the current task
# moved here): without capabilities, then CAP_BPF, then CAP_PERFMON
BASE = _s("""
map_lookup_elem map_update_elem map_delete_elem map_push_elem map_pop_elem map_peek_elem
map_lookup_percpu_elem get_prandom_u32 get_smp_processor_id get_numa_node_id tail_call
ktime_get_ns ktime_get_boot_ns ktime_get_tai_ns ringbuf_output ringbuf_reserve ringbuf_submit
ringbuf_discard ringbuf_query strncmp strtol strtoul get_current_pid_tgid
get_ns_current_pid_tgid get_current_uid_gid
current_task_under_cgroup get_cgroup_classid task_storage_get task_storage_delete
get_current_comm copy_from_user copy_from_user_task perf_event_read perf_event_read_value
send_signal send_signal_thread get_task_stack get_branch_snapshot find_vma
spin_lock spin_unlock jiffies64 per_cpu_ptr this_cpu_ptr timer_init timer_set_callback
timer_start timer_cancel kptr_xchg for_each_map_elem loop user_ringbuf_drain
ringbuf_reserve_dynptr ringbuf_submit_dynptr ringbuf_discard_dynptr dynptr_from_mem
dynptr_read dynptr_write dynptr_data cgrp_storage_get cgrp_storage_delete
get_current_cgroup_id get_current_ancestor_cgroup_id
trace_printk get_current_task get_current_task_btf probe_read_user probe_read_kernel
probe_read_user_str probe_read_kernel_str snprintf_btf snprintf task_pt_regs trace_vprintk
""")

# bpf_sk_base_func_proto: the socket casts (CAP_PERFMON) and ktime_get_coarse_ns
SK_BASE = BASE | _s("""
skc_to_tcp6_sock skc_to_tcp_sock skc_to_tcp_timewait_sock skc_to_tcp_request_sock
skc_to_udp6_sock skc_to_unix_sock skc_to_mptcp_sock ktime_get_coarse_ns
""")

SK_FILTER = SK_BASE | _s("""
skb_load_bytes skb_load_bytes_relative get_socket_cookie get_netns_cookie get_socket_uid
perf_event_output
""")

CG_SKB = SK_FILTER | _s("""
get_local_storage sk_fullsock sk_storage_get sk_storage_delete perf_event_output
skb_cgroup_id skb_ancestor_cgroup_id sk_cgroup_id sk_ancestor_cgroup_id sk_lookup_tcp
sk_lookup_udp sk_release skc_lookup_tcp tcp_sock get_listener_sock skb_ecn_set_ce
""")

TC_CLS_ACT = SK_BASE | _s("""
skb_store_bytes skb_load_bytes skb_load_bytes_relative skb_pull_data csum_diff csum_update
csum_level l3_csum_replace l4_csum_replace clone_redirect get_cgroup_classid skb_vlan_push
skb_vlan_pop skb_change_proto skb_change_type skb_adjust_room skb_change_tail
skb_change_head skb_get_tunnel_key skb_set_tunnel_key skb_get_tunnel_opt skb_set_tunnel_opt
redirect redirect_neigh redirect_peer get_route_realm get_netns_cookie get_hash_recalc
set_hash_invalid set_hash perf_event_output get_smp_processor_id skb_under_cgroup get_socket_cookie
get_socket_uid fib_lookup check_mtu sk_fullsock sk_storage_get sk_storage_delete
skb_get_xfrm_state skb_cgroup_classid skb_cgroup_id skb_ancestor_cgroup_id sk_lookup_tcp
sk_lookup_udp sk_release tcp_sock get_listener_sock skc_lookup_tcp tcp_check_syncookie
skb_ecn_set_ce tcp_gen_syncookie sk_assign skb_set_tstamp tcp_raw_gen_syncookie_ipv4
tcp_raw_gen_syncookie_ipv6 tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6
""")

XDP = SK_BASE | _s("""
perf_event_output get_smp_processor_id csum_diff xdp_adjust_head xdp_adjust_meta redirect
redirect_map xdp_adjust_tail xdp_get_buff_len xdp_load_bytes xdp_store_bytes fib_lookup
check_mtu sk_lookup_udp sk_lookup_tcp sk_release skc_lookup_tcp tcp_check_syncookie
tcp_gen_syncookie tcp_raw_gen_syncookie_ipv4 tcp_raw_gen_syncookie_ipv6
tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6
""")

# bpf_tracing_func_proto, then each tracing type's own cases
TRACING = BASE | _s("""
get_current_uid_gid get_current_comm get_smp_processor_id perf_event_read
current_task_under_cgroup probe_write_user probe_read probe_read_str send_signal
send_signal_thread perf_event_read_value get_task_stack copy_from_user copy_from_user_task
task_storage_get task_storage_delete get_func_ip get_branch_snapshot find_vma
""")
if LOCKDOWN_WRITE_USER:
    TRACING -= {"probe_write_user"}
KPROBE = TRACING | _s("perf_event_output get_stackid get_stack get_func_ip get_attach_cookie")
if KPROBE_OVERRIDE:
    KPROBE |= {"override_return"}
TRACEPOINT = TRACING | _s("perf_event_output get_stackid get_stack get_attach_cookie")
PERF_EVENT = TRACING | _s("perf_event_output get_stackid get_stack perf_prog_read_value "
                          "read_branch_records get_attach_cookie")
RAW_TRACEPOINT = TRACING | _s("perf_event_output get_stackid get_stack get_attach_cookie")
# syscall_prog_func_proto: its own helpers, then tracing_prog_func_proto (no trampoline, no
# iterator: seq_* and get_func_arg* are not offered)
SYSCALL = (RAW_TRACEPOINT - {"get_attach_cookie"}) | _s("""
sys_bpf btf_find_by_name_kind sys_close kallsyms_lookup_name skb_output xdp_output
skc_to_tcp6_sock skc_to_tcp_sock skc_to_tcp_timewait_sock skc_to_tcp_request_sock
skc_to_udp6_sock skc_to_unix_sock skc_to_mptcp_sock sk_storage_get sk_storage_delete
sock_from_file get_socket_cookie xdp_get_buff_len d_path
""")

BY_PROG_TYPE: dict[int, frozenset[str]] = {
    int(PT.BPF_PROG_TYPE_SOCKET_FILTER): SK_FILTER,
    int(PT.BPF_PROG_TYPE_SCHED_CLS): TC_CLS_ACT,
    int(PT.BPF_PROG_TYPE_SCHED_ACT): TC_CLS_ACT,
    int(PT.BPF_PROG_TYPE_CGROUP_SKB): CG_SKB,
    int(PT.BPF_PROG_TYPE_XDP): XDP,
    int(PT.BPF_PROG_TYPE_KPROBE): KPROBE,
    int(PT.BPF_PROG_TYPE_TRACEPOINT): TRACEPOINT,
    int(PT.BPF_PROG_TYPE_RAW_TRACEPOINT): RAW_TRACEPOINT,
    int(PT.BPF_PROG_TYPE_PERF_EVENT): PERF_EVENT,
    int(PT.BPF_PROG_TYPE_SYSCALL): SYSCALL,
}
"""Program type -> the names of the helpers its get_func_proto offers."""

# check_get_func_ip: bpf_get_func_ip is offered to every tracing type, but the verifier
# takes it only from kprobes (and BPF_PROG_TYPE_TRACING, which pyebpf does not run)
GET_FUNC_IP_TYPES = frozenset({int(PT.BPF_PROG_TYPE_KPROBE), int(PT.BPF_PROG_TYPE_TRACING)})

__all__ = ["BY_PROG_TYPE", "GET_FUNC_IP_TYPES"]
