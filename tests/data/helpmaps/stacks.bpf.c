// SPDX-License-Identifier: GPL-2.0
/* Stack trace collection in the style of samples/bpf/offwaketime and the BCC profile tool,
 * written for pyebpf's tests: a kprobe records the kernel and user stack ids of the current
 * task into a STACK_TRACE map and counts them per (pid, stack ids) in a hash; a raw
 * tracepoint does the same with bpf_get_stack into a per-CPU scratch buffer. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define PERF_MAX_STACK_DEPTH 127

struct key_t {
	__u32 pid;
	__s32 kern_stack;
	__s32 user_stack;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(__u64));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct key_t);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[PERF_MAX_STACK_DEPTH]);
} scratch SEC(".maps");

SEC("kprobe/try_to_wake_up")
int waker(struct pt_regs *ctx)
{
	struct key_t key = {};
	__u64 one = 1, *val;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	key.kern_stack = bpf_get_stackid(ctx, &stackmap, 0);
	key.user_stack = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);

	val = bpf_map_lookup_elem(&counts, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("raw_tp/sched_switch")
int switcher(void *ctx)
{
	__u32 zero = 0;
	__u64 *buf = bpf_map_lookup_elem(&scratch, &zero);
	long n;

	if (!buf)
		return 0;
	n = bpf_get_stack(ctx, buf, PERF_MAX_STACK_DEPTH * sizeof(__u64), 0);
	return n < 0 ? (int)-n : 0;
}

char LICENSE[] SEC("license") = "GPL";
