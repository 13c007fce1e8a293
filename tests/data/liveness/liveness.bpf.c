// SPDX-License-Identifier: GPL-2.0
/* Programs for tests/test_verifier_liveness.py: stack slots a callback (bpf_loop) and a
 * bpf-to-bpf call read and write through pointers into their caller's frame, which the
 * kernel's stack liveness analysis follows per call chain.  Rebuild with build.sh. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct acc {
	__u64 sum;
	__u64 last;
};

static long add_cb(__u64 index, void *ctx)
{
	struct acc *a = ctx;

	a->sum += index;
	a->last = index;
	return 0;
}

static __attribute__((noinline)) int fill(__u64 *slot, __u64 v)
{
	*slot = v;
	return v > 100;
}

SEC("socket")
int loop_cb(struct __sk_buff *skb)
{
	struct acc a = { .sum = skb->len, .last = 0 };

	bpf_loop(8, add_cb, &a, 0);
	return a.sum & 0xff;
}

SEC("socket")
int subprog_ptr(struct __sk_buff *skb)
{
	__u64 x, y;

	int big = fill(&x, skb->len);

	if (skb->protocol)
		big += fill(&y, 1);
	else
		y = 2;
	return (x + y + big) & 0xff;
}

char _license[] SEC("license") = "GPL";
