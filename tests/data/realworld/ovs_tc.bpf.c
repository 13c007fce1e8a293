/* OVS-style eBPF datapath (written for pyebpf after the ovs-ebpf datapath's parser,
 * lookup and action stages): the packet parsed with bpf_skb_load_bytes into a flow key
 * kept in a per-CPU array, a megaflow hash lookup, actions run by tail calls, and upcalls
 * through a perf event array. */
#include "common.h"

#define OVS_ACTION_OUTPUT 1
#define OVS_ACTION_PUSH_VLAN 2
#define OVS_ACTION_SET_MARK 3
#define MAX_ACTIONS 8

struct ovs_key {
	__u8 eth_src[6];
	__u8 eth_dst[6];
	__be16 eth_type;
	__be16 vlan_tci;
	__be32 ip_src;
	__be32 ip_dst;
	__u8 ip_proto;
	__u8 ip_tos;
	__u8 ip_ttl;
	__u8 ip_frag;
	__be16 tp_src;
	__be16 tp_dst;
	__u32 in_port;
	__u32 pad;
};

struct ovs_action {
	__u32 type;
	__u32 arg;
};

struct ovs_actions {
	__u32 count;
	__u32 pad;
	struct ovs_action a[MAX_ACTIONS];
};

struct ovs_upcall {
	__u32 type;
	__u32 in_port;
	struct ovs_key key;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovs_key);
} percpu_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ovs_key);
	__type(value, struct ovs_actions);
} megaflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 0);
} upcalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} tailcalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counters);
} port_stats SEC(".maps");

SEC("tc")
int ovs_parser(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct ovs_key *key = bpf_map_lookup_elem(&percpu_key, &zero);
	if (!key)
		return TC_ACT_OK;
	__builtin_memset(key, 0, sizeof(*key));
	if (bpf_skb_load_bytes(skb, 0, key->eth_dst, 12) < 0)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 12, &key->eth_type, 2) < 0)
		return TC_ACT_OK;
	key->in_port = skb->ingress_ifindex;
	key->vlan_tci = skb->vlan_tci;
	if (key->eth_type == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
			return TC_ACT_OK;
		key->ip_src = ip.saddr;
		key->ip_dst = ip.daddr;
		key->ip_proto = ip.protocol;
		key->ip_tos = ip.tos;
		key->ip_ttl = ip.ttl;
		key->ip_frag = (ip.frag_off & bpf_htons(0x3fff)) != 0;
		if (!key->ip_frag && (ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP)) {
			__be16 ports[2];
			__u32 l4 = ETH_HLEN + ip.ihl * 4;
			if (l4 > 200)
				return TC_ACT_OK;
			if (bpf_skb_load_bytes(skb, l4, ports, sizeof(ports)) == 0) {
				key->tp_src = ports[0];
				key->tp_dst = ports[1];
			}
		}
	}
	bpf_tail_call(skb, &tailcalls, 1);
	return TC_ACT_OK;
}

SEC("tc")
int ovs_lookup(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct ovs_key *key = bpf_map_lookup_elem(&percpu_key, &zero);
	if (!key)
		return TC_ACT_OK;
	struct ovs_actions *acts = bpf_map_lookup_elem(&megaflow, key);
	if (!acts) {
		struct ovs_upcall up = { .type = 1, .in_port = key->in_port, .len = skb->len };
		__builtin_memcpy(&up.key, key, sizeof(*key));
		bpf_perf_event_output(skb, &upcalls, BPF_F_CURRENT_CPU, &up, sizeof(up));
		return TC_ACT_SHOT;
	}
	__u32 port = key->in_port & 255;
	struct counters *st = bpf_map_lookup_elem(&port_stats, &port);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, skb->len);
	}
	bpf_tail_call(skb, &tailcalls, 2);
	return TC_ACT_OK;
}

SEC("tc")
int ovs_action(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct ovs_key *key = bpf_map_lookup_elem(&percpu_key, &zero);
	if (!key)
		return TC_ACT_OK;
	struct ovs_actions *acts = bpf_map_lookup_elem(&megaflow, key);
	if (!acts)
		return TC_ACT_SHOT;
	int verdict = TC_ACT_OK;
	for (int i = 0; i < MAX_ACTIONS; i++) {
		if (i >= acts->count)
			break;
		struct ovs_action *a = &acts->a[i];
		switch (a->type) {
		case OVS_ACTION_OUTPUT:
			verdict = bpf_redirect(a->arg, 0);
			break;
		case OVS_ACTION_SET_MARK:
			skb->mark = a->arg;
			break;
		case OVS_ACTION_PUSH_VLAN:
			skb->priority = a->arg >> 13;
			break;
		default:
			return TC_ACT_SHOT;
		}
	}
	return verdict;
}

char __license[] SEC("license") = "Apache-2.0";
