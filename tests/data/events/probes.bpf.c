/* Programs for tests/test_events.py: uprobes and uretprobes on the Python functions of
 * tests/probe_targets.py, application tracepoints (raw and perf-event style), and
 * events out through a ring buffer and a perf event array. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct event {
	__u32 pid;
	__u32 tid;
	__u64 arg;
	__s64 ret;
	char name[16];
	char comm[16];
};

/* record types reach BTF only through a global (as libbpf-bootstrap does it) */
const struct event *unused_event __attribute__((unused));

struct tp_request {			/* the record a tracepoint program sees */
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__u64 user_id;
	__u64 size;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 10);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 1024);
} sizes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);		/* libbpf would size 0 to the CPUs */
} perf_events SEC(".maps");

static void bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &slot);

	if (v)
		__sync_fetch_and_add(v, by);
}

/* counters[0]: calls of add, [1]: sum of a + b, [2]: sum of returns */
SEC("uprobe/probe_targets:add")
int on_add(struct pt_regs *ctx)
{
	bump(0, 1);
	bump(1, PT_REGS_PARM1(ctx) + PT_REGS_PARM2(ctx));
	return 0;
}

SEC("uretprobe/probe_targets:add")
int on_add_return(struct pt_regs *ctx)
{
	bump(2, PT_REGS_RC(ctx));
	return 0;
}

/* greet(name: str, n: int) -> str: one ring buffer event per call */
SEC("uprobe/probe_targets:greet")
int on_greet(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e)
		return 0;
	e->pid = id >> 32;
	e->tid = id;
	e->arg = PT_REGS_PARM2(ctx);
	e->ret = 0;
	bpf_probe_read_user_str(e->name, sizeof(e->name), (void *)PT_REGS_PARM1(ctx));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the return value of greet (a str) through the perf event array */
SEC("uretprobe/probe_targets:greet")
int on_greet_return(struct pt_regs *ctx)
{
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ret = 1;
	bpf_probe_read_user_str(e.name, sizeof(e.name), (void *)PT_REGS_RC(ctx));
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* app:request(user_id, size): raw tracepoint sums sizes per user */
SEC("raw_tp/app:request")
int on_request(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 user = ctx->args[0], size = ctx->args[1];
	__u64 *v = bpf_map_lookup_elem(&sizes, &user);

	if (v)
		__sync_fetch_and_add(v, size);
	else
		bpf_map_update_elem(&sizes, &user, &size, BPF_NOEXIST);
	return 0;
}

/* the same tracepoint as a perf-event tracepoint: counters[3] calls, [4] last pid,
 * [5] sum of sizes (the common header's 8 bytes are not readable: the kernel refuses
 * ctx->common_pid, tp_prog_is_valid_access) */
SEC("tp/app/request")
int on_request_tp(struct tp_request *ctx)
{
	bump(3, 1);
	bump(5, ctx->size);
	__u32 slot = 4;
	__u64 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_map_update_elem(&counters, &slot, &pid, BPF_ANY);
	return 0;
}

/* reads args[2]: refused on a two-argument tracepoint (max_ctx_offset) */
SEC("raw_tp/app:request")
int reads_third_arg(struct bpf_raw_tracepoint_args *ctx)
{
	bump(6, ctx->args[2]);
	return 0;
}

struct stack_event {
	__s64 len;			/* what bpf_get_stack returned */
	__u64 ips[8];
};

const struct stack_event *unused_stack_event __attribute__((unused));

/* the Python stack at probe_targets:leaf (called through middle and outer) */
SEC("uprobe/probe_targets:leaf")
int stack_of_leaf(struct pt_regs *ctx)
{
	struct stack_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->len = bpf_get_stack(ctx, e->ips, sizeof(e->ips), BPF_F_USER_STACK);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the kernel stack (none in pyebpf), a bad size and unknown flags */
SEC("uprobe/probe_targets:leaf")
int stack_errors(struct pt_regs *ctx)
{
	__u64 ips[4];

	bump(7, bpf_get_stack(ctx, ips, sizeof(ips), 0) == 0);
	bump(7, (bpf_get_stack(ctx, ips, 12, BPF_F_USER_STACK) == -22) << 1);
	bump(7, (bpf_get_stack(ctx, ips, sizeof(ips), 1 << 12) == -22) << 2);
	bump(7, (bpf_get_stack(ctx, ips, sizeof(ips), BPF_F_USER_STACK | 1) == 8 * 4) << 3);
	return 0;
}

/* signal_me(sig): bpf_send_signal(sig) */
SEC("uprobe/probe_targets:signal_me")
int send_sig(struct pt_regs *ctx)
{
	bump(6, bpf_send_signal(PT_REGS_PARM1(ctx)) + 100);
	return 0;
}


/* a sampling profiler: perf_event samples counted per (tid, innermost frame) and the
 * sampled thread's stack depth */
struct sample_key {
	__u32 tid;
	__u32 depth;
	__u64 ip;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct sample_key);
	__type(value, __u64);
	__uint(max_entries, 1024);
} samples SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 ips[16];
	struct sample_key k = {};
	__u64 one = 1, *n;
	long len = bpf_get_stack(ctx, ips, sizeof(ips), BPF_F_USER_STACK);

	k.tid = bpf_get_current_pid_tgid();
	k.depth = len > 0 ? len / 8 : 0;
	k.ip = PT_REGS_IP(&ctx->regs);
	n = bpf_map_lookup_elem(&samples, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&samples, &k, &one, BPF_NOEXIST);
	bump(8, ctx->sample_period == 10000000);
	return 0;
}


/* counters[9] += the link's cookie (one program on several functions, told apart) */
SEC("uprobe")
int cookie_counter(struct pt_regs *ctx)
{
	bump(9, bpf_get_attach_cookie(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
