// SPDX-License-Identifier: GPL-2.0
/* An XDP forwarder in the style of cilium's bpf_xdp / samples/bpf/xdp_fwd_kern.c, written
 * for pyebpf's tests: parse Ethernet + IPv4, ask the kernel's FIB for the next hop
 * (bpf_fib_lookup), rewrite the MAC addresses, decrement the TTL with an incremental
 * checksum update and redirect through a DEVMAP (bpf_redirect_map).  Per-verdict counters
 * in a per-CPU array, a CPUMAP for the "steer" variant. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} fib_rc SEC(".maps");

static __always_inline void count(__u32 rc)
{
	__u64 *v = bpf_map_lookup_elem(&fib_rc, &rc);

	if (v)
		*v += 1;
}

static __always_inline int ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	return --iph->ttl;
}

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct iphdr *iph;
	long rc;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->ttl <= 1)
		return XDP_PASS;

	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = bpf_ntohs(iph->tot_len);
	fib.ipv4_src = iph->saddr;
	fib.ipv4_dst = iph->daddr;
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	count(rc < 0 ? 15 : (__u32)rc & 15);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc < 0 ? XDP_ABORTED : XDP_PASS;

	ip_decrease_ttl(iph);
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect_map(&tx_port, fib.ifindex, XDP_PASS);
}

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	__u32 cpu = ctx->rx_queue_index & 1;

	/* to the CPU's queue if it has one, else on here */
	return bpf_redirect_map(&cpu_map, cpu, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
