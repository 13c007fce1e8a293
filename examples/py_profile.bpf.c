/* A sampling profiler for Python: 99 samples a second of the program's main thread,
 * counted per Python stack (innermost 6 frames).
 *
 *   pyebpf trace examples/py_profile.o --sample 99 -- python examples/py_app.py 100000
 *
 * pyebpf trace prints each stack's frames by name. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct stack {
	__u64 ips[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct stack);
	__type(value, __u64);
	__uint(max_entries, 4096);
} stacks SEC(".maps");

SEC("perf_event")
int profile(struct bpf_perf_event_data *ctx)
{
	struct stack st = {};
	__u64 one = 1, *n;

	if (bpf_get_stack(ctx, st.ips, sizeof(st.ips), BPF_F_USER_STACK) <= 0)
		return 0;
	n = bpf_map_lookup_elem(&stacks, &st);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&stacks, &st, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
