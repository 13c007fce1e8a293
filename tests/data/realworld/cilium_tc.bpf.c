/* cilium-style tc datapath (written for pyebpf in the style of cilium's bpf_lxc.c and
 * bpf_host.c): policy lookups, SNAT with checksum helpers, skb->cb state between tail
 * calls, redirects, and drop notifications. */
#include "common.h"

#define CB_SRC_IDENTITY 0
#define CB_POLICY 1
#define TC_ACT_REDIRECT 7

struct policy_key {
	__u32 sec_label;
	__u16 dport;
	__u8 protocol;
	__u8 egress;
};

struct policy_entry {
	__u16 proxy_port;
	__u8 deny;
	__u8 pad;
	__u64 packets;
	__u64 bytes;
};

struct nat_entry {
	__u32 to_addr;
	__u16 to_port;
	__u16 pad;
	__u64 created;
};

struct endpoint_info {
	__u32 ifindex;
	__u32 sec_label;
	__u8 mac[6];
	__u8 node_mac[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct policy_key);
	__type(value, struct policy_entry);
} cilium_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct nat_entry);
} cilium_snat_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct endpoint_info);
} cilium_lxc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 16);
	__uint(key_size, 4);
	__uint(value_size, 4);
} cilium_calls_tc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct counters);
} cilium_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} cilium_ring SEC(".maps");

const volatile __u32 NODE_IP = 0x0a000001;
const volatile __u16 NAT_MIN_PORT = 32768;

struct trace_event {
	__u32 ifindex;
	__u32 len;
	__u32 src;
	__u32 dst;
	__u8 reason;
	__u8 pad[3];
};

static __always_inline int drop(struct __sk_buff *skb, __u32 reason)
{
	__u32 k = reason & 63;
	struct counters *c = bpf_map_lookup_elem(&cilium_drops, &k);
	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
	struct trace_event *e = bpf_ringbuf_reserve(&cilium_ring, sizeof(*e), 0);
	if (e) {
		e->ifindex = skb->ifindex;
		e->len = skb->len;
		e->src = e->dst = 0;
		e->reason = reason;
		bpf_ringbuf_submit(e, 0);
	}
	return TC_ACT_SHOT;
}

SEC("tc")
int cil_from_container(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return drop(skb, 1);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return drop(skb, 2);
	__u32 ifindex = skb->ingress_ifindex;
	struct endpoint_info *ep = bpf_map_lookup_elem(&cilium_lxc, &ifindex);
	if (!ep)
		return drop(skb, 3);
	skb->cb[CB_SRC_IDENTITY] = ep->sec_label;
	struct policy_key pk = { .sec_label = ep->sec_label, .protocol = ip->protocol,
				 .egress = 1 };
	if (ip->protocol == IPPROTO_TCP && ip->ihl == 5) {
		struct tcphdr *th = (void *)(ip + 1);
		if ((void *)(th + 1) > data_end)
			return drop(skb, 4);
		pk.dport = th->dest;
	}
	struct policy_entry *pe = bpf_map_lookup_elem(&cilium_policy, &pk);
	if (!pe) {
		pk.dport = 0;
		pe = bpf_map_lookup_elem(&cilium_policy, &pk);
	}
	if (!pe || pe->deny)
		return drop(skb, 5);
	__sync_fetch_and_add(&pe->packets, 1);
	__sync_fetch_and_add(&pe->bytes, skb->len);
	skb->cb[CB_POLICY] = pe->proxy_port;
	bpf_tail_call(skb, &cilium_calls_tc, 1);
	return TC_ACT_OK;
}

SEC("tc")
int cil_snat_v4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	__u16 *ports = (void *)(ip + 1);
	if ((void *)(ports + 2) > data_end)
		return drop(skb, 6);
	struct flow_key fk = { .saddr = ip->saddr, .daddr = ip->daddr, .sport = ports[0],
			       .dport = ports[1], .proto = ip->protocol };
	__u8 proto = ip->protocol;
	struct nat_entry *ne = bpf_map_lookup_elem(&cilium_snat_v4, &fk);
	struct nat_entry n;
	if (!ne) {
		n.to_addr = NODE_IP;
		n.to_port = bpf_htons(NAT_MIN_PORT + (bpf_get_prandom_u32() & 0x3fff));
		n.pad = 0;
		n.created = bpf_ktime_get_ns();
		if (bpf_map_update_elem(&cilium_snat_v4, &fk, &n, BPF_NOEXIST) < 0)
			return drop(skb, 7);
		ne = &n;
	}
	__u32 old_addr = fk.saddr, new_addr = ne->to_addr;
	__u16 old_port = fk.sport, new_port = ne->to_port;
	__u32 l4_csum_off = ETH_HLEN + sizeof(struct iphdr) +
		(proto == IPPROTO_TCP ? offsetof(struct tcphdr, check) : offsetof(struct udphdr, check));
	if (bpf_l4_csum_replace(skb, l4_csum_off, old_addr, new_addr, BPF_F_PSEUDO_HDR | 4) < 0)
		return drop(skb, 8);
	if (bpf_l4_csum_replace(skb, l4_csum_off, old_port, new_port, 2) < 0)
		return drop(skb, 8);
	if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_addr, new_addr,
				4) < 0)
		return drop(skb, 9);
	if (bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, saddr), &new_addr, 4, 0) < 0)
		return drop(skb, 10);
	if (bpf_skb_store_bytes(skb, ETH_HLEN + sizeof(struct iphdr), &new_port, 2, 0) < 0)
		return drop(skb, 10);
	skb->mark = 0xc00;
	return TC_ACT_OK;
}

SEC("tc")
int cil_to_container(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	struct endpoint_info *ep = bpf_map_lookup_elem(&cilium_lxc, &key);
	if (!ep)
		return TC_ACT_OK;
	__u8 mac[12];
	__builtin_memcpy(mac, ep->mac, 6);
	__builtin_memcpy(mac + 6, ep->node_mac, 6);
	if (bpf_skb_store_bytes(skb, 0, mac, sizeof(mac), 0) < 0)
		return drop(skb, 11);
	if (skb->cb[CB_POLICY])
		skb->mark = 0xa00 | (skb->cb[CB_POLICY] << 16);
	skb->priority = skb->tc_index & 7;
	return bpf_redirect(ep->ifindex, 0);
}

SEC("tc")
int cil_host_egress(struct __sk_buff *skb)
{
	__u8 buf[20];
	if (bpf_skb_load_bytes(skb, ETH_HLEN, buf, sizeof(buf)) < 0)
		return TC_ACT_OK;
	if ((buf[0] >> 4) != 4)
		return TC_ACT_OK;
	if (buf[8] <= 1)
		return drop(skb, 12);
	__u32 k = 63;
	struct counters *c = bpf_map_lookup_elem(&cilium_drops, &k);
	if (c)
		c->packets++;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
