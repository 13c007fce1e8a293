/* suricata-style XDP bypass filter (written for pyebpf after suricata's ebpf/xdp_filter.c
 * and bypass_filter.c): legacy struct bpf_map_def maps, per-CPU flow tables for IPv4 and
 * IPv6 keyed on 5-tuples with VLAN ids, hash-based load spreading, a tc bypass filter. */
#include "common.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct flowv4_keys {
	__u32 src;
	__u32 dst;
	union {
		__u32 ports;
		__u16 port16[2];
	};
	__u8 ip_proto:1;
	__u16 vlan0:15;
	__u16 vlan1;
};

struct flowv6_keys {
	__u32 src[4];
	__u32 dst[4];
	union {
		__u32 ports;
		__u16 port16[2];
	};
	__u8 ip_proto:1;
	__u16 vlan0:15;
	__u16 vlan1;
};

struct pair {
	__u64 packets;
	__u64 bytes;
};

struct bpf_map_def SEC("maps") flow_table_v4 = {
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = sizeof(struct flowv4_keys),
	.value_size = sizeof(struct pair),
	.max_entries = 32768,
};

struct bpf_map_def SEC("maps") flow_table_v6 = {
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = sizeof(struct flowv6_keys),
	.value_size = sizeof(struct pair),
	.max_entries = 32768,
};

struct bpf_map_def SEC("maps") cpus_available = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 64,
};

struct bpf_map_def SEC("maps") cpus_count = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1,
};

struct bpf_map_def SEC("maps") global_bypass = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct pair),
	.max_entries = 2,
};

static __always_inline int get_sport(void *trans_data, void *data_end, __u8 protocol)
{
	struct tcphdr *th;
	struct udphdr *uh;

	switch (protocol) {
	case IPPROTO_TCP:
		th = (struct tcphdr *)trans_data;
		if ((void *)(th + 1) > data_end)
			return -1;
		return th->source;
	case IPPROTO_UDP:
		uh = (struct udphdr *)trans_data;
		if ((void *)(uh + 1) > data_end)
			return -1;
		return uh->source;
	default:
		return 0;
	}
}

static __always_inline int get_dport(void *trans_data, void *data_end, __u8 protocol)
{
	struct tcphdr *th;
	struct udphdr *uh;

	switch (protocol) {
	case IPPROTO_TCP:
		th = (struct tcphdr *)trans_data;
		if ((void *)(th + 1) > data_end)
			return -1;
		return th->dest;
	case IPPROTO_UDP:
		uh = (struct udphdr *)trans_data;
		if ((void *)(uh + 1) > data_end)
			return -1;
		return uh->dest;
	default:
		return 0;
	}
}

static __always_inline int account(void *table, void *key, __u64 len)
{
	struct pair *value = bpf_map_lookup_elem(table, key);
	if (value) {
		value->packets++;
		value->bytes += len;
		return XDP_DROP;
	}
	return XDP_PASS;
}

static __always_inline int filter_ipv4(struct xdp_md *ctx, void *data, __u64 nh_off,
				       void *data_end, __u16 vlan0, __u16 vlan1)
{
	struct iphdr *iph = data + nh_off;
	int dport, sport;
	struct flowv4_keys tuple;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (iph->ihl != 5)
		return XDP_PASS;
	tuple.ip_proto = (__u32)iph->protocol == IPPROTO_TCP ? 1 : 0;
	tuple.src = iph->saddr;
	tuple.dst = iph->daddr;
	dport = get_dport(iph + 1, data_end, iph->protocol);
	if (dport == -1)
		return XDP_PASS;
	sport = get_sport(iph + 1, data_end, iph->protocol);
	if (sport == -1)
		return XDP_PASS;
	tuple.port16[0] = (__u16)sport;
	tuple.port16[1] = (__u16)dport;
	tuple.vlan0 = vlan0;
	tuple.vlan1 = vlan1;
	return account(&flow_table_v4, &tuple, data_end - data);
}

