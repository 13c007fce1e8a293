/* falco-style syscall capture (written for pyebpf after falcosecurity/libs' legacy eBPF
 * probe: raw tracepoints on sys_enter/sys_exit, a per-syscall tail-call table, per-CPU
 * scratch frames with bounded offsets, settings in an array, events to a perf buffer and
 * a ring buffer). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SCRATCH_SIZE 4096
#define SCRATCH_MASK (SCRATCH_SIZE - 1)
#define MAX_SYSCALLS 512
#define MAX_ARGS 6

struct sys_enter_args {
	unsigned long regs;
	unsigned long id;
};

struct settings {
	__u64 boot_time;
	__u32 snaplen;
	__u8 capture_enabled;
	__u8 dropping_mode;
	__u8 is_dropping;
	__u8 tracers_enabled;
	__u32 sampling_ratio;
	__u32 pad;
};

struct scratch_frame {
	__u32 len;
	__u16 nparams;
	__u16 curarg;
	__u64 ts;
	__u64 tid;
	__u32 type;
	__u32 pad;
	char data[SCRATCH_SIZE * 2];
};

struct event_hdr {
	__u64 ts;
	__u64 tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
} __attribute__((packed));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} ringbuf_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} syscall_tail_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch_frame);
} frame_scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct settings);
} settings_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u8);
} interesting_syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct sys_enter_args);
} stash_map SEC(".maps");

static __always_inline struct settings *get_settings(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&settings_map, &k);
}

static __always_inline struct scratch_frame *get_frame(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&frame_scratch_map, &k);
}

static __always_inline int push_u64(struct scratch_frame *f, __u64 v)
{
	__u32 off = f->len & SCRATCH_MASK;
	*(__u64 *)&f->data[off] = v;
	f->len = off + sizeof(v);
	f->curarg++;
	return 0;
}

static __always_inline int push_str(struct scratch_frame *f, const char *user_ptr)
{
	__u32 off = f->len & SCRATCH_MASK;
	long n = bpf_probe_read_user_str(&f->data[off], SCRATCH_SIZE, user_ptr);
	if (n < 0)
		n = 0;
	f->len = off + (n & SCRATCH_MASK);
	f->curarg++;
	return 0;
}

static __always_inline void flush(void *ctx, struct scratch_frame *f)
{
	struct event_hdr *h = (void *)f->data;
	__u32 len = f->len & (2 * SCRATCH_SIZE - 1);
	h->ts = f->ts;
	h->tid = f->tid;
	h->len = len;
	h->type = f->type;
	h->nparams = f->nparams;
	if (len >= sizeof(*h))
		bpf_perf_event_output(ctx, &perf_map, BPF_F_CURRENT_CPU, f->data, len);
}

SEC("raw_tracepoint/sys_enter")
int bpf_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct settings *s = get_settings();
	if (!s || !s->capture_enabled)
		return 0;
	__u32 id = ctx->args[1] & (MAX_SYSCALLS - 1);
	__u8 *interesting = bpf_map_lookup_elem(&interesting_syscalls, &id);
	if (!interesting || !*interesting)
		return 0;
	struct sys_enter_args stash = { .regs = ctx->args[0], .id = ctx->args[1] };
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&stash_map, &pid_tgid, &stash, BPF_ANY);
	struct scratch_frame *f = get_frame();
	if (!f)
		return 0;
	f->len = sizeof(struct event_hdr);
	f->nparams = 2;
	f->curarg = 0;
	f->ts = s->boot_time + bpf_ktime_get_boot_ns();
	f->tid = pid_tgid & 0xffffffff;
	f->type = id * 2;
	bpf_tail_call(ctx, &syscall_tail_table, id);
	return 0;
}

SEC("raw_tracepoint/filler_open")
int bpf_filler_open(struct bpf_raw_tracepoint_args *ctx)
{
	struct scratch_frame *f = get_frame();
	if (!f)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sys_enter_args *a = bpf_map_lookup_elem(&stash_map, &pid_tgid);
	if (!a)
		return 0;
	unsigned long args[MAX_ARGS] = {};
	bpf_probe_read_kernel(args, sizeof(args), (void *)a->regs + 112);
	push_str(f, (const char *)args[0]);
	push_u64(f, args[1]);
	push_u64(f, args[2]);
	flush(ctx, f);
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int bpf_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct settings *s = get_settings();
	if (!s || !s->capture_enabled)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sys_enter_args *a = bpf_map_lookup_elem(&stash_map, &pid_tgid);
	if (!a)
		return 0;
	struct {
		__u64 ts;
		__u64 tid;
		__u64 id;
		__s64 ret;
		char comm[16];
	} *e = bpf_ringbuf_reserve(&ringbuf_map, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_boot_ns();
	e->tid = pid_tgid;
	e->id = a->id;
	e->ret = ctx->args[1];
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&stash_map, &pid_tgid);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int bpf_sched_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct scratch_frame *f = get_frame();
	if (!f)
		return 0;
	f->len = sizeof(struct event_hdr);
	f->nparams = 1;
	f->ts = bpf_ktime_get_boot_ns();
	f->tid = pid_tgid;
	f->type = 1000;
	push_u64(f, pid_tgid >> 32);
	flush(ctx, f);
	return 0;
}

char __license[] SEC("license") = "GPL";
