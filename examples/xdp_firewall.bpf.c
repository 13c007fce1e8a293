/* XDP firewall: drop IPv4 sources listed in an LPM trie, a configurable TCP port,
 * and (optionally) ICMP; count verdicts per rule.
 *
 *   pyebpf run examples/xdp_firewall.o --pcap examples/traffic.pcap
 */
#include "common.h"

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;		/* network order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);		/* rule id */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist SEC(".maps");

enum verdict_reason { PASSED, BLOCKED_SOURCE, BLOCKED_PORT, BLOCKED_ICMP, MALFORMED, NR_REASONS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Configuration, set before load (libbpf skeleton style: skel->rodata->blocked_port). */
const volatile __u16 blocked_port = 23;		/* telnet */
const volatile __u8 drop_icmp = 1;

static __always_inline int count(__u32 reason, int action)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &reason);

	if (n)
		__sync_fetch_and_add(n, 1);
	return action;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};

	if (!parse_flow(data, data_end, &f))
		return count(MALFORMED, XDP_DROP);
	if (f.eth_proto == ETH_P_IP) {
		struct lpm_v4_key key = { .prefixlen = 32, .addr = f.saddr };

		if (bpf_map_lookup_elem(&blocklist, &key))
			return count(BLOCKED_SOURCE, XDP_DROP);
	}
	if (f.ip_proto == IPPROTO_TCP && f.dport == blocked_port)
		return count(BLOCKED_PORT, XDP_DROP);
	if (drop_icmp && (f.ip_proto == IPPROTO_ICMP || f.ip_proto == IPPROTO_ICMPV6))
		return count(BLOCKED_ICMP, XDP_DROP);
	return count(PASSED, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