static __always_inline int filter_ipv6(struct xdp_md *ctx, void *data, __u64 nh_off,
				       void *data_end, __u16 vlan0, __u16 vlan1)
{
	struct ipv6hdr *ip6h = data + nh_off;
	int dport, sport;
	struct flowv6_keys tuple;

	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (ip6h->nexthdr != IPPROTO_TCP && ip6h->nexthdr != IPPROTO_UDP)
		return XDP_PASS;
	dport = get_dport(ip6h + 1, data_end, ip6h->nexthdr);
	if (dport == -1)
		return XDP_PASS;
	sport = get_sport(ip6h + 1, data_end, ip6h->nexthdr);
	if (sport == -1)
		return XDP_PASS;
	tuple.ip_proto = ip6h->nexthdr == IPPROTO_TCP ? 1 : 0;
	__builtin_memcpy(tuple.src, ip6h->saddr.s6_addr32, sizeof(tuple.src));
	__builtin_memcpy(tuple.dst, ip6h->daddr.s6_addr32, sizeof(tuple.dst));
	tuple.port16[0] = sport;
	tuple.port16[1] = dport;
	tuple.vlan0 = vlan0;
	tuple.vlan1 = vlan1;
	return account(&flow_table_v6, &tuple, data_end - data);
}

SEC("xdp")
int xdp_hashfilter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u16 h_proto, vlan0 = 0, vlan1 = 0;
	__u64 nh_off = sizeof(*eth);

	if (data + nh_off > data_end)
		return XDP_PASS;
	h_proto = eth->h_proto;
	if (h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vhdr = data + nh_off;
		nh_off += sizeof(struct vlan_hdr);
		if (data + nh_off > data_end)
			return XDP_PASS;
		h_proto = vhdr->h_vlan_encapsulated_proto;
		vlan0 = vhdr->h_vlan_TCI & 0x0fff;
	}
	if (h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vhdr = data + nh_off;
		nh_off += sizeof(struct vlan_hdr);
		if (data + nh_off > data_end)
			return XDP_PASS;
		h_proto = vhdr->h_vlan_encapsulated_proto;
		vlan1 = vhdr->h_vlan_TCI & 0x0fff;
	}
	if (h_proto == bpf_htons(ETH_P_IP))
		return filter_ipv4(ctx, data, nh_off, data_end, vlan0, vlan1);
	if (h_proto == bpf_htons(ETH_P_IPV6))
		return filter_ipv6(ctx, data, nh_off, data_end, vlan0, vlan1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_cpu_spread(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 key0 = 0, *count, *cpu, idx;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	count = bpf_map_lookup_elem(&cpus_count, &key0);
	if (!count || !*count)
		return XDP_PASS;
	idx = (iph->saddr + iph->daddr) % *count;
	cpu = bpf_map_lookup_elem(&cpus_available, &idx);
	if (!cpu)
		return XDP_ABORTED;
	struct pair *g = bpf_map_lookup_elem(&global_bypass, &key0);
	if (g)
		g->packets += *cpu;
	return XDP_PASS;
}

SEC("classifier")
int tc_bypass(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct flowv4_keys tuple = {};

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5)
		return TC_ACT_OK;
	tuple.ip_proto = iph->protocol == IPPROTO_TCP;
	tuple.src = iph->saddr;
	tuple.dst = iph->daddr;
	int sport = get_sport(iph + 1, data_end, iph->protocol);
	int dport = get_dport(iph + 1, data_end, iph->protocol);
	if (sport < 0 || dport < 0)
		return TC_ACT_OK;
	tuple.port16[0] = sport;
	tuple.port16[1] = dport;
	tuple.vlan0 = skb->vlan_tci & 0x0fff;
	struct pair *value = bpf_map_lookup_elem(&flow_table_v4, &tuple);
	if (value) {
		value->packets++;
		value->bytes += skb->len;
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

char __license[] SEC("license") = "GPL";
__u32 __version SEC("version") = 0x61200;
