/* sk_skb/sk_msg parsers and verdicts, sk_lookup, sk_reuseport, a flow dissector and LWT
 * programs (written for pyebpf in the style of the kernel selftests' bpf_flow.c,
 * test_sockmap_kern.h, test_sk_lookup.c, test_lwt_ip_encap.c and cilium's sock
 * acceleration): verified as the kernel verifies them. */
#include "common.h"

#define SK_DROP 0
#define SK_PASS 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __u32);
} port_policy SEC(".maps");

static __always_inline void bump(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &i);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("sk_skb/stream_parser")
int skb_parser(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 *len = data;
	if ((void *)(len + 1) > data_end)
		return skb->len;
	/* a 4-byte big-endian length prefix frames the records */
	return bpf_ntohl(*len) + 4;
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
	__u8 hdr[2];
	if (bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)) < 0)
		return SK_DROP;
	bump(hdr[0] & 31);
	if (skb->local_port == 6379 && hdr[0] == '*')
		return SK_PASS;
	__u16 port = skb->remote_port >> 16;
	__u32 *pol = bpf_map_lookup_elem(&port_policy, &port);
	return pol && *pol ? SK_DROP : SK_PASS;
}

SEC("sk_msg")
int msg_verdict(struct sk_msg_md *msg)
{
	void *data = msg->data;
	void *data_end = msg->data_end;
	if (data + 8 > data_end) {
		bpf_msg_pull_data(msg, 0, 8, 0);
		data = msg->data;
		data_end = msg->data_end;
		if (data + 8 > data_end)
			return SK_PASS;
	}
	__u8 *p = data;
	if (p[0] == 'G' && p[1] == 'E' && p[2] == 'T')
		bpf_msg_apply_bytes(msg, 1024);
	else if (msg->size < 64)
		bpf_msg_cork_bytes(msg, 64);
	if (msg->family == 2 && msg->remote_ip4 == bpf_htonl(0x7f000001))
		bump(20);
	return SK_PASS;
}

SEC("sk_lookup")
int lookup_steer(struct bpf_sk_lookup *ctx)
{
	if (ctx->family != 2 || ctx->protocol != IPPROTO_TCP)
		return SK_PASS;
	if (ctx->local_port < 7000 || ctx->local_port > 7100)
		return SK_PASS;
	__u16 port = ctx->local_port;
	__u32 *pol = bpf_map_lookup_elem(&port_policy, &port);
	if (pol && *pol == 0)
		return SK_DROP;
	if (ctx->sk && ctx->sk->state == 10 /* TCP_LISTEN */)
		bump(21);
	return SK_PASS;
}

SEC("sk_reuseport")
int reuseport_pick(struct sk_reuseport_md *reuse)
{
	void *data = reuse->data;
	void *data_end = reuse->data_end;
	if (reuse->ip_protocol == IPPROTO_UDP && data + sizeof(struct udphdr) <= data_end) {
		struct udphdr *uh = data;
		if (uh->dest == bpf_htons(53))
			bump(22);
	}
	if (reuse->eth_protocol == bpf_htons(ETH_P_IPV6))
		bump(23);
	return reuse->hash & 1 ? SK_PASS : SK_DROP;
}

SEC("flow_dissector")
int flow_dissect(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u16 off = keys->nhoff;

	if (off > 64)
		return BPF_DROP;

	if (keys->n_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > data_end)
			return BPF_DROP;
		if (ip->ihl < 5)
			return BPF_DROP;
		keys->addr_proto = ETH_P_IP;
		keys->ipv4_src = ip->saddr;
		keys->ipv4_dst = ip->daddr;
		keys->ip_proto = ip->protocol;
		keys->is_frag = !!(ip->frag_off & bpf_htons(0x3fff));
		keys->thoff = off + ip->ihl * 4;
		if (keys->is_frag)
			return BPF_OK;
		if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
			__u16 ports[2];
			if (bpf_skb_load_bytes(skb, keys->thoff, ports, sizeof(ports)) < 0)
				return BPF_DROP;
			keys->sport = ports[0];
			keys->dport = ports[1];
		}
		return BPF_OK;
	}
	if (keys->n_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > data_end)
			return BPF_DROP;
		keys->addr_proto = ETH_P_IPV6;
		__builtin_memcpy(keys->ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(keys->ipv6_dst, &ip6->daddr, 16);
		keys->ip_proto = ip6->nexthdr;
		keys->thoff = off + sizeof(*ip6);
		keys->flow_label = *(__u32 *)ip6 & bpf_htonl(0xfffff);
		return BPF_OK;
	}
	return BPF_DROP;
}

SEC("lwt_in")
int lwt_in_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end)
		return BPF_DROP;
	if (ip->ttl < 2)
		return BPF_DROP;
	bump(24);
	return BPF_OK;
}

SEC("lwt_out")
int lwt_out_count(struct __sk_buff *skb)
{
	__u8 v;
	if (bpf_skb_load_bytes(skb, 0, &v, 1) < 0)
		return BPF_DROP;
	bump((v >> 4) == 6 ? 25 : 26);
	skb->cb[0] = skb->len;
	return BPF_OK;
}

SEC("lwt_xmit")
int lwt_xmit_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end)
		return BPF_OK;
	if (ip->tos == 0) {
		__u8 tos = 0x10;
		__u16 old = *(__u16 *)ip;
		ip->tos = tos;
		__u32 csum = (__u16)~ip->check + (__u16)~old + *(__u16 *)ip;
		ip->check = csum_fold(csum);
	}
	skb->mark = 7;
	skb->priority = 3;
	return BPF_OK;
}

SEC("lwt_seg6local")
int seg6_count(struct __sk_buff *skb)
{
	bump(27);
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
