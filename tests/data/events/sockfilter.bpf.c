/* A socket filter for tests/test_sockets.py: drops datagrams whose payload starts with
 * "DROP", trims those starting with "TRIM" to trim_to payload bytes, keeps the rest; on
 * UDP sockets (payload_off 8) it records the UDP header it saw. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u32 payload_off = 8;	/* 8: after the UDP header; 0: unix datagrams */
const volatile __u32 trim_to = 4;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} seen SEC(".maps");	/* [0] runs [1] drops [2] trims [3] sport [4] dport [5] udp len [6] skb len */

static void put(__u32 slot, __u64 v, int add)
{
	__u64 *p = bpf_map_lookup_elem(&seen, &slot);

	if (p)
		*p = add ? *p + v : v;
}

SEC("socket")
int datagram_filter(struct __sk_buff *skb)
{
	char tag[4];
	__u16 hdr[4];

	put(0, 1, 1);
	put(6, skb->len, 0);
	if (payload_off && bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)) == 0) {
		put(3, bpf_ntohs(hdr[0]), 0);
		put(4, bpf_ntohs(hdr[1]), 0);
		put(5, bpf_ntohs(hdr[2]), 0);
	}
	if (bpf_skb_load_bytes(skb, payload_off, tag, sizeof(tag)) < 0)
		return skb->len;
	if (tag[0] == 'D' && tag[1] == 'R' && tag[2] == 'O' && tag[3] == 'P') {
		put(1, 1, 1);
		return 0;
	}
	if (tag[0] == 'T' && tag[1] == 'R' && tag[2] == 'I' && tag[3] == 'M') {
		put(2, 1, 1);
		return payload_off + trim_to;
	}
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
