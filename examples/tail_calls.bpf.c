/* A dispatcher that tail-calls one program per IP protocol through a PROG_ARRAY whose
 * slots are filled from the object itself (libbpf's .values = { [i] = &prog }). */
#include "common.h"

int handle_tcp(struct xdp_md *ctx);
int handle_udp(struct xdp_md *ctx);
int handle_icmp(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} by_proto SEC(".maps") = {
	.values = {
		[IPPROTO_TCP] = (void *)&handle_tcp,
		[IPPROTO_UDP] = (void *)&handle_udp,
		[IPPROTO_ICMP] = (void *)&handle_icmp,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} handled SEC(".maps");		/* packets per protocol that reached a handler */

static __always_inline void bump(__u32 proto)
{
	__u64 *n = bpf_map_lookup_elem(&handled, &proto);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};

	if (!parse_flow(data, data_end, &f))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &by_proto, f.ip_proto);
	return XDP_PASS;	/* no handler for this protocol */
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	bump(IPPROTO_TCP);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	bump(IPPROTO_UDP);
	return XDP_PASS;
}

SEC("xdp")
int handle_icmp(struct xdp_md *ctx)
{
	bump(IPPROTO_ICMP);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
