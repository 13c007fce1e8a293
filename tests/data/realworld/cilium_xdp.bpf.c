/* cilium-style XDP datapath (written for pyebpf in the style of cilium's bpf_xdp.c):
 * prefilter with an LPM trie, a service lookup, a conntrack LRU, per-CPU metrics, and
 * tail calls into per-protocol stages through a PROG_ARRAY. */
#include "common.h"

#define CILIUM_CALL_IPV4 1
#define CILIUM_CALL_IPV6 2
#define CILIUM_CALL_DROP 3

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;
};

struct lb4_key {
	__u32 address;
	__u16 dport;
	__u16 backend_slot;
};

struct lb4_service {
	__u32 backend_id;
	__u16 count;
	__u16 flags;
};

struct lb4_backend {
	__u32 address;
	__u16 port;
	__u8 proto;
	__u8 flags;
};

struct ct_entry {
	__u64 lifetime;
	__u32 rx_packets;
	__u32 tx_packets;
	__u16 rev_nat;
	__u16 flags;
};

struct metrics_key {
	__u8 reason;
	__u8 dir;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, 4);
	__uint(value_size, 4);
} cilium_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cilium_cidr_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lb4_key);
	__type(value, struct lb4_service);
} cilium_lb4_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct lb4_backend);
} cilium_lb4_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct ct_entry);
} cilium_ct4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct metrics_key);
	__type(value, struct counters);
} cilium_metrics SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} cilium_events SEC(".maps");

struct drop_notify {
	__u8 type;
	__u8 reason;
	__u16 len;
	__u32 ifindex;
};

static __always_inline void update_metrics(__u32 bytes, __u8 reason, __u8 dir)
{
	struct metrics_key key = { .reason = reason, .dir = dir };
	struct counters *c = bpf_map_lookup_elem(&cilium_metrics, &key);
	if (c) {
		c->packets += 1;
		c->bytes += bytes;
	} else {
		struct counters n = { .packets = 1, .bytes = bytes };
		bpf_map_update_elem(&cilium_metrics, &key, &n, BPF_ANY);
	}
}

static __always_inline int send_drop_notify(struct xdp_md *ctx, __u8 reason)
{
	struct drop_notify msg = {
		.type = 1, .reason = reason,
		.len = (__u16)(ctx->data_end - ctx->data), .ifindex = ctx->ingress_ifindex,
	};
	update_metrics(msg.len, reason, 1);
	bpf_perf_event_output(ctx, &cilium_events, BPF_F_CURRENT_CPU, &msg, sizeof(msg));
	return XDP_DROP;
}

static __always_inline __u32 hash_flow(struct flow_key *k)
{
	__u32 h = k->saddr ^ (k->daddr * 2654435761u);
	h ^= ((__u32)k->sport << 16) | k->dport;
	h ^= h >> 15;
	return h * 2246822519u;
}

SEC("xdp")
int cil_xdp_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	__u32 off;

	if (parse_eth(data, data_end, &proto, &off) < 0)
		return send_drop_notify(ctx, 130);
	if (proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &cilium_calls, CILIUM_CALL_IPV4);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &cilium_calls, CILIUM_CALL_IPV6);
	return XDP_PASS;
}

SEC("xdp")
int cil_xdp_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	__u32 off;

	if (parse_eth(data, data_end, &proto, &off) < 0)
		return XDP_ABORTED;
	if (off > 22)
		return XDP_PASS;
	struct iphdr *ip = data + off;
	if ((void *)(ip + 1) > data_end)
		return send_drop_notify(ctx, 134);
	if (ip->ihl != 5)
		return XDP_PASS;

	struct lpm_v4_key pfx = { .prefixlen = 32, .addr = ip->saddr };
	if (bpf_map_lookup_elem(&cilium_cidr_v4, &pfx))
		return send_drop_notify(ctx, 181);

	struct flow_key fk = { .saddr = ip->saddr, .daddr = ip->daddr, .proto = ip->protocol };
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		__u16 *ports = (void *)(ip + 1);
		if ((void *)(ports + 2) > data_end)
			return send_drop_notify(ctx, 135);
		fk.sport = ports[0];
		fk.dport = ports[1];
	}

	struct lb4_key svc = { .address = ip->daddr, .dport = fk.dport };
	struct lb4_service *s = bpf_map_lookup_elem(&cilium_lb4_services, &svc);
	if (s && s->count) {
		svc.backend_slot = (hash_flow(&fk) % s->count) + 1;
		struct lb4_service *slot = bpf_map_lookup_elem(&cilium_lb4_services, &svc);
		if (!slot)
			return send_drop_notify(ctx, 150);
		struct lb4_backend *be = bpf_map_lookup_elem(&cilium_lb4_backends, &slot->backend_id);
		if (!be)
			return send_drop_notify(ctx, 151);
		__u32 old = ip->daddr;
		ip->daddr = be->address;
		__u32 csum = (__u16)~ip->check;
		csum += (__u16)~(old & 0xffff) + (__u16)~(old >> 16);
		csum += (be->address & 0xffff) + (be->address >> 16);
		ip->check = csum_fold(csum);
	}

	struct ct_entry *ct = bpf_map_lookup_elem(&cilium_ct4, &fk);
	if (ct) {
		__sync_fetch_and_add(&ct->rx_packets, 1);
		ct->lifetime = bpf_ktime_get_ns() + 21600000000000ull;
	} else {
		struct ct_entry n = { .lifetime = bpf_ktime_get_ns(), .rx_packets = 1 };
		bpf_map_update_elem(&cilium_ct4, &fk, &n, BPF_NOEXIST);
	}
	update_metrics((__u32)(data_end - data), 0, 1);
	return XDP_PASS;
}

SEC("xdp")
int cil_xdp_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 proto;
	__u32 off;

	if (parse_eth(data, data_end, &proto, &off) < 0)
		return XDP_ABORTED;
	if (off > 22)
		return XDP_PASS;
	struct ipv6hdr *ip6 = data + off;
	if ((void *)(ip6 + 1) > data_end)
		return send_drop_notify(ctx, 134);
	__u8 nexthdr = ip6->nexthdr;
	void *l4 = ip6 + 1;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (nexthdr != 0 && nexthdr != 43 && nexthdr != 60)
			break;
		__u8 *opt = l4;
		if ((void *)(opt + 2) > data_end)
			return send_drop_notify(ctx, 136);
		nexthdr = opt[0];
		l4 += (opt[1] + 1) * 8;
	}
	if (nexthdr == IPPROTO_ICMPV6) {
		__u8 *type = l4;
		if ((void *)(type + 1) > data_end)
			return XDP_PASS;
		if (*type == 128 && ip6->hop_limit < 2)
			return send_drop_notify(ctx, 140);
	}
	update_metrics((__u32)(data_end - data), 0, 1);
	return XDP_PASS;
}

SEC("xdp")
int cil_xdp_drop(struct xdp_md *ctx)
{
	return send_drop_notify(ctx, 199);
}

char _license[] SEC("license") = "GPL";
