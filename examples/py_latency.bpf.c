/* Latency histogram of a Python function: handle() of examples/py_app.py.
 *
 *   pyebpf trace examples/py_latency.o -- python examples/py_app.py 50
 *
 * The uprobe stores the entry time per thread, the uretprobe computes the latency, counts
 * it in a log2 histogram (hist[slot]: calls that took 2^slot..2^(slot+1)-1 ns) and reports
 * calls slower than min_ns (.rodata, settable before load) as ring buffer events. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct slow_call {
	__u64 arg;		/* handle(n): n */
	__u64 latency_ns;
	__u32 tid;
	__u32 slot;
};

const volatile __u64 min_ns = 200000;	/* report calls slower than 200 us */
const struct slow_call *unused_slow_call __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);		/* tid */
	__type(value, __u64[2]);	/* entry time, argument */
	__uint(max_entries, 1024);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 32);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} slow SEC(".maps");

static __u32 log2l(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("uprobe/__main__:handle")
int handle_entry(struct pt_regs *ctx)
{
	__u32 tid = bpf_get_current_pid_tgid();
	__u64 v[2] = { bpf_ktime_get_ns(), PT_REGS_PARM1(ctx) };

	bpf_map_update_elem(&start, &tid, v, BPF_ANY);
	return 0;
}

SEC("uretprobe/__main__:handle")
int handle_return(struct pt_regs *ctx)
{
	__u32 tid = bpf_get_current_pid_tgid();
	__u64 *v = bpf_map_lookup_elem(&start, &tid);
	__u64 delta, *count;
	__u32 slot;

	if (!v)
		return 0;
	delta = bpf_ktime_get_ns() - v[0];
	slot = log2l(delta);
	if (slot > 31)
		slot = 31;
	count = bpf_map_lookup_elem(&hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	if (delta >= min_ns) {
		struct slow_call *e = bpf_ringbuf_reserve(&slow, sizeof(*e), 0);

		if (e) {
			e->arg = v[1];
			e->latency_ns = delta;
			e->tid = tid;
			e->slot = slot;
			bpf_ringbuf_submit(e, 0);
		}
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
