/* Per-function call counter for Python functions, and per-user request counts from the
 * application tracepoint app:request (examples/py_app.py).
 *
 *   pyebpf trace examples/py_calls.o --attach count_calls=uprobe/__main__:fib \
 *       --attach count_calls=uprobe/__main__:handle -- python examples/py_app.py 20
 *
 * One program counts calls of every function it is attached to, keyed by pt_regs.ip
 * (pyebpf sets it per function; pyebpf trace prints those keys as function names). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);		/* the function (pt_regs.ip) */
	__type(value, __u64);		/* calls */
	__uint(max_entries, 256);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);		/* user_id */
	__type(value, __u64[2]);	/* requests, bytes */
	__uint(max_entries, 256);
} requests SEC(".maps");

SEC("uprobe")
int count_calls(struct pt_regs *ctx)
{
	__u64 ip = PT_REGS_IP(ctx), one = 1;
	__u64 *n = bpf_map_lookup_elem(&calls, &ip);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&calls, &ip, &one, BPF_NOEXIST);
	return 0;
}

SEC("raw_tp/app:request")
int count_requests(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 user = ctx->args[0];
	__u64 *v = bpf_map_lookup_elem(&requests, &user);

	if (v) {
		__sync_fetch_and_add(&v[0], 1);
		__sync_fetch_and_add(&v[1], ctx->args[1]);
	} else {
		__u64 init[2] = { 1, ctx->args[1] };

		bpf_map_update_elem(&requests, &user, init, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
