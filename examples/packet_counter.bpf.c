/* Count packets and bytes per IPv4 source address in a hash map; pass everything. */
#include "common.h"

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* IPv4 source, network order */
	__type(value, struct counters);
} per_source SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};
	struct counters *c, init = {};

	if (!parse_flow(data, data_end, &f) || f.eth_proto != ETH_P_IP)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&per_source, &f.saddr);
	if (!c) {
		bpf_map_update_elem(&per_source, &f.saddr, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&per_source, &f.saddr);
		if (!c)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, data_end - data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
