// SPDX-License-Identifier: GPL-2.0
/* bpf_spin_lock in map values (tests/test_spin_lock.py): a hash and an array whose
 * value holds a lock, a program taking it around an update, and one that forgets to
 * release it (the verifier must refuse that one). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	int cnt;
	struct bpf_spin_lock lock;
	long long sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct val);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct val);
} totals SEC(".maps");

SEC("tc")
int count(struct __sk_buff *skb)
{
	int key = 0;
	struct val *v, *t;
	int ret;

	v = bpf_map_lookup_elem(&counters, &key);
	t = bpf_map_lookup_elem(&totals, &key);
	if (!v || !t)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	v->sum += skb->len;
	ret = v->cnt;
	bpf_spin_unlock(&v->lock);
	bpf_spin_lock(&t->lock);
	t->sum += skb->len;
	bpf_spin_unlock(&t->lock);
	return ret;
}

SEC("tc")
int forget_unlock(struct __sk_buff *skb)
{
	int key = 0;
	struct val *v;

	v = bpf_map_lookup_elem(&counters, &key);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	if (skb->len > 100)
		return 1;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a lock in global data, as libbpf's "private(A)" sections keep them */
#define private(name) SEC(".bss." #name) __attribute__((aligned(8)))
private(A) struct bpf_spin_lock glock;
private(A) long long gsum;

SEC("tc")
int global_lock(struct __sk_buff *skb)
{
	long long sum;

	bpf_spin_lock(&glock);
	gsum += skb->len;
	sum = gsum;
	bpf_spin_unlock(&glock);
	return sum;
}

char _license[] SEC("license") = "GPL";
