/* Packet parsing shared by the examples (libbpf style, no kernel headers beyond UAPI). */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* What a parser found in a frame: protocol numbers and ports in host order. */
struct flow {
	__u16 eth_proto;
	__u8 ip_proto;
	__u8 tcp_flags;
	__u32 saddr;		/* IPv4 source, network order (0 for IPv6) */
	__u16 sport;
	__u16 dport;
};

/* Parse Ethernet / IPv4 or IPv6 / TCP, UDP: returns 0 when the frame is too short. */
static __always_inline int parse_flow(void *data, void *data_end, struct flow *f)
{
	struct ethhdr *eth = data;
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return 0;
	f->eth_proto = bpf_ntohs(eth->h_proto);
	if (f->eth_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return 0;
		f->ip_proto = ip->protocol;
		f->saddr = ip->saddr;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (f->eth_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		f->ip_proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return 1;
	}
	if (f->ip_proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return 0;
		f->sport = bpf_ntohs(tcp->source);
		f->dport = bpf_ntohs(tcp->dest);
		f->tcp_flags = ((__u8 *)tcp)[13];
	} else if (f->ip_proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return 0;
		f->sport = bpf_ntohs(udp->source);
		f->dport = bpf_ntohs(udp->dest);
	}
	return 1;
}

#endif
