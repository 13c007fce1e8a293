// SPDX-License-Identifier: GPL-2.0
/* Maps of maps in the style of cilium's per-service backend maps and
 * samples/bpf/test_map_in_map: an ARRAY_OF_MAPS and a HASH_OF_MAPS of per-slot counter
 * arrays, looked up from tc, the inner map then looked up and updated. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner slot0 SEC(".maps"), slot1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} by_index SEC(".maps") = {
	.values = { &slot0, &slot1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} by_mark SEC(".maps");

SEC("tc")
int count_by_queue(struct __sk_buff *skb)
{
	__u32 outer = skb->queue_mapping & 1, bucket = skb->len & 3, mark = skb->mark;
	__u64 *cnt;
	void *in;

	in = bpf_map_lookup_elem(&by_index, &outer);
	if (!in)
		return TC_ACT_OK;
	cnt = bpf_map_lookup_elem(in, &bucket);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);

	in = bpf_map_lookup_elem(&by_mark, &mark);
	if (in) {
		__u64 one = 1;

		bpf_map_update_elem(in, &bucket, &one, BPF_ANY);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
