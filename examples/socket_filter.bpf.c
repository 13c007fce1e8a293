/* Socket filter: keep DNS (UDP or TCP port 53) truncated to a snap length, drop the rest.
 * A socket filter returns how many bytes of the packet to keep (0 drops it). */
#include <stddef.h>
#include "common.h"

const volatile __u32 snap_len = 96;
const volatile __u16 dns_port = 53;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} kept SEC(".maps");		/* [0] dropped, [1] kept */

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	__u8 proto, ihl;
	__u16 ports[2];
	__u32 idx = 0;
	__u64 *n;
	int keep = 0;

	/* As on an AF_INET raw socket (and in BPF_PROG_TEST_RUN), the program sees the
	 * packet from its network header: offset 0 is the IPv4 header. */
	if (skb->protocol != bpf_htons(ETH_P_IP))
		goto out;
	if (bpf_skb_load_bytes(skb, offsetof(struct iphdr, protocol), &proto, 1) ||
	    bpf_skb_load_bytes(skb, 0, &ihl, 1))
		goto out;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		goto out;
	if (bpf_skb_load_bytes(skb, (ihl & 0xf) * 4, ports, sizeof(ports)))
		goto out;
	if (bpf_ntohs(ports[0]) == dns_port || bpf_ntohs(ports[1]) == dns_port) {
		keep = skb->len < snap_len ? skb->len : snap_len;
		idx = 1;
	}
out:
	n = bpf_map_lookup_elem(&kept, &idx);
	if (n)
		__sync_fetch_and_add(n, 1);
	return keep;
}

char LICENSE[] SEC("license") = "GPL";
