/* tc classifier that rewrites headers: swap the Ethernet addresses, decrement the IPv4
 * TTL (fixing the header checksum incrementally, RFC 1624) and redirect TCP port 8080
 * to 80 (fixing the TCP checksum with bpf_l4_csum_replace). */
#include "common.h"
#include <linux/pkt_cls.h>


SEC("tc")
int rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;
	unsigned char tmp[ETH_ALEN];
	__u32 csum;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);

	/* TTL is the high byte of the 16-bit word it shares with the protocol */
	csum = (__u32)ip->check + bpf_htons(0x0100);
	ip->check = (__u16)(csum + (csum >> 16));
	ip->ttl -= 1;

	if (ip->protocol == IPPROTO_TCP && ip->ihl == 5) {
		struct tcphdr *tcp = (void *)(ip + 1);
		__u32 off = ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, check);
		__be16 old, new = bpf_htons(80);

		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		old = tcp->dest;
		if (old == bpf_htons(8080)) {
			bpf_l4_csum_replace(skb, off, old, new, sizeof(new));
			data = (void *)(long)skb->data;
			data_end = (void *)(long)skb->data_end;
			tcp = data + ETH_HLEN + sizeof(struct iphdr);
			if ((void *)(tcp + 1) > data_end)
				return TC_ACT_SHOT;
			tcp->dest = new;
		}
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
